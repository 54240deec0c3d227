/** CSV in and out: csv-parse and csv-stringify, with the spreadsheet-formula guard on exports. */
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv, toCsv } from '../../src/infra/csv';

describe('toCsv', () => {
  it('writes RFC 4180 CSV that a spreadsheet cannot mistake for formulas', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: -3, d: '=SUM(A1)', e: ['p', 'q'], f: null }])).toBe(
      'a,b,c,d,e,f\r\n"x,y","say ""hi""",-3,\'=SUM(A1),p; q,\r\n',
    );
  });

  it('guards every formula start (= + - @, tab, carriage return) but keeps numbers and booleans as they are', () => {
    const row = { a: '+1', b: '-x', c: '@cmd', d: '\tx', e: -12.5, f: true, g: 'plain' };
    expect(toCsv([row]).split('\r\n')[1]).toBe(`'+1,'-x,'@cmd,'\tx,-12.5,true,plain`);
  });

  it('reads back what it writes, in the given column order', () => {
    const text = toCsv([{ id: '166-POL', name: 'Côte d’Ivoire, "CIV"', n: 3 }], ['n', 'id', 'name']);
    expect(parseCsv(text)).toEqual([
      ['n', 'id', 'name'],
      ['3', '166-POL', 'Côte d’Ivoire, "CIV"'],
    ]);
  });
});

describe('readCsv', () => {
  it('takes a BOM, CRLF, LF or CR, skips blank lines and says on which line each record ends', () => {
    const read = readCsv('\uFEFFa,b\r\n1,"x\ny"\n\n3,4\r5,6');
    expect(read).toEqual({
      ok: true,
      records: [
        { line: 1, cells: ['a', 'b'] },
        { line: 3, cells: ['1', 'x\ny'] },
        { line: 5, cells: ['3', '4'] },
        { line: 6, cells: ['5', '6'] },
      ],
    });
  });

  it('keeps a quote inside a field, and reports an unclosed quote with the line it opens on', () => {
    expect(readCsv('a,b\n1,say "hi"\n')).toMatchObject({ ok: true, records: [{}, { cells: ['1', 'say "hi"'] }] });
    const bad = readCsv('a,b\n1,"open\n');
    expect(bad).toMatchObject({ ok: false, line: 2 });
  });
});

/**
 * Reading a file of recommendations: CSV (`number,text,theme,priority,ta_need`, optional
 * `supersedes`) or the same as a JSON array; up to 300; every row validated first, and one bad
 * row refuses the whole file naming the line (or row) and the field.
 */
import { describe, expect, it } from 'vitest';
import { THEMES } from '../../src/domain/recommendations/model';
import {
  describeProblem,
  formatOf,
  readRecommendationsCsv,
  readRecommendationsFile,
  readRecommendationsJson,
} from '../../src/infra/recommendations-file';

const HEADER = 'number,text,theme,priority,ta_need';

/** A CSV of `n` good rows (themes in turn, every third a priority, every fifth with a TA need). */
function csvOf(n: number, edit: (row: string[], i: number) => string[] = (r) => r): string {
  const rows = Array.from({ length: n }, (_, i) =>
    edit(
      [
        String(i + 1),
        `"Recommendation ${i + 1}: adopt measures, ""as agreed"""`,
        THEMES[i % THEMES.length]!,
        i % 3 === 0 ? 'yes' : 'no',
        i % 5 === 0 ? `Training need ${i + 1}` : '',
      ],
      i,
    ).join(','),
  );
  return [HEADER, ...rows].join('\r\n') + '\r\n';
}

describe('a CSV file of recommendations', () => {
  it('imports a file of 300 recommendations, each as written', () => {
    const read = readRecommendationsCsv(csvOf(300));
    if (!read.ok) throw new Error(read.problems.map(describeProblem).join('\n'));
    expect(read.recommendations).toHaveLength(300);
    expect(read.recommendations[0]).toEqual({
      number: 1,
      text: 'Recommendation 1: adopt measures, "as agreed"',
      theme: 'legislation',
      priority: true,
      taNeed: 'Training need 1',
    });
    // An empty ta_need is no TA need at all.
    expect(read.recommendations[1]).toEqual({
      number: 2,
      text: 'Recommendation 2: adopt measures, "as agreed"',
      theme: 'counter-financing',
      priority: false,
    });
    expect(read.recommendations.filter((r) => r.priority)).toHaveLength(100);
    expect(read.recommendations.filter((r) => r.taNeed)).toHaveLength(60);
  });

  it('refuses a file of 301', () => {
    const read = readRecommendationsCsv(csvOf(301));
    expect(read).toEqual({
      ok: false,
      problems: [{ message: '301 recommendations: a file holds at most 300' }],
    });
  });

  it('refuses the whole file for one bad row, naming its line and field', () => {
    const read = readRecommendationsCsv(csvOf(300, (r, i) => (i === 41 ? [r[0]!, r[1]!, r[2]!, 'maybe', r[4]!] : r)));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    // Row 42 is on line 43 (the header is line 1).
    expect(read.problems).toEqual([{ line: 43, field: 'priority', message: 'expected yes or no' }]);
    expect(describeProblem(read.problems[0]!)).toBe('line 43: priority: expected yes or no');
  });

  it('names every bad row at once: an unknown theme, an empty text, a number that is not one, a short row', () => {
    const text = [
      HEADER,
      '1,Adopt a law,legislation,yes,',
      '2,Train judges,judiciary,no,',
      '3,   ,ict,no,',
      'x,Share data,ict,no,',
      '5,Too short,ict',
    ].join('\n');
    const read = readRecommendationsCsv(text);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'theme'],
      [4, 'text'],
      [5, 'number'],
      [6, undefined],
    ]);
    expect(read.problems[3]!.message).toBe('expected 5 fields, found 3');
  });

  it('refuses numbers given twice, naming both lines', () => {
    const read = readRecommendationsCsv(csvOf(5, (r, i) => (i === 3 ? ['2', ...r.slice(1)] : r)));
    expect(read).toEqual({
      ok: false,
      problems: [{ line: 5, field: 'number', message: 'R2 already appears on line 3' }],
    });
  });

  it('takes R-numbers, YES/No in any case, themes in capitals and the supersedes column', () => {
    const read = readRecommendationsCsv(
      'number,text,theme,priority,ta_need,supersedes\n' +
        'R7,Review the border strategy,Border-Management,YES,,101-POL/R3; 101-POL/R4\n' +
        '8,Keep going,other,No,Mentoring,\n',
    );
    expect(read).toEqual({
      ok: true,
      recommendations: [
        {
          number: 7,
          text: 'Review the border strategy',
          theme: 'border-management',
          priority: true,
          supersedes: ['101-POL/R3', '101-POL/R4'],
        },
        { number: 8, text: 'Keep going', theme: 'other', priority: false, taNeed: 'Mentoring' },
      ],
    });
  });

  it('refuses a supersedes id that is not a recommendation id', () => {
    const read = readRecommendationsCsv('number,text,theme,priority,ta_need,supersedes\n1,T,ict,no,,101-POL\n');
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problems).toMatchObject([{ line: 2, field: 'supersedes' }]);
  });

  it('refuses a header that lacks a column or has one it does not know, and an empty file', () => {
    expect(readRecommendationsCsv('number,text,theme,ta_need\n1,T,ict,\n')).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: expect.stringContaining('missing column(s): priority') }],
    });
    expect(readRecommendationsCsv('number,text,theme,priority,ta-need\n1,T,ict,no,\n')).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: expect.stringContaining('unknown column(s): ta-need') }],
    });
    expect(readRecommendationsCsv(`${HEADER}\n`)).toEqual({
      ok: false,
      problems: [{ message: 'the file holds no recommendations' }],
    });
  });
});

describe('the same as a JSON array', () => {
  const rows = [
    { number: 1, text: 'Adopt a law', theme: 'legislation', priority: true, taNeed: 'Drafting help' },
    { number: 2, text: 'Train judges', theme: 'criminal-justice', priority: 'no', ta_need: 'Training' },
    { number: 3, text: 'Share data', theme: 'ict', priority: 'yes', supersedes: ['101-POL/R1'] },
  ];

  it('takes priority as a boolean or yes/no and the need as ta_need or taNeed', () => {
    expect(readRecommendationsJson(rows)).toEqual({
      ok: true,
      recommendations: [
        { number: 1, text: 'Adopt a law', theme: 'legislation', priority: true, taNeed: 'Drafting help' },
        { number: 2, text: 'Train judges', theme: 'criminal-justice', priority: false, taNeed: 'Training' },
        { number: 3, text: 'Share data', theme: 'ict', priority: true, supersedes: ['101-POL/R1'] },
      ],
    });
    expect(readRecommendationsFile(JSON.stringify(rows))).toEqual(readRecommendationsJson(rows));
  });

  it('refuses the whole array for one bad row, naming the row (from 1) and the field', () => {
    const bad = [...rows, { number: 4, text: 'x', theme: 'sports', priority: false }];
    const read = readRecommendationsJson(bad);
    expect(read).toMatchObject({ ok: false, problems: [{ row: 4, field: 'theme' }] });
    if (!read.ok) expect(describeProblem(read.problems[0]!)).toMatch(/^row 4: theme: /);
  });

  it('refuses unknown fields, both spellings of the need at once, duplicates and more than 300', () => {
    expect(readRecommendationsJson([{ ...rows[0], colour: 'red' }])).toEqual({
      ok: false,
      problems: [{ row: 1, message: 'unknown field(s): colour' }],
    });
    expect(readRecommendationsJson([{ ...rows[0], ta_need: 'y' }])).toMatchObject({
      ok: false,
      problems: [{ row: 1, message: 'give ta_need or taNeed, not both' }],
    });
    expect(readRecommendationsJson([rows[0], rows[0]])).toEqual({
      ok: false,
      problems: [{ row: 2, field: 'number', message: 'R1 already appears on row 1' }],
    });
    const many = Array.from({ length: 301 }, (_, i) => ({ ...rows[2], supersedes: undefined, number: i + 1 }));
    expect(readRecommendationsJson(many)).toEqual({
      ok: false,
      problems: [{ message: '301 recommendations: a file holds at most 300' }],
    });
    expect(readRecommendationsJson({ recommendations: rows })).toMatchObject({ ok: false });
    expect(readRecommendationsFile('[{"number":1,')).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringMatching(/^not JSON/) }],
    });
  });

  it('tells the formats apart by the first character, a BOM and spaces aside', () => {
    expect(formatOf('\uFEFF  [ {"number": 1} ]')).toBe('json');
    expect(formatOf(HEADER)).toBe('csv');
    // A JSON array given as CSV is read as CSV, and refused as such.
    expect(readRecommendationsFile(JSON.stringify(rows), 'csv').ok).toBe(false);
  });
});

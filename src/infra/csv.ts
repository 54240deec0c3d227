/**
 * CSV in and out, on csv-parse and csv-stringify (RFC 4180). Exports guard against spreadsheet
 * formula injection: text that a spreadsheet would run as a formula is prefixed with a quote.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** One record of a CSV file with the line it ends on (quoted fields may span lines). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export type CsvReadResult = { ok: true; records: CsvRecord[] } | { ok: false; line: number; message: string };

/** Reads CSV text (a BOM, CRLF, LF or CR, quoted fields); blank lines are skipped. */
export function readCsv(text: string): CsvReadResult {
  try {
    const rows = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return {
      ok: true,
      records: rows
        .filter((r) => r.record.some((f) => f.trim() !== ''))
        .map((r) => ({ line: r.info.lines, cells: r.record })),
    };
  } catch (e) {
    if (e instanceof CsvError) return { ok: false, line: Number(e.lines) || 1, message: e.message };
    throw e;
  }
}

/** The records of CSV text as arrays of fields (for callers that need no line numbers). */
export function parseCsv(text: string): string[][] {
  const read = readCsv(text);
  if (!read.ok) throw new Error(`line ${read.line}: ${read.message}`);
  return read.records.map((r) => r.cells);
}

// Cells starting with these run as formulas in spreadsheets (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

function cellText(v: unknown): string | number {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return v;
  return Array.isArray(v) ? v.join('; ') : String(v);
}

/** RFC 4180 CSV (CRLF) of rows, with a header of the given columns (default: the first row's keys). */
export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  return stringify(
    rows.map((r) => cols.map((c) => cellText(r[c]))),
    {
      header: true,
      columns: cols,
      record_delimiter: 'windows',
      cast: { string: (s) => (FORMULA_START.test(s) ? `'${s}` : s), number: (n) => String(n) },
    },
  );
}

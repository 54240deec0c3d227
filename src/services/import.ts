/**
 * Importing visits from a CSV with the columns of ../shared/data/ctc-visits-2018-2019.csv:
 * visit_number, member_state, iso3, visit_type, ordinal, start_date, end_date, and optionally
 * case_officer and state_contact. Every row is validated before anything is started.
 */
import { VisitStartRequest, type VisitStartRequest as VisitStartRequestType } from './contract';
import { describeIssues } from './domain/actions';

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const REQUIRED_COLUMNS = [
  'visit_number',
  'member_state',
  'iso3',
  'visit_type',
  'ordinal',
  'start_date',
  'end_date',
] as const;

export interface ImportDefaults {
  /** Case officer for rows without a case_officer column. */
  caseOfficer?: string;
  /** State contact for rows without a state_contact column; `{iso3}` is replaced by the row's code. */
  stateContact?: string;
}

export interface ImportRow {
  line: number;
  request: VisitStartRequestType;
}

export interface ImportProblem {
  line: number;
  message: string;
}

/**
 * Validates every row. Regional visits that start on the same day are grouped (`regional-<start>`),
 * one workflow per State.
 */
export function readVisitsCsv(
  text: string,
  defaults: ImportDefaults,
): { rows: ImportRow[]; problems: ImportProblem[] } {
  const table = parseCsv(text.replace(/^\uFEFF/, '')).filter((r) => r.some((f) => f.trim() !== ''));
  const header = (table[0] ?? []).map((h) => h.trim());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return { rows: [], problems: [{ line: 1, message: `missing column(s): ${missing.join(', ')}` }] };
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  table.slice(1).forEach((cells, i) => {
    const line = i + 2;
    if (cells.length !== header.length) {
      problems.push({ line, message: `expected ${header.length} fields, found ${cells.length}` });
      return;
    }
    const get = (name: string) => cells[header.indexOf(name)]?.trim() ?? '';
    const iso3 = get('iso3');
    const type = get('visit_type');
    const contact = get('state_contact') || defaults.stateContact?.replace('{iso3}', iso3.toLowerCase());
    const candidate = {
      number: /^\d+$/.test(get('visit_number')) ? Number(get('visit_number')) : get('visit_number'),
      state: iso3,
      stateName: get('member_state') || undefined,
      type,
      start: get('start_date'),
      end: get('end_date'),
      ...(type === 'regional' ? { groupId: `regional-${get('start_date')}` } : {}),
      caseOfficer: get('case_officer') || defaults.caseOfficer,
      stateContact: contact,
    };
    const parsed = VisitStartRequest.safeParse(candidate);
    if (!parsed.success) {
      problems.push({ line, message: describeIssues(parsed.error) });
      return;
    }
    const id = `${parsed.data.number}-${parsed.data.state}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      problems.push({ line, message: `visit ${id} already appears on line ${earlier}` });
      return;
    }
    seen.set(id, line);
    rows.push({ line, request: parsed.data });
  });
  return { rows, problems };
}

/**
 * A file of recommendations, as CTED records them with the final draft: CSV with the header
 * `number,text,theme,priority,ta_need` (`priority` yes/no; `ta_need` may be left empty; an optional
 * `supersedes` column lists earlier ids separated by `;`), or the same as a JSON array (keys
 * number, text, theme, priority as a boolean or yes/no, ta_need or taNeed, supersedes).
 *
 * Every row is validated before anything is taken: one bad row refuses the whole file, and every
 * problem names where it is (the CSV line, or the JSON array's row) and the field.
 */
import { MAX_RECOMMENDATIONS, RecommendationInput, RecommendationList } from '../domain/recommendations/model';
import { readCsv } from './csv';

export const RECOMMENDATION_FILE_FORMATS = ['csv', 'json'] as const;
export type RecommendationFileFormat = (typeof RECOMMENDATION_FILE_FORMATS)[number];

/** What is wrong in a file: where (a CSV line, or a JSON row counted from 1), which field, and why. */
export interface RecommendationProblem {
  /** The CSV line the row ends on (quoted texts may span lines). */
  line?: number;
  /** The position of the row in a JSON array, from 1. */
  row?: number;
  /** The field as the file names it (`priority`, `ta_need`, ...). */
  field?: string;
  message: string;
}

export type RecommendationFileRead =
  { ok: true; recommendations: RecommendationInput[] } | { ok: false; problems: RecommendationProblem[] };

const REQUIRED_COLUMNS = ['number', 'text', 'theme', 'priority'];
const OPTIONAL_COLUMNS = ['ta_need', 'supersedes'];
/** The JSON keys a row may have, and the name of each as a problem reports it. */
const JSON_KEYS: Record<string, string> = {
  number: 'number',
  text: 'text',
  theme: 'theme',
  priority: 'priority',
  ta_need: 'ta_need',
  taNeed: 'taNeed',
  supersedes: 'supersedes',
};

/** One problem as a line a person reads: `line 4: priority: expected yes or no`. */
export function describeProblem(p: RecommendationProblem): string {
  const where = p.line !== undefined ? `line ${p.line}` : p.row !== undefined ? `row ${p.row}` : 'file';
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** `yes`/`no` (or true/false), as a boolean; anything else is left for the schema to refuse. */
function yesNo(v: unknown): unknown {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  return s === 'yes' || s === 'true' ? true : s === 'no' || s === 'false' ? false : v;
}

/** `12` or `R12` as 12. */
function numberOf(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^\s*R?(\d{1,6})\s*$/i.exec(v);
  return m ? Number(m[1]) : v;
}

function idsOf(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const ids = v
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.length ? ids : undefined;
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A row's values as RecommendationInput's candidate (absent optional values left out). */
function candidate(get: (key: 'number' | 'text' | 'theme' | 'priority' | 'taNeed' | 'supersedes') => unknown) {
  const taNeed = blankToUndefined(get('taNeed'));
  const supersedes = idsOf(blankToUndefined(get('supersedes')));
  const theme = get('theme');
  return {
    number: numberOf(get('number')),
    text: get('text'),
    theme: typeof theme === 'string' ? theme.trim().toLowerCase() : theme,
    priority: yesNo(get('priority')),
    ...(taNeed !== undefined ? { taNeed } : {}),
    ...(supersedes !== undefined ? { supersedes } : {}),
  };
}

type Where = Pick<RecommendationProblem, 'line' | 'row'>;

/**
 * One row validated: the recommendation, or its problems, one per field, each named as the file
 * names it (`fieldName` maps the schema's keys back).
 */
function validateRow(
  raw: ReturnType<typeof candidate>,
  where: Where,
  fieldName: (key: string) => string,
): RecommendationInput | RecommendationProblem[] {
  const parsed = RecommendationInput.safeParse(raw);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((i) => {
    const key = i.path[0];
    const field = typeof key === 'string' ? fieldName(key) : undefined;
    const message =
      key === 'priority' && i.code === 'invalid_type'
        ? 'expected yes or no'
        : i.code === 'unrecognized_keys'
          ? `unknown field(s): ${i.keys.join(', ')}`
          : i.message;
    return { ...where, ...(field ? { field } : {}), message };
  });
}

/** Problems of the whole list: how many rows, and numbers given twice (named where each repeat is). */
function listProblems(rows: { rec: RecommendationInput; where: Where }[], count: number): RecommendationProblem[] {
  const problems: RecommendationProblem[] = [];
  if (count === 0) problems.push({ message: 'the file holds no recommendations' });
  if (count > MAX_RECOMMENDATIONS) {
    problems.push({ message: `${count} recommendations: a file holds at most ${MAX_RECOMMENDATIONS}` });
  }
  const seen = new Map<number, Where>();
  for (const { rec, where } of rows) {
    const first = seen.get(rec.number);
    if (!first) seen.set(rec.number, where);
    else {
      const at = first.line !== undefined ? `line ${first.line}` : `row ${first.row}`;
      problems.push({ ...where, field: 'number', message: `R${rec.number} already appears on ${at}` });
    }
  }
  return problems;
}

/** The rows, if every one is good, checked once more as the list the workflow takes. */
function result(rows: { rec: RecommendationInput; where: Where }[], problems: RecommendationProblem[]) {
  if (problems.length) return { ok: false as const, problems };
  const list = RecommendationList.safeParse(rows.map((r) => r.rec));
  if (!list.success) {
    return { ok: false as const, problems: list.error.issues.map((i) => ({ message: i.message })) };
  }
  return { ok: true as const, recommendations: list.data };
}

/** Reads a CSV file of recommendations. */
export function readRecommendationsCsv(text: string): RecommendationFileRead {
  const read = readCsv(text);
  if (!read.ok) return { ok: false, problems: [{ line: read.line, message: read.message }] };
  const [head, ...data] = read.records;
  const header = (head?.cells ?? []).map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !REQUIRED_COLUMNS.includes(c) && !OPTIONAL_COLUMNS.includes(c));
  const twice = header.filter((c, i) => header.indexOf(c) !== i);
  const headerProblems = [
    ...(missing.length ? [`missing column(s): ${missing.join(', ')}`] : []),
    ...(unknown.length ? [`unknown column(s): ${unknown.join(', ')}`] : []),
    ...(twice.length ? [`column(s) given twice: ${twice.join(', ')}`] : []),
  ];
  if (headerProblems.length) {
    const columns = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(',');
    return {
      ok: false,
      problems: [{ line: head?.line ?? 1, message: `${headerProblems.join('; ')} (the columns are ${columns})` }],
    };
  }
  const column = (key: string) => (key === 'taNeed' ? 'ta_need' : key);
  const rows: { rec: RecommendationInput; where: Where }[] = [];
  const problems: RecommendationProblem[] = [];
  for (const { line, cells } of data) {
    if (cells.length !== header.length) {
      problems.push({ line, message: `expected ${header.length} fields, found ${cells.length}` });
      continue;
    }
    const get = (key: string) => {
      const i = header.indexOf(column(key));
      return i < 0 ? undefined : cells[i];
    };
    const r = validateRow(candidate(get), { line }, column);
    if (Array.isArray(r)) problems.push(...r);
    else rows.push({ rec: r, where: { line } });
  }
  return result(rows, [...problems, ...listProblems(rows, data.length)]);
}

/** Reads recommendations given as JSON: an array of objects (already parsed, as the API's body is). */
export function readRecommendationsJson(value: unknown): RecommendationFileRead {
  if (!Array.isArray(value)) {
    return { ok: false, problems: [{ message: 'expected a JSON array of recommendations' }] };
  }
  const rows: { rec: RecommendationInput; where: Where }[] = [];
  const problems: RecommendationProblem[] = [];
  value.forEach((item: unknown, i) => {
    const row = i + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ row, message: 'expected an object (number, text, theme, priority, ta_need)' });
      return;
    }
    const o = item as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !(k in JSON_KEYS));
    const both = 'ta_need' in o && 'taNeed' in o;
    if (unknown.length || both) {
      const why = [
        ...(unknown.length ? [`unknown field(s): ${unknown.join(', ')}`] : []),
        ...(both ? ['give ta_need or taNeed, not both'] : []),
      ];
      problems.push({ row, message: why.join('; ') });
      return;
    }
    const get = (key: string) => (key === 'taNeed' ? (o.taNeed ?? o.ta_need) : o[key]);
    const name = (key: string) => (key === 'taNeed' && 'ta_need' in o ? 'ta_need' : key);
    const r = validateRow(candidate(get), { row }, name);
    if (Array.isArray(r)) problems.push(...r);
    else rows.push({ rec: r, where: { row } });
  });
  return result(rows, [...problems, ...listProblems(rows, value.length)]);
}

/** Which format a file is in when nobody said: a JSON array starts with `[`. */
export function formatOf(text: string): RecommendationFileFormat {
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('[')
    ? 'json'
    : 'csv';
}

/** Reads a file of recommendations in the given format, or the one its text shows. */
export function readRecommendationsFile(text: string, format?: RecommendationFileFormat): RecommendationFileRead {
  if ((format ?? formatOf(text)) === 'csv') return readRecommendationsCsv(text);
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, problems: [{ message: `not JSON: ${(e as Error).message}` }] };
  }
  return readRecommendationsJson(value);
}

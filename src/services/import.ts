/**
 * Importing visits from a CSV with the columns of ../shared/data/ctc-visits-2018-2019.csv:
 * visit_number, member_state, iso3, visit_type, ordinal, start_date, end_date, and optionally
 * group, language, state_name, permanent_mission, case_officer and state_contact. Every row is
 * validated before anything is started.
 */
import { VisitStartRequest, visitIdOf } from '../contract';
import { describeIssues } from '../domain/actions';
import { readCsv, type CsvRecord } from '../infra/csv';
import { earlierOnce, startVisit } from '../infra/temporal/visits';
import type { AuditService } from './audit';
import type { Caller, CallerDoor, ServiceDeps } from './context';
import { AppError, toAppError } from './errors';
import { requireOperation } from './visits';

const REQUIRED_COLUMNS = ['visit_number', 'member_state', 'iso3', 'visit_type', 'ordinal', 'start_date', 'end_date'];

export interface ImportDefaults {
  /** Case officer for rows without a case_officer column. */
  caseOfficer?: string;
  /** State contact for rows without a state_contact column; `{iso3}` is replaced by the row's code. */
  stateContact?: string;
  /** Permanent Mission for rows without a permanent_mission column; `{iso3}` is replaced too. */
  permanentMission?: string;
}

export interface ImportRow {
  line: number;
  request: VisitStartRequest;
}

export interface ImportProblem {
  line: number;
  message: string;
}

/**
 * One data row as a start request. A regional visit's group comes from the `group` column (the
 * trips of a regional visit do not share their dates); the State's name from `state_name` (its name
 * in UN use today), else `member_state`.
 */
function candidate(header: string[], cells: string[], defaults: ImportDefaults) {
  const get = (name: string) => (header.includes(name) ? (cells[header.indexOf(name)]?.trim() ?? '') : '');
  const iso3 = get('iso3');
  const template = (t: string | undefined) => t?.replace('{iso3}', iso3.toLowerCase());
  const optional = (key: string, value: string | undefined) => (value ? { [key]: value } : {});
  return {
    number: /^\d+$/.test(get('visit_number')) ? Number(get('visit_number')) : get('visit_number'),
    state: iso3,
    ...optional('stateName', get('state_name') || get('member_state')),
    type: get('visit_type'),
    start: get('start_date'),
    end: get('end_date'),
    ...optional('groupId', get('group')),
    ...optional('ordinal', get('ordinal')),
    ...optional('language', get('language')),
    caseOfficer: get('case_officer') || defaults.caseOfficer,
    stateContact: get('state_contact') || template(defaults.stateContact),
    ...optional('permanentMission', get('permanent_mission') || template(defaults.permanentMission)),
  };
}

/** Validates every row; a problem names its line. One workflow per State, grouped for regional visits. */
export function readVisitsCsv(
  text: string,
  defaults: ImportDefaults,
): { rows: ImportRow[]; problems: ImportProblem[] } {
  const read = readCsv(text);
  if (!read.ok) return { rows: [], problems: [{ line: read.line, message: read.message }] };
  const [head, ...data] = read.records;
  const header = (head?.cells ?? []).map((h) => h.trim());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return { rows: [], problems: [{ line: 1, message: `missing column(s): ${missing.join(', ')}` }] };
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  const check = ({ line, cells }: CsvRecord): string | ImportRow => {
    if (cells.length !== header.length) return `expected ${header.length} fields, found ${cells.length}`;
    const parsed = VisitStartRequest.safeParse(candidate(header, cells, defaults));
    if (!parsed.success) return describeIssues(parsed.error);
    const id = visitIdOf(parsed.data.number, parsed.data.state);
    const earlier = seen.get(id);
    if (earlier !== undefined) return `visit ${id} already appears on line ${earlier}`;
    seen.set(id, line);
    return { line, request: parsed.data };
  };
  for (const record of data) {
    const r = check(record);
    if (typeof r === 'string') problems.push({ line: record.line, message: r });
    else rows.push(r);
  }
  return { rows, problems };
}

export interface ImportRequest extends ImportDefaults {
  csv: string;
  /** The file's name, recorded in the audit trail (CLI). */
  file?: string;
}

export interface ImportResult {
  imported: string[];
  alreadyImported: string[];
}

export class ImportService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly audit: AuditService,
  ) {}

  /**
   * Starts every visit of a CSV, or none when a row is bad (422 with each line's problem).
   * Visits already followed up are skipped; clocks run from the real dates, so old visits show
   * as overdue, and reminders whose time has passed are not sent.
   */
  async importCsv(
    caller: Caller,
    door: CallerDoor,
    req: ImportRequest,
    progress?: (done: number, total: number) => void,
  ): Promise<ImportResult> {
    requireOperation(caller, 'import-visits');
    const { rows, problems } = readVisitsCsv(req.csv, req);
    if (problems.length)
      throw new AppError('bad-rows', `nothing imported: ${problems.length} bad row(s)`, { problems });
    const client = await this.deps.temporal();
    const remindersFrom = new Date((this.deps.now ?? Date.now)());
    const taskQueue = this.deps.taskQueue;
    const result: ImportResult = { imported: [], alreadyImported: [] };
    const earlier = earlierOnce(client);
    for (const [i, row] of rows.entries()) {
      const id = visitIdOf(row.request.number, row.request.state);
      try {
        await startVisit(client, row.request, this.deps.policy, {
          remindersFrom,
          earlier,
          ...(taskQueue ? { taskQueue } : {}),
        });
        result.imported.push(id);
        // Each visit started is in the audit trail as it starts: an import stopped half-way leaves none unrecorded.
        const payload = { ...row.request, ...(req.file ? { importedFrom: req.file } : { imported: true }) };
        await this.audit.record({ caller, door, visitId: id, action: 'start-visit', payload }, 'accepted');
      } catch (e) {
        if (toAppError(e).code !== 'exists') throw e;
        result.alreadyImported.push(id);
      }
      progress?.(i + 1, rows.length);
    }
    const payload = { ...(req.file ? { file: req.file } : {}), ...result };
    await this.audit.record({ caller, door, action: 'import-visits', payload }, 'accepted');
    return result;
  }
}

/**
 * Use cases on the registers of recommendations, one copy for every door: read (list, one, the CSV
 * export) from each State's register workflow, and change through the visit that made them (a
 * file of recommendations with the final draft, the State's progress, CTED's assessment), so that
 * permissions, the audit trail and the workflow's refusals are those of every other action.
 */
import { z } from 'zod';
import { VisitId } from '../contract';
import type { Principal } from '../domain/permissions';
import type { VisitStatus } from '../domain/visit';
import {
  ASSESSED_STATUSES,
  RecommendationId,
  REPORTED_STATUSES,
  stateOfRecommendation,
  visitOfRecommendation,
  type RecommendationRecord,
} from '../domain/recommendations/model';
import { filterRecords } from '../domain/recommendations/register';
import {
  projectRecommendation,
  type RecommendationContext,
  type RecommendationView,
  type SharingConsent,
} from '../domain/recommendations/views';
import { toCsv } from '../infra/csv';
import {
  describeProblem,
  readRecommendationsFile,
  type RecommendationFileFormat,
  type RecommendationProblem,
} from '../infra/recommendations-file';
import { readAllRegisters, readRegister } from '../infra/temporal/register';
import { isOperator, type Caller, type CallerDoor, type ServiceDeps } from './context';
import { AppError, parseOr } from './errors';
import type { VisitService, VisitView } from './visits';

const ISO3 = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 3166-1 alpha-3 code in capitals, e.g. POL');

/** Which recommendations to list: a State's, a visit's, open or closed ones, priority ones (or the others). */
export const RecommendationFilter = z
  .object({
    state: ISO3.optional(),
    visit: VisitId.optional(),
    status: z.enum(['open', 'closed']).optional(),
    priority: z.boolean().optional(),
  })
  .strict();
export type RecommendationFilter = z.infer<typeof RecommendationFilter>;

/** What the State reports of one recommendation; CTED or the secretariat record it on its behalf. */
export const ProgressReport = z
  .object({
    status: z.enum(REPORTED_STATUSES),
    text: z.string().optional(),
    onBehalfOf: z.string().optional(),
    reference: z.string().optional(),
    receivedOn: z.string().optional(),
  })
  .strict();
export type ProgressReport = z.infer<typeof ProgressReport>;

/** CTED's assessment of one recommendation. */
export const Assessment = z.object({ status: z.enum(ASSESSED_STATUSES), note: z.string().optional() }).strict();
export type Assessment = z.infer<typeof Assessment>;

/** The columns of the register's CSV export, in order. */
export const REGISTER_CSV_COLUMNS = [
  'id',
  'visit',
  'state',
  'number',
  'theme',
  'priority',
  'ta_need',
  'reported_status',
  'reported_at',
  'assessed_status',
  'assessed_at',
  'status',
  'superseded_by',
  'ta_status',
  'ta_partners',
  'text',
] as const;

/** The operator at the console sees what CTED sees. */
const asPrincipal = (caller: Caller): Principal =>
  isOperator(caller) ? { email: caller.email, role: 'cted' } : caller;

/** A projected recommendation as one row of the CSV export (what the caller's view lacks is left empty). */
export function csvRowOf(v: RecommendationView): Record<(typeof REGISTER_CSV_COLUMNS)[number], unknown> {
  const whole = 'history' in v ? v : undefined;
  return {
    id: v.id,
    visit: v.visit,
    state: v.state,
    number: v.number,
    theme: v.theme,
    priority: v.priority ? 'yes' : 'no',
    ta_need: v.taNeed,
    reported_status: whole?.reportedStatus?.status,
    reported_at: whole?.reportedStatus?.at,
    assessed_status: whole?.assessedStatus.status,
    assessed_at: whole?.assessedStatus.at,
    status: whole?.status,
    superseded_by: whole?.supersededBy,
    ta_status: v.ta?.status,
    ta_partners: v.ta?.partners.map((p) => `${p.partner}: ${p.status}`),
    text: v.text,
  };
}

export class RecommendationService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly visits: VisitService,
  ) {}

  /** The recommendations the caller may see, filtered, in register order (by visit, then number). */
  async list(caller: Caller, raw: unknown): Promise<RecommendationView[]> {
    const filter = parseOr(RecommendationFilter, raw, 'filter');
    const p = asPrincipal(caller);
    if (p.role === 'partner' && filter.status) {
      throw new AppError(
        'invalid-request',
        "filter: status is CTED's assessment, which a partner's view does not show",
      );
    }
    const records = filterRecords(await this.records(p, filter), filter);
    const context = await this.contextFor(p, records);
    return records.flatMap((r) => projectRecommendation(p, r, context) ?? []);
  }

  /** One recommendation as the caller may see it: 404 when unknown or not the caller's to see. */
  async get(caller: Caller, rawId: unknown): Promise<RecommendationView> {
    const id = parseOr(RecommendationId, rawId, 'recommendation id');
    const p = asPrincipal(caller);
    const missing = new AppError('not-found', `no recommendation ${id}`);
    const state = stateOfRecommendation(id);
    if (p.role === 'state' && p.state !== state) throw missing;
    const record = (await this.register(state)).find((r) => r.id === id);
    if (!record) throw missing;
    const view = projectRecommendation(p, record, await this.contextFor(p, [record]));
    if (!view) throw missing;
    return view;
  }

  /** The register export as CSV: one row per recommendation the caller may see. */
  async csv(caller: Caller, filter: unknown): Promise<string> {
    const rows = (await this.list(caller, filter)).map(csvRowOf);
    return toCsv(rows, [...REGISTER_CSV_COLUMNS]);
  }

  /**
   * Records a visit's recommendations from a file (CSV, or a JSON array): 404 or 403 as for any
   * action, then every row validated (422 naming each bad row, nothing recorded, the attempt
   * audited), then `record-recommendations` through the visit (its payload check, the audit, the
   * workflow's refusal when the visit is not at its final draft).
   */
  async importFile(
    caller: Caller,
    door: CallerDoor,
    visit: string | VisitStatus,
    text: string,
    opts: { format?: RecommendationFileFormat; file?: string; note?: string } = {},
  ): Promise<VisitView> {
    const summary = { ...(opts.file ? { file: opts.file } : {}), ...(opts.format ? { format: opts.format } : {}) };
    const id = typeof visit === 'string' ? parseOr(VisitId, visit, 'visit id') : visit;
    const s = await this.visits.authorize(caller, door, id, 'record-recommendations', summary);
    const read = readRecommendationsFile(text, opts.format);
    if (!read.ok) throw await this.badFile(caller, door, s, summary, read.problems);
    const payload = { recommendations: read.recommendations, ...(opts.note ? { note: opts.note } : {}) };
    return this.visits.act(caller, door, s, 'record-recommendations', payload);
  }

  /** A file refused for its rows: nothing recorded, the attempt audited, the first problems in the message. */
  private async badFile(
    caller: Caller,
    door: CallerDoor,
    s: VisitStatus,
    summary: Record<string, unknown>,
    problems: RecommendationProblem[],
  ): Promise<AppError> {
    await this.visits.audit.record(
      { caller, door, visitId: s.id, action: 'record-recommendations', payload: { ...summary, problems } },
      'refused',
      'bad rows',
    );
    const first = problems.slice(0, 3).map(describeProblem).join('; ');
    const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
    return new AppError('bad-rows', `nothing recorded: ${first}${more}`, { problems });
  }

  /** The State's progress on one recommendation (`report-progress` on its visit, one item). */
  async report(caller: Caller, door: CallerDoor, recId: unknown, raw: unknown): Promise<VisitView> {
    const id = parseOr(RecommendationId, recId, 'recommendation id');
    const { status, text, ...onBehalf } = parseOr(ProgressReport, raw, 'report');
    const item = { recommendation: id, status, ...(text !== undefined ? { text } : {}) };
    return this.visits.act(caller, door, visitOfRecommendation(id), 'report-progress', { items: [item], ...onBehalf });
  }

  /** CTED's assessment of one recommendation (`assess-recommendation` on its visit, one item). */
  async assess(caller: Caller, door: CallerDoor, recId: unknown, raw: unknown): Promise<VisitView> {
    const id = parseOr(RecommendationId, recId, 'recommendation id');
    const { status, note } = parseOr(Assessment, raw, 'assessment');
    const item = { recommendation: id, status, ...(note !== undefined ? { note } : {}) };
    return this.visits.act(caller, door, visitOfRecommendation(id), 'assess-recommendation', { items: [item] });
  }

  /** A State's register's records (none when no visit of the State has fed one yet). */
  private async register(state: string): Promise<RecommendationRecord[]> {
    return (await readRegister(await this.deps.temporal(), state))?.records ?? [];
  }

  /** The records of the registers the filter (and, for a State, its own State) points to. */
  private async records(p: Principal, filter: RecommendationFilter): Promise<RecommendationRecord[]> {
    const named = [filter.state, filter.visit && filter.visit.slice(filter.visit.indexOf('-') + 1)];
    const wanted = new Set(named.filter((s): s is string => !!s));
    if (p.role === 'state') {
      if (!p.state || [...wanted].some((s) => s !== p.state)) return [];
      return this.register(p.state);
    }
    // A visit of one State and a filter naming another select nothing.
    if (wanted.size > 1) return [];
    if (wanted.size) return this.register([...wanted][0]!);
    return (await readAllRegisters(await this.deps.temporal())).flatMap((r) => r.records);
  }

  /** Each visit's consent, for a partner's view of the needs referred to it (other roles need none). */
  private async contextFor(p: Principal, records: readonly RecommendationRecord[]): Promise<RecommendationContext> {
    const consents = new Map<string, SharingConsent>();
    if (p.role === 'partner') {
      const mine = records.filter((r) => r.ta?.partners.some((e) => e.partner === p.organisation));
      for (const visit of new Set(mine.map((r) => r.visit))) {
        const s = await this.visits.status(visit).catch(() => undefined);
        if (s) consents.set(visit, { scope: s.consent.scope, priorityTaNeedsOnly: s.consent.priorityTaNeedsOnly });
      }
    }
    return { consentOf: (visit) => consents.get(visit) };
  }
}

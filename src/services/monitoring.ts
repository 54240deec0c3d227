/**
 * What the secretariat monitors, read from the store's read model: the overview, guideline
 * compliance, the annual reporting status, their CSV exports, calendar feeds, the messages sent,
 * the scheduled digests, and the drift between the read model and Temporal.
 */
import { CONDUCTED_COLUMNS, visitsConducted, type ConductedVisit } from '../domain/appendix';
import { newYorkDate } from '../domain/calendar';
import {
  ANNUAL_PROGRESS_COLUMNS,
  annualCsvRecord,
  annualReportingStatus,
  annualStateProgress,
  compliance,
  overview,
  type Monitored,
  type OverviewFilter,
  type SortKey,
} from '../domain/monitoring';
import { mayRead, type Principal } from '../domain/permissions';
import {
  isPartnerView,
  project,
  stagesFor,
  type PartnerView,
  type StateView,
  type InternalView,
} from '../domain/views';
import { allVisits, type VisitSnapshot } from '../infra/store/store';
import { toCsv } from '../infra/csv';
import { calendarFile, deadlineEvent, type CalendarEvent } from '../infra/ics';
import { listOutbox } from '../infra/mail';
import { triggerSchedule, type ScheduleId } from '../infra/temporal/schedules';
import { recordsOfStates } from '../infra/temporal/register-records';
import { listVisits } from '../infra/temporal/visits';
import { isOperator, type Caller, type ServiceDeps } from './context';
import { findDrift } from './drift';
import { AppError } from './errors';

const OVERVIEW_COLUMNS = [
  ...['id', 'number', 'state', 'stateName', 'region', 'type', 'year', 'stage'],
  ...['nextItem', 'nextDeadline', 'daysLeft', 'overdue', 'overdueItems', 'openItems'],
];
const ANNUAL_COLUMNS = [
  'stateName',
  'state',
  'id',
  'visitYear',
  'status',
  'due',
  'submitted',
  ...ANNUAL_PROGRESS_COLUMNS,
];

/** Every open deadline of the visits, as the user's role sees them, as a calendar event on its deadline (an hour long). */
export function deadlineEvents(snapshots: readonly Monitored[]): CalendarEvent[] {
  return snapshots.flatMap((s) =>
    s.openItems
      .filter((o) => o.deadline !== null)
      .map((o) =>
        deadlineEvent({
          visitId: s.id,
          item: o.item,
          deadline: o.deadline!,
          summary: `${s.id} ${s.stateName ?? s.state}: ${o.item} due`,
          description: `Visit ${s.id} (${s.type}), stage ${s.stage}. Deadline ${o.deadline}.`,
        }),
      ),
  );
}

export class MonitoringService {
  readonly now: () => number;

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * The visits the principal may see, each as its role's view of the read model's snapshot: a
   * State's own visits as it lives them; a partner sees no visit here at all.
   */
  async visible(p: Principal): Promise<(StateView | InternalView)[]> {
    if (p.role === 'partner') return [];
    const snapshots = p.role === 'state' && p.state ? await this.byState(p.state) : await this.deps.store().snapshots();
    return snapshots
      .filter((s) => mayRead(p, s))
      .flatMap((s) => {
        const view = project(p, s);
        return isPartnerView(view) ? [] : [view];
      });
  }

  /** A State's visits, through the store's index on State. */
  private byState(state: string): Promise<VisitSnapshot[]> {
    return allVisits(this.deps.store(), { state });
  }

  /** Partners see only what States shared with them, on the overview page (403 elsewhere). */
  notForPartners(p: Principal): void {
    if (p.role === 'partner') {
      throw new AppError('forbidden', 'partners see the reports States chose to share, on the overview page');
    }
  }

  /** The adopted reports a partner may see (the States consented to share them), as partner views. */
  async shared(p: Principal): Promise<PartnerView[]> {
    return (await this.deps.store().snapshots())
      .filter((s) => mayRead(p, s))
      .flatMap((s) => {
        const view = project(p, s);
        return isPartnerView(view) ? [view] : [];
      });
  }

  /** The overview rows and counts of the visits the principal may see, in its role's stages. */
  async overview(p: Principal, filter: OverviewFilter, sort: { key: SortKey; desc?: boolean }) {
    const visits = await this.monitored(p, filter);
    const stages = stagesFor(p);
    return { visits, stages, ...overview(visits, this.now(), filter, sort, stages) };
  }

  async compliance(p: Principal) {
    return compliance(await this.monitored(p), this.now());
  }

  /**
   * What the overview and the compliance table read. The Committee's side sees every visit with its
   * stage and items as they are (their views copy them), so it reads the store's small summaries,
   * filtered in the store by State, stage and lateness; a State reads its own visits through its view.
   */
  private async monitored(p: Principal, filter: OverviewFilter = {}): Promise<readonly Monitored[]> {
    if (p.role === 'state' || p.role === 'partner') return this.visible(p);
    const summaries = await this.deps.store().summaries({
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.stage ? { stage: filter.stage } : {}),
      ...(filter.overdue !== undefined ? { overdue: filter.overdue, now: new Date(this.now()).toISOString() } : {}),
    });
    return summaries.map(({ stateName, ...s }) => ({ ...s, ...(stateName ? { stateName } : {}) }));
  }

  /**
   * The annual list: each visit's reporting status with its own recommendations counted, and each
   * listed State's whole register counted (read from the registers of the States the caller sees).
   */
  async annual(c: Caller, year?: number) {
    const visits = await this.seenBy(c);
    const listed = annualReportingStatus(visits, this.now(), year);
    const records = listed.length
      ? await recordsOfStates(
          await this.deps.temporal(),
          listed.map((r) => r.state),
        )
      : [];
    const rows = annualReportingStatus(visits, this.now(), year, records);
    return { rows, states: annualStateProgress(rows, records) };
  }

  async overviewCsv(p: Principal, filter: OverviewFilter): Promise<string> {
    this.notForPartners(p);
    const { rows } = await this.overview(p, filter, { key: 'number' });
    return toCsv(rows as unknown as Record<string, unknown>[], OVERVIEW_COLUMNS);
  }

  async annualCsv(c: Caller, year?: number): Promise<string> {
    const { rows } = await this.annual(c, year);
    return toCsv(rows.map(annualCsvRecord), ANNUAL_COLUMNS);
  }

  /** Every visit, for the operator at the console; otherwise the visits the principal may see (partners: 403). */
  private async seenBy(c: Caller): Promise<readonly (Monitored & ConductedVisit)[]> {
    if (isOperator(c)) return this.deps.store().snapshots();
    this.notForPartners(c);
    return this.visible(c);
  }

  /** Appendix I of S/2020/99 with the follow-up's dates: the visits conducted, by number. */
  async visitsConducted(c: Caller, year?: number) {
    return visitsConducted(await this.seenBy(c), this.now(), year);
  }

  async visitsConductedCsv(p: Caller, year?: number): Promise<string> {
    return toCsv((await this.visitsConducted(p, year)) as unknown as Record<string, unknown>[], [...CONDUCTED_COLUMNS]);
  }

  /** The user's calendar: every open deadline in its scope. */
  async feed(p: Principal): Promise<string> {
    const name = `Visit follow-up deadlines (${p.email})`;
    return calendarFile(name, deadlineEvents(await this.visible(p)), new Date(this.now()));
  }

  /** Today's date in New York (titles of the annual list). */
  today(): string {
    return newYorkDate(this.now());
  }

  /** Runs a scheduled digest now, as the schedule would. */
  async triggerDigest(id: ScheduleId): Promise<void> {
    await triggerSchedule(await this.deps.temporal(), id);
  }

  /** Visits on which the read model and Temporal disagree; and how many the store holds. */
  async drift() {
    const store = await this.deps.store().snapshots();
    return { drift: findDrift(await listVisits(await this.deps.temporal()), store), inStore: store.length };
  }

  /** Messages written to the outbox folder (no SMTP server configured). */
  outbox() {
    return { dir: this.deps.outboxDir, entries: listOutbox(this.deps.outboxDir) };
  }
}

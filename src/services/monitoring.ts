/**
 * What the secretariat monitors, read from the store's read model: the overview, guideline
 * compliance, the annual reporting status, their CSV exports, calendar feeds, the messages sent,
 * the scheduled digests, and the drift between the read model and Temporal.
 */
import { newYorkDate } from '../domain/calendar';
import {
  annualReportingStatus,
  compliance,
  overview,
  type OverviewFilter,
  type Snapshot,
  type SortKey,
} from '../domain/monitoring';
import { mayRead, type Principal } from '../domain/permissions';
import { toCsv } from '../infra/csv';
import { calendarFile, type CalendarEvent } from '../infra/ics';
import { listOutbox } from '../infra/mail';
import { triggerSchedule, type ScheduleId } from '../infra/temporal/schedules';
import { listVisits } from '../infra/temporal/visits';
import type { ServiceDeps } from './context';
import { findDrift } from './drift';
import { AppError } from './errors';

const OVERVIEW_COLUMNS = [
  ...['id', 'number', 'state', 'stateName', 'region', 'type', 'year', 'stage'],
  ...['nextItem', 'nextDeadline', 'daysLeft', 'overdue', 'overdueItems', 'openItems'],
];
const ANNUAL_COLUMNS = ['stateName', 'state', 'id', 'visitYear', 'status', 'due', 'submitted'];

/** Every open deadline of the snapshots as a calendar event on its deadline (an hour long). */
export function deadlineEvents(snapshots: Snapshot[]): CalendarEvent[] {
  return snapshots.flatMap((s) =>
    s.openItems
      .filter((o) => o.deadline !== null)
      .map((o) => {
        const due = Date.parse(o.deadline!);
        return {
          uid: `${s.id}-${o.item}@visit-follow-up`,
          start: new Date(due - 3_600_000),
          end: new Date(due),
          summary: `${s.id} ${s.stateName ?? s.state}: ${o.item} due`,
          description: `Visit ${s.id} (${s.type}), stage ${s.stage}. Deadline ${o.deadline}.`,
          // Minutes since 2020: grows when a deadline moves later, fits the 32-bit field for millennia.
          sequence: Math.max(0, Math.floor((due - Date.UTC(2020, 0, 1)) / 60_000)),
        };
      }),
  );
}

export function monitoringService(deps: ServiceDeps) {
  const now = deps.now ?? Date.now;

  /** The snapshots the principal may see in full: a partner sees no internal detail at all. */
  const visible = (p: Principal): Snapshot[] =>
    p.role === 'partner'
      ? []
      : deps
          .store()
          .snapshots()
          .filter((s) => mayRead(p, s));

  const notForPartners = (p: Principal) => {
    if (p.role === 'partner') {
      throw new AppError('forbidden', 'partners see the reports States chose to share, on the overview page');
    }
  };

  const overviewFor = (p: Principal, filter: OverviewFilter, sort: { key: SortKey; desc?: boolean }) => {
    const snapshots = visible(p);
    return { snapshots, ...overview(snapshots, now(), filter, sort) };
  };

  const annualFor = (p: Principal, year?: number) => annualReportingStatus(visible(p), now(), year);

  return {
    now,
    notForPartners,
    visible,
    /** The adopted reports a partner may see: the States consented to share them. */
    shared: (p: Principal): Snapshot[] =>
      deps
        .store()
        .snapshots()
        .filter((s) => mayRead(p, s)),
    overview: overviewFor,
    compliance: (p: Principal) => compliance(visible(p), now()),
    annual: annualFor,
    /** Every message and notice sent about a visit. */
    messages: (visitId: string) => deps.store().messages(visitId),

    overviewCsv(p: Principal, filter: OverviewFilter): string {
      notForPartners(p);
      const { rows } = overviewFor(p, filter, { key: 'number' });
      return toCsv(rows as unknown as Record<string, unknown>[], OVERVIEW_COLUMNS);
    },

    annualCsv(p: Principal, year?: number): string {
      notForPartners(p);
      return toCsv(annualFor(p, year) as unknown as Record<string, unknown>[], ANNUAL_COLUMNS);
    },

    /** The user's calendar: every open deadline in its scope. */
    feed(p: Principal): string {
      const stamp = new Date(now());
      return calendarFile(`Visit follow-up deadlines (${p.email})`, deadlineEvents(visible(p)), stamp);
    },

    /** The annual list's title as of now. */
    today: () => newYorkDate(now()),

    /** Runs a scheduled digest now, as the schedule would. */
    async triggerDigest(id: ScheduleId): Promise<void> {
      await triggerSchedule(await deps.temporal(), id);
    },

    /** Visits on which the read model and Temporal disagree; and how many the store holds. */
    async drift() {
      const store = deps.store().snapshots();
      return { drift: findDrift(await listVisits(await deps.temporal()), store), inStore: store.length };
    },

    /** Messages written to the outbox folder (no SMTP server configured). */
    outbox: () => ({ dir: deps.outboxDir, entries: listOutbox(deps.outboxDir) }),
  };
}
export type MonitoringService = ReturnType<typeof monitoringService>;

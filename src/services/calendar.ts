/**
 * The working-day calendar: the UN Headquarters holiday file, whether it reaches far enough past the
 * open deadlines, and publishing a corrected calendar to every open visit (each recomputes its
 * working-day deadlines from it and tells anyone whose deadline moved).
 */
import { createHash } from 'node:crypto';
import { publishCalendarUpdate, type CalendarPublication } from '../contract';
import { calendarCoverage, newYorkDate, type CalendarCoverage } from '../domain/calendar';
import type { Principal } from '../domain/permissions';
import type { Policy } from '../domain/policy';
import { TERMINAL_STAGES, type Stage } from '../domain/vocabulary';
import { calendarOf, HolidayFile, readHolidayFile, type HolidayYear } from '../infra/policy/loader';
import { listVisits, visitHandle } from '../infra/temporal/visits';
import type { AuditService } from './audit';
import { isOperator, type Caller, type CallerDoor, type ServiceDeps } from './context';
import { AppError, invalid, toAppError } from './errors';

/** Updates sent to visits at once when publishing. */
const PUBLISH_CONCURRENCY = 8;
/** How long the coverage of the read model's open deadlines is kept (the dashboard asks on every page). */
const COVERAGE_TTL_MS = 60_000;

/** What `followup calendar show` prints. */
export interface CalendarView {
  calendar: string;
  coveredUntil: string;
  /** Every year in the file, how it is sourced. */
  years: { year: number; status: HolidayYear['status']; circular: string | null; url: string | null }[];
  /** The year asked for (default: this year in New York). */
  requestedYear: number;
  /** That year, whole (closures, floating days, source); null when the file does not list it. */
  year: (HolidayYear & { number: number }) | null;
}

export interface PublishResult {
  /** The version label the visits record: coveredUntil and a hash of the calendar. */
  version: string;
  coveredUntil: string;
  /** Open visits when the publication started. */
  open: number;
  /** Visits that took the calendar now. */
  visits: number;
  /** Visits that already had this version (a publication repeated): nothing to do. */
  already: string[];
  /** Deadlines that moved, over all visits. */
  moved: number;
  /** Visits that did not take it, and why. */
  failed: { id: string; message: string }[];
}

/** Runs `work` on every item, at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class CalendarService {
  private cached: { at: number; coverage: CalendarCoverage } | undefined;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly audit: AuditService,
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** A holiday file (a parsed JSON object) validated, or the engine's own; a bad file is a 400 naming the field. */
  file(raw?: unknown): HolidayFile {
    if (raw === undefined) return readHolidayFile();
    const parsed = HolidayFile.safeParse(raw);
    if (!parsed.success) throw invalid('holiday file', parsed.error);
    return parsed.data;
  }

  /** The years a holiday file covers, its coveredUntil, and one year's closures and floating days (default: this year). */
  show(raw?: unknown, year = Number(newYorkDate(this.now).slice(0, 4))): CalendarView {
    const f = this.file(raw);
    const y = f.years.find((x) => x.year === year);
    return {
      calendar: f.calendar,
      coveredUntil: f.coveredUntil,
      years: f.years.map((x) => ({ year: x.year, status: x.status, circular: x.source.circular, url: x.source.url })),
      requestedYear: year,
      year: y ? { ...y, number: y.year } : null,
    };
  }

  /**
   * Sends the calendar (a holiday file, or the engine's own) to every open visit, a few at a time.
   * Each visit recomputes its working-day deadlines, records that it did and notifies anyone whose
   * deadline moved; a visit takes each version once. Only the operator publishes; the attempt is audited.
   */
  async publish(caller: Caller, raw?: unknown, door: CallerDoor = 'cli', fileName?: string): Promise<PublishResult> {
    if (!isOperator(caller)) throw new AppError('forbidden', 'only the operator publishes a calendar');
    const file = this.file(raw);
    const calendar = calendarOf(file);
    const hash = createHash('sha256').update(JSON.stringify(calendar)).digest('hex').slice(0, 12);
    const version = `${calendar.coveredUntil}/${hash}`;
    const publication: CalendarPublication = { calendar, publishedBy: caller.email, version };
    const client = await this.deps.temporal();
    const open = (await listVisits(client)).filter((v) => !TERMINAL_STAGES.includes(v.stage as Stage));
    type Outcome = { id: string; moved: number } | { id: string; already: true } | { id: string; error: string };
    const outcomes = await pool(open, PUBLISH_CONCURRENCY, async (v): Promise<Outcome> => {
      try {
        const r = await visitHandle(client, v.id).executeUpdate(publishCalendarUpdate, { args: [publication] });
        return { id: v.id, moved: r.moved };
      } catch (e) {
        const err = toAppError(e);
        if (err.code === 'not-allowed-now' && /already has calendar/.test(err.message))
          return { id: v.id, already: true };
        return { id: v.id, error: err.message };
      }
    });
    const failed = outcomes.flatMap((o) => ('error' in o ? [{ id: o.id, message: o.error }] : []));
    const result: PublishResult = {
      version,
      coveredUntil: file.coveredUntil,
      open: open.length,
      visits: outcomes.filter((o) => 'moved' in o).length,
      already: outcomes.flatMap((o) => ('already' in o ? [o.id] : [])),
      moved: outcomes.reduce((n, o) => n + ('moved' in o ? o.moved : 0), 0),
      failed,
    };
    await this.audit.record(
      {
        caller,
        door,
        action: 'publish-calendar',
        payload: { ...(fileName ? { file: fileName } : {}), ...result, failed: result.failed.map((f) => f.id) },
      },
      'accepted',
      result.failed.length ? `${result.failed.length} open visit(s) did not take it` : undefined,
    );
    this.cached = undefined;
    return result;
  }

  /** Whether the effective policy's calendar ends within 12 months of any of these open deadlines (ISO instants or ms). */
  coverage(openDeadlines: readonly (string | number)[], calendar: Policy['calendar'] = this.deps.policy.calendar) {
    return calendarCoverage(
      calendar,
      openDeadlines.map((d) => (typeof d === 'number' ? d : Date.parse(d))),
    );
  }

  /** The open deadlines of every open visit in the store's read model. */
  async openDeadlines(): Promise<string[]> {
    return (await this.deps.store().snapshots())
      .filter((s) => !TERMINAL_STAGES.includes(s.stage))
      .flatMap((s) => s.openItems.flatMap((o) => (o.deadline ? [o.deadline] : [])));
  }

  /** The coverage of the read model's open deadlines (kept a minute). */
  async current(): Promise<CalendarCoverage> {
    const now = this.now;
    if (!this.cached || now - this.cached.at > COVERAGE_TTL_MS)
      this.cached = { at: now, coverage: this.coverage(await this.openDeadlines()) };
    return this.cached.coverage;
  }

  /** The coverage the dashboard warns a signed-in person of: the Committee's side only, and only when it ends soon. */
  async coverageFor(p: Principal | null | undefined): Promise<CalendarCoverage | undefined> {
    if (!p || p.role === 'state' || p.role === 'partner') return undefined;
    const coverage = await this.current();
    return coverage.warning ? coverage : undefined;
  }

  /** The dashboard's banner for a signed-in person: the coverage warning, for the Committee's side only. */
  async bannerFor(p: Principal | null | undefined): Promise<string | undefined> {
    return (await this.coverageFor(p))?.warning ?? undefined;
  }
}

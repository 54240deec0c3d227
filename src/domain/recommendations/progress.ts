/**
 * How implementation is progressing, read from a State's register (or several): shares per theme
 * and per year of visit, the TA pipeline per partner with what waits on whom, and the counts per
 * State the annual list and a State's page show. Pure: the records come already projected for the
 * caller, so whatever is counted here is what the caller may see.
 *
 * What is counted: a recommendation counts toward the shares by CTED's assessed status
 * (implemented; largely or partially implemented = partly; not implemented = not; insufficient
 * information = unknown, the default until assessed). Two kinds are left out of the shares and
 * counted beside them, because neither says how far the State got: `no-longer-relevant` (closed
 * without being implemented) and superseded (a later recommendation carries the substance and is
 * counted in its place).
 */
import { newYorkDate } from '../calendar';
import {
  ASSESSED_STATUSES,
  REPORTED_STATUSES,
  TA_PARTNER_STATUSES,
  TA_STATUSES,
  THEMES,
  type AssessedStatus,
  type ReportedStatus,
  type TaPartnerStatus,
  type TaStatus,
  type Theme,
} from './model';

/** What progress reads of a recommendation (a register's record, or any role's view of it but a partner's). */
export interface ProgressRecord {
  theme: Theme;
  adoptedAt: string;
  visitEnd?: string | undefined;
  supersededBy: string | null;
  assessedStatus: { status: AssessedStatus };
}

/** What the counts per State read. */
export interface CountedRecord extends ProgressRecord {
  state: string;
  status: 'open' | 'closed';
  priority: boolean;
  reportedStatus: { status: ReportedStatus } | null;
  ta: { status: TaStatus } | null;
}

/** What the TA pipeline reads; a partner's view has no status, adoption or history (it lists only what was referred to it). */
export interface PipelineRecord {
  id: string;
  state: string;
  visit: string;
  theme: Theme;
  priority: boolean;
  taNeed: string | null;
  ta: {
    status: TaStatus;
    partners: readonly { partner: string; status: TaPartnerStatus; at: string; text?: string | undefined }[];
    answerBy: string | null;
  } | null;
  status?: 'open' | 'closed';
  adoptedAt?: string;
  history?: readonly { type: string; at: string }[];
}

/** The four parts of a progress bar, in the order they are drawn. */
export const PROGRESS_PARTS = ['implemented', 'partly', 'not', 'unknown'] as const;
export type ProgressPart = (typeof PROGRESS_PARTS)[number];

/** Which part of the bar each assessed status falls in (null: left out of the shares). */
export const PART_OF: Record<AssessedStatus, ProgressPart | null> = {
  implemented: 'implemented',
  'largely-implemented': 'partly',
  'partially-implemented': 'partly',
  'not-implemented': 'not',
  'insufficient-information': 'unknown',
  'no-longer-relevant': null,
};

export interface Progress {
  /** Recommendations in the shares (all but no-longer-relevant and superseded). */
  counted: number;
  implemented: number;
  partly: number;
  not: number;
  unknown: number;
  /** Closed as no longer relevant: beside the shares. */
  noLongerRelevant: number;
  /** Replaced by a later recommendation: beside the shares. */
  superseded: number;
  /** Each part's share of `counted` (0 to 1; all 0 when nothing is counted). */
  shares: Record<ProgressPart, number>;
}

export interface ThemeProgress extends Progress {
  theme: Theme;
}
export interface YearProgress extends Progress {
  year: number;
}

/** The progress of a set of recommendations. */
export function progressOf(records: readonly ProgressRecord[]): Progress {
  const n = { implemented: 0, partly: 0, not: 0, unknown: 0, noLongerRelevant: 0, superseded: 0 };
  for (const r of records) {
    if (r.supersededBy !== null) n.superseded++;
    else {
      const part = PART_OF[r.assessedStatus.status];
      if (part) n[part]++;
      else n.noLongerRelevant++;
    }
  }
  const counted = n.implemented + n.partly + n.not + n.unknown;
  const share = (k: ProgressPart) => (counted ? n[k] / counted : 0);
  return {
    counted,
    ...n,
    shares: {
      implemented: share('implemented'),
      partly: share('partly'),
      not: share('not'),
      unknown: share('unknown'),
    },
  };
}

/** Every theme in THEMES order, each with its progress (a theme with no recommendation counts zero). */
export function progressByTheme(records: readonly ProgressRecord[]): ThemeProgress[] {
  return THEMES.map((theme) => ({ theme, ...progressOf(records.filter((r) => r.theme === theme)) }));
}

/** The year of the visit a recommendation came from: its last day's, else the New York year of adoption. */
export const visitYearOf = (r: ProgressRecord): number =>
  Number((r.visitEnd ?? newYorkDate(Date.parse(r.adoptedAt))).slice(0, 4));

/** Progress per year of visit, the years that have recommendations, oldest first. */
export function progressByYear(records: readonly ProgressRecord[]): YearProgress[] {
  const years = [...new Set(records.map(visitYearOf))].sort((a, b) => a - b);
  return years.map((year) => ({ year, ...progressOf(records.filter((r) => visitYearOf(r) === year)) }));
}

/** Shares as whole percentages that add up to 100 (largest remainder), for the text beside a bar. */
export function percentages(shares: Record<ProgressPart, number>): Record<ProgressPart, number> {
  const total = PROGRESS_PARTS.reduce((s, k) => s + shares[k], 0);
  const out = { implemented: 0, partly: 0, not: 0, unknown: 0 };
  if (total === 0) return out;
  const exact = PROGRESS_PARTS.map((k) => ({ k, v: (shares[k] / total) * 100 }));
  for (const e of exact) out[e.k] = Math.floor(e.v);
  let left = 100 - PROGRESS_PARTS.reduce((s, k) => s + out[k], 0);
  for (const e of [...exact].sort((a, b) => b.v - Math.floor(b.v) - (a.v - Math.floor(a.v)))) {
    if (left-- <= 0) break;
    out[e.k]++;
  }
  return out;
}

/** Recommendation ids in the register's order: by visit number, then by number within the visit. */
export function compareRecommendationIds(a: string, b: string): number {
  const key = (id: string) => {
    const m = /^(\d+)-([A-Z]{3})\/R(\d+)$/.exec(id);
    return m ? [Number(m[1]), m[2]!, Number(m[3])] : [Number.MAX_SAFE_INTEGER, id, 0];
  };
  const [an, as, ar] = key(a) as [number, string, number];
  const [bn, bs, br] = key(b) as [number, string, number];
  return an - bn || as.localeCompare(bs) || ar - br;
}

/** Whom a TA need waits on, and for what. */
export type Waiting =
  { on: 'state'; for: 'agree' } | { on: 'cted'; for: 'refer' } | { on: 'partner'; for: 'answer' | 'deliver' };

/** A TA need as the pipeline lists it. */
export interface TaNeedEntry {
  recommendation: string;
  state: string;
  visit: string;
  theme: Theme;
  priority: boolean;
  taNeed: string;
  /** The need's own status (over all its partners). */
  status: TaStatus;
}

/** One partner's part in a referred need. */
export interface PartnerNeedEntry extends TaNeedEntry {
  partner: string;
  partnerStatus: TaPartnerStatus;
  /** Since when the partner's part has been at its status. */
  since: string;
  text?: string | undefined;
  /** When the partner's answer is due (while it has not answered). */
  answerBy: string | null;
  /** Past `answerBy` without an answer. */
  overdue: boolean;
  waiting: Waiting | null;
}

export interface PartnerPipeline {
  partner: string;
  needs: PartnerNeedEntry[];
  counts: Record<TaPartnerStatus, number>;
  overdue: number;
}

export interface WaitingNeed extends TaNeedEntry {
  waiting: Waiting;
  /** When the need got to where it waits (adoption, the State's agreement, the last decline). */
  since: string;
}

export interface TaPipeline {
  /** Partners in name order, each with the needs referred to it. */
  partners: PartnerPipeline[];
  /** Needs identified, not yet agreed by the State. */
  waitingOnState: WaitingNeed[];
  /** Needs agreed and not yet referred, or declined by every partner they were referred to. */
  waitingOnCted: WaitingNeed[];
}

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

function needEntry(r: PipelineRecord, status: TaStatus): TaNeedEntry {
  return {
    recommendation: r.id,
    state: r.state,
    visit: r.visit,
    theme: r.theme,
    priority: r.priority,
    taNeed: r.taNeed ?? '',
    status,
  };
}

/** What a partner's part waits on: its answer (by the day it is due) or its delivery; nothing once declined or delivered. */
function partnerWaiting(status: TaPartnerStatus): Waiting | null {
  if (status === 'referred') return { on: 'partner', for: 'answer' };
  if (status === 'accepted' || status === 'delivering') return { on: 'partner', for: 'deliver' };
  return null;
}

/** When a recommendation last took a step of this type (its history), else when it was adopted. */
function sinceOf(r: { history?: PipelineRecord['history']; adoptedAt: string }, type: string): string {
  return [...(r.history ?? [])].reverse().find((e) => e.type === type)?.at ?? r.adoptedAt;
}

/**
 * The TA pipeline: per partner, the needs referred to it with what each waits on (its answer by
 * `answerBy`, overdue once past it; its delivery), and the needs waiting on the State (to agree)
 * or on CTED (to refer; also when every partner declined). A closed recommendation's need that
 * was never referred waits on no one.
 */
export function taPipeline(records: readonly PipelineRecord[], nowMs: number): TaPipeline {
  const byPartner = new Map<string, PartnerNeedEntry[]>();
  const waitingOnState: WaitingNeed[] = [];
  const waitingOnCted: WaitingNeed[] = [];
  const sorted = [...records].sort((a, b) => compareRecommendationIds(a.id, b.id));
  for (const r of sorted) {
    if (!r.ta) continue;
    const need = needEntry(r, r.ta.status);
    for (const p of r.ta.partners) {
      const answerBy = p.status === 'referred' ? r.ta.answerBy : null;
      const entry: PartnerNeedEntry = {
        ...need,
        partner: p.partner,
        partnerStatus: p.status,
        since: p.at,
        ...(p.text === undefined ? {} : { text: p.text }),
        answerBy,
        overdue: answerBy !== null && Date.parse(answerBy) < nowMs,
        waiting: partnerWaiting(p.status),
      };
      byPartner.set(p.partner, [...(byPartner.get(p.partner) ?? []), entry]);
    }
    const { status, adoptedAt } = r;
    // A partner's view (no status) or a closed recommendation: nothing waits on the State or CTED.
    if (status !== 'open' || adoptedAt === undefined) continue;
    if (r.ta.status === 'identified') {
      waitingOnState.push({ ...need, waiting: { on: 'state', for: 'agree' }, since: adoptedAt });
    } else if (r.ta.status === 'agreed') {
      const since = sinceOf({ history: r.history, adoptedAt }, 'ta-agreed');
      waitingOnCted.push({ ...need, waiting: { on: 'cted', for: 'refer' }, since });
    } else if (r.ta.status === 'declined') {
      const last =
        r.ta.partners
          .map((p) => p.at)
          .sort()
          .at(-1) ?? adoptedAt;
      waitingOnCted.push({ ...need, waiting: { on: 'cted', for: 'refer' }, since: last });
    }
  }
  const partners = [...byPartner.keys()].sort().map((partner) => {
    const needs = byPartner.get(partner)!;
    const counts = zeroes(TA_PARTNER_STATUSES);
    for (const n of needs) counts[n.partnerStatus]++;
    return { partner, needs, counts, overdue: needs.filter((n) => n.overdue).length };
  });
  return { partners, waitingOnState, waitingOnCted };
}

/** The State's reported statuses, and none reported yet. */
export const REPORTED_OR_NONE = [...REPORTED_STATUSES, 'not-reported'] as const;

/** A State's recommendations counted (the annual list, the State's page). */
export interface StateCounts {
  state: string;
  total: number;
  /** By CTED's assessed status (superseded ones by the status they had). */
  byAssessed: Record<AssessedStatus, number>;
  /** By the State's last reported status; `not-reported` when it has reported nothing yet. */
  byReported: Record<(typeof REPORTED_OR_NONE)[number], number>;
  open: number;
  /** Closed: implemented, no longer relevant or superseded. */
  closed: number;
  superseded: number;
  /** Priority recommendations still open. */
  priorityOpen: number;
  /** TA needs by the need's status. */
  ta: Record<TaStatus, number>;
}

/** Per State (in ISO3 order), its recommendations by status, open and closed, priority open, and its TA needs by status. */
export function registerCounts(records: readonly CountedRecord[]): StateCounts[] {
  const states = [...new Set(records.map((r) => r.state))].sort();
  return states.map((state) => {
    const own = records.filter((r) => r.state === state);
    const c: StateCounts = {
      state,
      total: own.length,
      byAssessed: zeroes(ASSESSED_STATUSES),
      byReported: zeroes(REPORTED_OR_NONE),
      open: 0,
      closed: 0,
      superseded: 0,
      priorityOpen: 0,
      ta: zeroes(TA_STATUSES),
    };
    for (const r of own) {
      c.byAssessed[r.assessedStatus.status]++;
      c.byReported[r.reportedStatus?.status ?? 'not-reported']++;
      c[r.status]++;
      if (r.supersededBy !== null) c.superseded++;
      if (r.priority && r.status === 'open') c.priorityOpen++;
      if (r.ta) c.ta[r.ta.status]++;
    }
    return c;
  });
}

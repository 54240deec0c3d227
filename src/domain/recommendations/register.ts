/**
 * A State's register of recommendations: every recommendation of every visit of the State, both
 * statuses, the TA loop and a dated, attributed history. Pure: the register workflow keeps one in
 * memory, applies each `RegisterChange` once (by `<visit id>#<seq>`) and hands it to its next run.
 *
 * History entries are kept compact (type, when, who, and a small `detail` without the long texts,
 * which live in the current statuses): thousands of changes must fit in one Temporal payload.
 */
import {
  CLOSING_ASSESSMENTS,
  recommendationIdOf,
  stateOfRecommendation,
  type Attribution,
  type EarlierRecommendation,
  type RecommendationInput,
  type RecommendationRecord,
  type RegisterChange,
  type RegisterState,
  type TaPartnerStatus,
  type TaStatus,
} from './model';

type Change<T extends RegisterChange['type']> = Extract<RegisterChange, { type: T }>;
type Ta = NonNullable<RecommendationRecord['ta']>;
type PartnerEntry = Ta['partners'][number];
type HistoryEntry = RecommendationRecord['history'][number];
type Index = Map<string, RecommendationRecord>;

export function emptyRegister(state: string): RegisterState {
  return { state, records: [], lastSeq: {}, changes: 0 };
}

/** `<visit id>#<seq>` as its parts; undefined when the key is not of that form. */
export function parseChangeKey(key: string): { visit: string; seq: number } | undefined {
  const m = /^(.+)#(\d{1,9})$/.exec(key);
  return m ? { visit: m[1]!, seq: Number(m[2]) } : undefined;
}

/**
 * Applies one change to the register, in place. A change whose seq is not after the last one
 * applied for its visit was applied before (a retried activity): it is ignored and false returned.
 * Recommendation ids the register does not hold are passed over; the others are changed.
 */
export function applyChange(reg: RegisterState, change: RegisterChange): boolean {
  const key = parseChangeKey(change.key);
  if (!key || key.seq <= (reg.lastSeq[key.visit] ?? 0)) return false;
  const index: Index = new Map(reg.records.map((r) => [r.id, r]));
  switch (change.type) {
    case 'recommendations-adopted':
      adopt(reg, index, change);
      break;
    case 'progress-reported':
      reportProgress(index, change);
      break;
    case 'assessed':
      assess(index, change);
      break;
    case 'ta-agreed':
      agreeTa(index, change);
      break;
    case 'ta-referred':
      referTa(index, change);
      break;
    case 'ta-response':
    case 'ta-delivery':
      partnerStep(index, change);
      break;
  }
  reg.lastSeq[key.visit] = key.seq;
  reg.changes++;
  return true;
}

/** The history entry a change leaves on a record: who, when, and a small detail. */
function entryOf(change: Attribution & { type: string }, detail?: Record<string, unknown>, type = change.type) {
  const e: HistoryEntry = { type, at: change.at, by: change.by };
  if (change.onBehalfOf !== undefined) e.onBehalfOf = change.onBehalfOf;
  if (change.reference !== undefined) e.reference = change.reference;
  if (detail) e.detail = detail;
  return e;
}

const statusAfterAssessment = (r: RecommendationRecord): 'open' | 'closed' =>
  r.supersededBy !== null || CLOSING_ASSESSMENTS.includes(r.assessedStatus.status) ? 'closed' : 'open';

const untouchedTa = (ta: Ta | null) => ta === null || (ta.status === 'identified' && ta.partners.length === 0);
const newTa = (): Ta => ({ status: 'identified', partners: [], answerBy: null });

/** A record not yet changed since its adoption (a return-to-cted may still replace it whole). */
const untouched = (r: RecommendationRecord) => r.history.every((h) => h.type === 'recommendations-adopted');

/**
 * The Committee's adoption: the visit's recommendations enter the register. A visit adopting
 * again (CTED amended them after a return-to-cted) replaces its records: content, TA need and what
 * they supersede; statuses already reported or assessed stay. Its records absent from the new list
 * go if nothing happened to them yet.
 */
function adopt(reg: RegisterState, index: Index, change: Change<'recommendations-adopted'>): void {
  const visit = change.visit;
  if (!/^\d{1,5}-[A-Z]{3}$/.test(visit) || stateOfRecommendation(`${visit}/R1`) !== reg.state) return;
  const ids = new Set(change.recommendations.map((r) => recommendationIdOf(visit, r.number)));
  for (const gone of reg.records.filter((r) => r.visit === visit && !ids.has(r.id) && untouched(r))) {
    withdrawSupersedes(index, gone, [], change);
    index.delete(gone.id);
  }
  reg.records = reg.records.filter((r) => r.visit !== visit || index.has(r.id));
  for (const input of change.recommendations) {
    const id = recommendationIdOf(visit, input.number);
    const earlier = index.get(id);
    const record = earlier ? amend(index, earlier, input, change) : adopted(reg.state, id, input, change);
    if (!earlier) {
      reg.records.push(record);
      index.set(id, record);
    }
    supersede(index, record, change);
  }
}

function adopted(
  state: string,
  id: string,
  input: RecommendationInput,
  change: Change<'recommendations-adopted'>,
): RecommendationRecord {
  return {
    id,
    visit: change.visit,
    state,
    number: input.number,
    text: input.text,
    theme: input.theme,
    priority: input.priority,
    taNeed: input.taNeed ?? null,
    adoptedAt: change.at,
    ...(change.visitEnd ? { visitEnd: change.visitEnd } : {}),
    reportedStatus: null,
    assessedStatus: { status: 'insufficient-information', at: change.at, by: change.by },
    status: 'open',
    supersededBy: null,
    supersedes: [...(input.supersedes ?? [])],
    ta: input.taNeed ? newTa() : null,
    history: [entryOf(change)],
  };
}

/** A recommendation adopted again: new content, statuses kept. */
function amend(
  index: Index,
  r: RecommendationRecord,
  input: RecommendationInput,
  change: Change<'recommendations-adopted'>,
): RecommendationRecord {
  const supersedes = [...(input.supersedes ?? [])];
  withdrawSupersedes(index, r, supersedes, change);
  const fresh = untouched(r);
  Object.assign(r, {
    text: input.text,
    theme: input.theme,
    priority: input.priority,
    taNeed: input.taNeed ?? null,
    supersedes,
    ...(fresh
      ? { adoptedAt: change.at, assessedStatus: { status: 'insufficient-information', at: change.at, by: change.by } }
      : {}),
    ...(change.visitEnd ? { visitEnd: change.visitEnd } : {}),
  });
  if (!input.taNeed && untouchedTa(r.ta)) r.ta = null;
  else if (input.taNeed && !r.ta) r.ta = newTa();
  r.history.push(entryOf(change, { amended: true }));
  return r;
}

/** Closes each earlier recommendation the record supersedes. */
function supersede(index: Index, record: RecommendationRecord, change: Change<'recommendations-adopted'>): void {
  for (const id of record.supersedes) {
    const earlier = index.get(id);
    if (!earlier || earlier === record || earlier.supersededBy === record.id) continue;
    earlier.supersededBy = record.id;
    earlier.status = 'closed';
    earlier.history.push(entryOf(change, { supersededBy: record.id }, 'superseded'));
  }
}

/** Reopens the earlier recommendations an amended record no longer supersedes. */
function withdrawSupersedes(
  index: Index,
  record: RecommendationRecord,
  still: readonly string[],
  change: Change<'recommendations-adopted'>,
): void {
  for (const id of record.supersedes.filter((s) => !still.includes(s))) {
    const earlier = index.get(id);
    if (!earlier || earlier.supersededBy !== record.id) continue;
    earlier.supersededBy = null;
    earlier.status = statusAfterAssessment(earlier);
    earlier.history.push(entryOf(change, { supersededBy: null, was: record.id }, 'supersede-withdrawn'));
  }
}

function reportProgress(index: Index, change: Change<'progress-reported'>): void {
  const { at, by, onBehalfOf, reference } = change;
  for (const item of change.items) {
    const r = index.get(item.recommendation);
    if (!r) continue;
    r.reportedStatus = {
      status: item.status,
      ...(item.text !== undefined ? { text: item.text } : {}),
      at,
      by,
      ...(onBehalfOf !== undefined ? { onBehalfOf } : {}),
      ...(reference !== undefined ? { reference } : {}),
    };
    r.history.push(entryOf(change, { status: item.status }));
  }
}

/** CTED's assessment; implemented or no longer relevant closes it, any other reopens it (unless superseded). */
function assess(index: Index, change: Change<'assessed'>): void {
  const { at, by, onBehalfOf, reference } = change;
  for (const item of change.items) {
    const r = index.get(item.recommendation);
    if (!r) continue;
    r.assessedStatus = {
      status: item.status,
      ...(item.note !== undefined ? { note: item.note } : {}),
      at,
      by,
      ...(onBehalfOf !== undefined ? { onBehalfOf } : {}),
      ...(reference !== undefined ? { reference } : {}),
    };
    r.status = statusAfterAssessment(r);
    r.history.push(entryOf(change, { status: item.status }));
  }
}

function agreeTa(index: Index, change: Change<'ta-agreed'>): void {
  for (const id of change.recommendations) {
    const r = index.get(id);
    if (!r) continue;
    r.ta ??= newTa();
    // Agreeing again after the referral does not take the need back.
    if (r.ta.status === 'identified') r.ta.status = 'agreed';
    r.history.push(entryOf(change));
  }
}

function referTa(index: Index, change: Change<'ta-referred'>): void {
  for (const id of change.recommendations) {
    const r = index.get(id);
    if (!r) continue;
    const ta = (r.ta ??= newTa());
    for (const partner of change.partners) {
      const entry: PartnerEntry = { partner, status: 'referred', at: change.at };
      const i = ta.partners.findIndex((p) => p.partner === partner);
      if (i >= 0) ta.partners[i] = entry;
      else ta.partners.push(entry);
    }
    ta.answerBy = change.answerBy;
    ta.status = taStatusOf(ta);
    r.history.push(entryOf(change, { partners: change.partners, answerBy: change.answerBy }));
  }
}

/** A partner's answer (accepted, declined) or delivery (delivering, delivered). */
function partnerStep(index: Index, change: Change<'ta-response'> | Change<'ta-delivery'>): void {
  const r = index.get(change.recommendation);
  if (!r) return;
  const ta = (r.ta ??= newTa());
  const status = change.type === 'ta-response' ? change.response : change.status;
  const text = change.type === 'ta-response' ? change.note : change.text;
  const entry: PartnerEntry = { partner: change.partner, status, at: change.at, ...(text ? { text } : {}) };
  const i = ta.partners.findIndex((p) => p.partner === change.partner);
  if (i >= 0) ta.partners[i] = entry;
  else ta.partners.push(entry);
  ta.status = taStatusOf(ta);
  r.history.push(entryOf(change, { partner: change.partner, status }));
}

/**
 * A need's status from its partners: delivered when any partner delivered, else delivering when any
 * is, else accepted when any accepted, declined when all declined, referred otherwise. Before any
 * referral it stays identified or agreed.
 */
export function taStatusOf<T extends Pick<Ta, 'status'> & { partners: readonly { status: TaPartnerStatus }[] }>(
  ta: T,
): TaStatus {
  const ps = ta.partners.map((p) => p.status);
  if (ps.length === 0) return ta.status === 'agreed' ? 'agreed' : 'identified';
  if (ps.includes('delivered')) return 'delivered';
  if (ps.includes('delivering')) return 'delivering';
  if (ps.includes('accepted')) return 'accepted';
  if (ps.every((s) => s === 'declined')) return 'declined';
  return 'referred';
}

export interface RecordFilter {
  state?: string | undefined;
  visit?: string | undefined;
  status?: 'open' | 'closed' | undefined;
  /** true: priority recommendations only; false: the others only. */
  priority?: boolean | undefined;
}

const visitNumber = (visit: string) => Number(visit.slice(0, visit.indexOf('-')));

/** In register order: by visit number (then visit id), then recommendation number. */
export function byVisitThenNumber(a: RecommendationRecord, b: RecommendationRecord): number {
  return (
    visitNumber(a.visit) - visitNumber(b.visit) ||
    (a.visit < b.visit ? -1 : a.visit > b.visit ? 1 : 0) ||
    a.number - b.number
  );
}

export function filterRecords(records: readonly RecommendationRecord[], f: RecordFilter = {}): RecommendationRecord[] {
  return records
    .filter(
      (r) =>
        (f.state === undefined || r.state === f.state) &&
        (f.visit === undefined || r.visit === f.visit) &&
        (f.status === undefined || r.status === f.status) &&
        (f.priority === undefined || r.priority === f.priority),
    )
    .sort(byVisitThenNumber);
}

/** The open recommendations a follow-up visit starts from, in register order. */
export function openRecommendations(records: readonly RecommendationRecord[]): EarlierRecommendation[] {
  return filterRecords(records, { status: 'open' }).map((r) => ({
    id: r.id,
    text: r.text,
    theme: r.theme,
    priority: r.priority,
    assessedStatus: r.assessedStatus.status,
  }));
}

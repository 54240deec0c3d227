/**
 * A visit's recommendations and TA needs (rules 3): recorded with the final draft, fixed by the
 * Committee's adoption, then reported on by the State, assessed by CTED, and, for the needs the
 * State agreed, referred to partners who answer within the policy's clock and report delivery.
 * Every change also goes to the State's register, keyed `<visit id>#<seq>` so it lands once.
 */
import { ACTION_PAYLOADS, type ActionPayload } from '../actions';
import type { Policy } from '../policy';
import { DEFAULT_TA_RESPONSE } from '../policy';
import {
  recommendationIdOf,
  stateOfRecommendation,
  visitOfRecommendation,
  type RegisterChange,
} from '../recommendations/model';
import { taStatusOf } from '../recommendations/register';
import type { ActionName, Recipient, VisitType } from '../vocabulary';
import { closeItem, deadlineAfter, isOpen, openItem } from './clocks';
import { iso, notify } from './events';
import type { ActionCommand, Effects, UncheckedCommand, VisitEvent, VisitState } from './state';

/** Which parts of the follow-up a visit type has (rules 3; earlier visits keep the whole track). */
export interface Track {
  recommendations: boolean;
  /** The State's 6-month implementation report. */
  stateReport: boolean;
  /** CTED's 12-month follow-up report: after an initial (comprehensive or focused) assessment. */
  ctedReport: boolean;
}

export function trackOf(state: Pick<VisitState, 'rules'> & { visit: { type: VisitType } }): Track {
  if (state.rules < 3) return { recommendations: false, stateReport: true, ctedReport: true };
  const advocacy = state.visit.type === 'advocacy';
  return {
    recommendations: !advocacy,
    stateReport: !advocacy,
    ctedReport: !advocacy && state.visit.type !== 'follow-up',
  };
}

/** A change to the State's register, numbered in the visit's order. */
type ChangeWithoutKey = RegisterChange extends infer C ? (C extends RegisterChange ? Omit<C, 'key'> : never) : never;

export function toRegister(state: VisitState, effects: Effects, change: ChangeWithoutKey): void {
  state.registerSeq = (state.registerSeq ?? 0) + 1;
  (effects.register ??= []).push({ ...change, key: `${state.visit.id}#${state.registerSeq}` } as RegisterChange);
}

/** Who took a step, when, and for whom (a State's or a partner's word recorded by CTED). */
function attribution(cmd: Pick<UncheckedCommand, 'actor'>, nowMs: number, onBehalfOf?: string, reference?: string) {
  return {
    at: iso(nowMs),
    by: cmd.actor.email,
    ...(onBehalfOf ? { onBehalfOf } : {}),
    ...(reference ? { reference } : {}),
  };
}

const own = (state: VisitState) => (state.adoptedAt ? (state.recommendations ?? []) : []);
const byId = (state: VisitState, id: string) => own(state).find((r) => r.id === id);
const partnersOf = (state: VisitState) => own(state).flatMap((r) => r.ta?.partners ?? []);

/** The partners whose answer to a referral is still awaited. */
export function pendingTaPartners(state: VisitState): string[] {
  return [
    ...new Set(
      partnersOf(state)
        .filter((p) => p.status === 'referred')
        .map((p) => p.partner),
    ),
  ].sort();
}

/** The answer clock follows the earliest answer still awaited; it closes once every partner answered. */
function syncTaClock(state: VisitState, nowMs: number, policy: Policy): void {
  const pending = partnersOf(state).filter((p) => p.status === 'referred');
  if (!pending.length) {
    closeItem(state, 'ta-response', nowMs, 'answered');
    return;
  }
  const earliest = Math.min(...pending.map((p) => Date.parse(p.answerBy)));
  const item = isOpen(state, 'ta-response')
    ? state.items['ta-response']!
    : openItem(state, 'ta-response', nowMs, policy);
  item.deadline = earliest;
}

/** Adoption fixes the recommendations and puts them in the State's register. */
export function adoptRecommendations(state: VisitState, effects: Effects, atMs: number, by: string): void {
  const recs = state.recommendations ?? [];
  if (state.rules < 3 || !recs.length) return;
  toRegister(state, effects, {
    type: 'recommendations-adopted',
    visit: state.visit.id,
    visitEnd: state.visit.end,
    recommendations: recs.map(({ number, text, theme, priority, taNeed, supersedes }) => ({
      number,
      text,
      theme,
      priority,
      ...(taNeed ? { taNeed } : {}),
      ...(supersedes?.length ? { supersedes } : {}),
    })),
    at: iso(atMs),
    by,
  });
}

/** The State's steps per recommendation, alone or with its implementation report. */
export function recordProgress(
  state: VisitState,
  effects: Effects,
  cmd: ActionCommand<'report-progress' | 'submit-implementation-report'>,
  items: ActionPayload<'report-progress'>['items'],
  nowMs: number,
): void {
  const who = attribution(cmd, nowMs, cmd.payload.onBehalfOf, cmd.payload.reference);
  for (const it of items) {
    const rec = byId(state, it.recommendation)!;
    rec.reported = { status: it.status, ...(it.text ? { text: it.text } : {}), ...who };
  }
  toRegister(state, effects, { type: 'progress-reported', items, ...who });
}

type Step<A extends ActionName> = {
  state: VisitState;
  cmd: ActionCommand<A>;
  nowMs: number;
  policy: Policy;
  effects: Effects;
  record: (payload?: Record<string, unknown>) => VisitEvent;
};
type Transitions<K extends ActionName> = { readonly [A in K]: (step: Step<A>) => void };

/** The transitions of the actions on recommendations and TA needs. */
export const RECOMMENDATION_TRANSITIONS: Transitions<
  | 'record-recommendations'
  | 'report-progress'
  | 'assess-recommendation'
  | 'agree-ta-needs'
  | 'record-ta-response'
  | 'record-ta-delivery'
> = {
  'record-recommendations': ({ state, cmd, record }) => {
    const { recommendations, note } = cmd.payload;
    state.recommendations = recommendations.map((r) => ({
      ...r,
      id: recommendationIdOf(state.visit.id, r.number),
      ...(r.taNeed ? { ta: { status: 'identified' as const, partners: [] } } : {}),
    }));
    // The list is in the status; the history says how many and why.
    record({
      count: recommendations.length,
      priority: recommendations.filter((r) => r.priority).length,
      ...(note ? { note } : {}),
    });
  },
  'report-progress': ({ state, effects, cmd, nowMs, record }) => {
    recordProgress(state, effects, cmd, cmd.payload.items, nowMs);
    notify(state, effects, record(), 'progress-reported', ['case-officer'], {
      details: { recommendations: cmd.payload.items.map((i) => `${i.recommendation}: ${i.status}`) },
    });
  },
  'assess-recommendation': ({ state, effects, cmd, nowMs, record }) => {
    const who = attribution(cmd, nowMs);
    for (const it of cmd.payload.items) {
      const assessed = { status: it.status, ...(it.note ? { note: it.note } : {}), at: who.at, by: who.by };
      const rec = byId(state, it.recommendation) ?? state.earlier?.find((e) => e.id === it.recommendation);
      rec!.assessed = assessed;
    }
    toRegister(state, effects, { type: 'assessed', items: cmd.payload.items, ...who });
    record();
  },
  'agree-ta-needs': ({ state, effects, cmd, nowMs, record }) => {
    const who = attribution(cmd, nowMs, cmd.payload.onBehalfOf, cmd.payload.reference);
    for (const id of cmd.payload.recommendations) {
      const ta = byId(state, id)!.ta!;
      ta.status = 'agreed';
      ta.agreedAt = who.at;
    }
    toRegister(state, effects, { type: 'ta-agreed', recommendations: cmd.payload.recommendations, ...who });
    notify(state, effects, record(), 'ta-needs-agreed', ['case-officer'], {
      details: { recommendations: cmd.payload.recommendations },
    });
  },
  'record-ta-response': ({ state, effects, cmd, nowMs, policy, record }) => {
    const { recommendation, partner, response, note } = cmd.payload;
    const ta = byId(state, recommendation)!.ta!;
    const part = ta.partners.find((p) => p.partner === partner)!;
    Object.assign(part, { status: response, at: iso(nowMs), ...(note ? { text: note } : {}) });
    ta.status = taStatusOf(ta);
    syncTaClock(state, nowMs, policy);
    const who = attribution(cmd, nowMs, onBehalfOfPartner(cmd, partner));
    toRegister(state, effects, {
      type: 'ta-response',
      recommendation,
      partner,
      response,
      ...(note ? { note } : {}),
      ...who,
    });
    notify(state, effects, record(), 'ta-response-recorded', ['case-officer'], {
      details: { recommendation, partner, response, note },
    });
  },
  'record-ta-delivery': ({ state, effects, cmd, nowMs, record }) => {
    const { recommendation, partner, status, text } = cmd.payload;
    const ta = byId(state, recommendation)!.ta!;
    const part = ta.partners.find((p) => p.partner === partner)!;
    Object.assign(part, { status, at: iso(nowMs), ...(text ? { text } : {}) });
    ta.status = taStatusOf(ta);
    const who = attribution(cmd, nowMs, onBehalfOfPartner(cmd, partner));
    toRegister(state, effects, {
      type: 'ta-delivery',
      recommendation,
      partner,
      status,
      ...(text ? { text } : {}),
      ...who,
    });
    const to: Recipient[] = status === 'delivered' ? ['case-officer', 'secretariat'] : ['case-officer'];
    notify(state, effects, record(), 'ta-delivery-recorded', to, {
      details: { recommendation, partner, status, text },
    });
  },
};

/** A partner's word recorded by someone not of that partner (CTED) names the partner. */
function onBehalfOfPartner(cmd: Pick<UncheckedCommand, 'actor'>, partner: string): string | undefined {
  return cmd.actor.role === 'partner' ? undefined : partner;
}

/** Rules 3: refers named recommendations' agreed needs to partners, each with an answer clock. */
export function referNeeds(
  state: VisitState,
  effects: Effects,
  cmd: ActionCommand<'refer-ta'>,
  nowMs: number,
  policy: Policy,
  ev: VisitEvent,
): void {
  const ids = cmd.payload.recommendations ?? [];
  const answerBy = deadlineAfter(state, nowMs, policy.clocks['ta-response'] ?? DEFAULT_TA_RESPONSE, policy);
  for (const id of ids) {
    const ta = byId(state, id)!.ta!;
    for (const partner of cmd.payload.partners) {
      ta.partners.push({
        partner,
        status: 'referred',
        referredAt: iso(nowMs),
        answerBy: iso(answerBy),
        at: iso(nowMs),
      });
    }
    ta.status = taStatusOf(ta);
  }
  syncTaClock(state, nowMs, policy);
  toRegister(state, effects, {
    type: 'ta-referred',
    recommendations: ids,
    partners: cmd.payload.partners,
    answerBy: iso(answerBy),
    ...attribution(cmd, nowMs),
  });
  const needs = ids.map((id) => `${id}: ${byId(state, id)!.taNeed}`);
  for (const partner of cmd.payload.partners) {
    notify(state, effects, ev, 'ta-referral', [`partner:${partner}`], {
      keyPart: partner,
      deadline: iso(answerBy),
      details: { needs: needs.join('; '), recommendations: ids, answerBy: iso(answerBy) },
    });
  }
}

/** The actions on recommendations the visit allows now (rules 3). */
export function recommendationActions(state: VisitState): ActionName[] {
  if (state.rules < 3 || state.stage === 'withdrawn') return [];
  const out: ActionName[] = [];
  const early = ['drafting', 'state-review', 'finalizing'].includes(state.stage);
  if (early && trackOf(state).recommendations) out.push('record-recommendations');
  if (!state.adoptedAt) return out;
  const recs = own(state);
  if (recs.length && state.transmittedAt) out.push('report-progress');
  if (recs.length || state.earlier?.length) out.push('assess-recommendation');
  if (recs.some((r) => r.ta?.status === 'identified')) out.push('agree-ta-needs');
  const parts = partnersOf(state);
  if (parts.some((p) => p.status === 'referred')) out.push('record-ta-response');
  if (parts.some((p) => p.status === 'accepted' || p.status === 'delivering')) out.push('record-ta-delivery');
  if (state.stage === 'closed' && recs.some((r) => r.ta && r.ta.status !== 'identified')) out.push('refer-ta');
  return out;
}

const list = (ids: string[]) =>
  ids.length > 10 ? `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more` : ids.join(', ');

/** Why a step on recommendations cannot be taken as asked, or null. The payload may not be valid yet: then null (its own error follows). */
export function recommendationRefusal(
  state: VisitState,
  cmd: Pick<UncheckedCommand, 'action' | 'payload'>,
): string | null {
  if (state.rules < 3) return null;
  const parsed = ACTION_PAYLOADS[cmd.action].safeParse(cmd.payload);
  if (!parsed.success) return null;
  const check = REFUSALS[cmd.action as keyof typeof REFUSALS] as
    ((s: VisitState, p: unknown) => string | null) | undefined;
  return check ? check(state, parsed.data) : null;
}

const unknownOwn = (state: VisitState, ids: string[]) => {
  const missing = ids.filter((id) => !byId(state, id));
  return missing.length ? `visit ${state.visit.id} has no adopted recommendation ${list(missing)}` : null;
};

const REFUSALS: { [A in ActionName]?: (state: VisitState, p: ActionPayload<A>) => string | null } = {
  'record-recommendations': (state, p) => {
    const bad = p.recommendations
      .flatMap((r) => r.supersedes ?? [])
      .filter((id) => {
        if (stateOfRecommendation(id) !== state.visit.state || visitOfRecommendation(id) === state.visit.id)
          return true;
        return state.earlier !== undefined && !state.earlier.some((e) => e.id === id);
      });
    return bad.length
      ? `a recommendation supersedes only open recommendations of earlier visits to ${state.visit.state}: not ${list(bad)}`
      : null;
  },
  'report-progress': (state, p) =>
    unknownOwn(
      state,
      p.items.map((i) => i.recommendation),
    ),
  'submit-implementation-report': (state, p) =>
    p.progress
      ? unknownOwn(
          state,
          p.progress.map((i) => i.recommendation),
        )
      : null,
  'assess-recommendation': (state, p) => {
    const missing = p.items
      .map((i) => i.recommendation)
      .filter((id) => !byId(state, id) && !state.earlier?.some((e) => e.id === id));
    return missing.length
      ? `visit ${state.visit.id} assesses its own adopted recommendations and the earlier ones it follows up; not ${list(missing)}`
      : null;
  },
  'agree-ta-needs': (state, p) => {
    const unknown = unknownOwn(state, p.recommendations);
    if (unknown) return unknown;
    const bad = p.recommendations.filter((id) => byId(state, id)!.ta?.status !== 'identified');
    return bad.length ? `no TA need awaits the State's agreement in ${list(bad)}` : null;
  },
  'refer-ta': (state, p) => {
    if (!p.recommendations) return null;
    const unknown = unknownOwn(state, p.recommendations);
    if (unknown) return unknown;
    const notAgreed = p.recommendations.filter((id) => {
      const ta = byId(state, id)!.ta;
      return !ta || ta.status === 'identified';
    });
    if (notAgreed.length)
      return `only needs the State agreed are referred: ${list(notAgreed)} ${notAgreed.length > 1 ? 'are' : 'is'} not agreed`;
    const again = p.recommendations.flatMap((id) =>
      byId(state, id)!
        .ta!.partners.filter((x) => p.partners.includes(x.partner))
        .map((x) => `${id} to ${x.partner}`),
    );
    return again.length ? `already referred: ${list(again)}` : null;
  },
  'record-ta-response': (state, p) => {
    const part = byId(state, p.recommendation)?.ta?.partners.find((x) => x.partner === p.partner);
    if (!part) return `${p.recommendation}'s need was not referred to ${p.partner}`;
    return part.status === 'referred' ? null : `${p.partner} already answered for ${p.recommendation} (${part.status})`;
  },
  'record-ta-delivery': (state, p) => {
    const part = byId(state, p.recommendation)?.ta?.partners.find((x) => x.partner === p.partner);
    if (!part) return `${p.recommendation}'s need was not referred to ${p.partner}`;
    if (part.status === 'accepted' || part.status === 'delivering') return null;
    return `${p.partner} reports delivery of ${p.recommendation} once it has accepted it (now ${part.status})`;
  },
  'submit-follow-up-report': (state, p) => {
    const left = own(state)
      .filter((r) => !r.assessed)
      .map((r) => r.id);
    const named = p.unassessed ?? [];
    const assessed = named.filter((id) => !left.includes(id));
    if (assessed.length) return `unassessed names recommendations that are assessed or unknown: ${list(assessed)}`;
    const missing = left.filter((id) => !named.includes(id));
    if (missing.length)
      return `every recommendation is assessed before the follow-up report, or named in unassessed with a note: ${list(missing)} ${missing.length > 1 ? 'have' : 'has'} no assessment`;
    return named.length && !p.note ? 'a report leaving recommendations unassessed says why in note' : null;
  },
};

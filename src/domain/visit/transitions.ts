/**
 * What each action does to a visit: one small transition per action, in one table. The payload
 * each transition reads is the validated payload of its own action, typed by the action table.
 */
import { parsePayload } from '../actions';
import { endOfNewYorkDay } from '../calendar';
import type { Policy } from '../policy';
import { ITEMS, type ActionName, type Recipient } from '../vocabulary';
import { RECOMMENDATION_TRANSITIONS, recordProgress, referNeeds } from './recommendations';
import {
  adopt,
  closeItem,
  closeVisit,
  deadlineAfter,
  enterImplementing,
  expireReview,
  isOpen,
  openItem,
  restartCommitteeClock,
  stopCommitteeClock,
} from './clocks';
import { iso, noEffects, notify, pushEvent } from './events';
import type { ActionCommand, Effects, UncheckedCommand, VisitEvent, VisitState } from './state';

/** What a transition works on: the visit, the command, when, under which policy, and the step's effects. */
interface Step<A extends ActionName> {
  state: VisitState;
  cmd: ActionCommand<A>;
  nowMs: number;
  policy: Policy;
  effects: Effects;
  /** Records the action in the history, with its payload (or what is given instead), at the stage the visit is in then. */
  record: (payload?: Record<string, unknown>) => VisitEvent;
}

type Transitions = { readonly [A in ActionName]: (step: Step<A>) => void };

/** The partners a State's consent reaches: those it named, and the delegation that joined the visit. */
function sharedWith(state: VisitState): string[] {
  return [...new Set([...(state.consent.partners ?? []), ...(state.visit.partners ?? [])])];
}

/** A corrected receipt date moves the State's report clock, if the report is still awaited. */
function reopenReport(state: VisitState, receivedMs: number, policy: Policy) {
  state.receivedAt = iso(receivedMs);
  const report = state.items['state-implementation-report']!;
  if (report.closedAt === undefined) {
    report.openedAt = receivedMs;
    report.deadline = deadlineAfter(state, receivedMs, policy.clocks['state-implementation-report'], policy);
  }
  return report;
}

/** Once both reports are in, the follow-up of the visit is over. */
function closeIfDone(state: VisitState, effects: Effects, atMs: number): void {
  if (state.stage !== 'implementing') return;
  if (isOpen(state, 'state-implementation-report') || isOpen(state, 'cted-follow-up-report')) return;
  closeVisit(state, effects, atMs);
}

const DRAFTING: Pick<Transitions, 'record-pao' | 'refer-ta' | 'submit-draft' | 'dispatch-draft'> = {
  'record-pao': ({ state, effects, nowMs, record }) => {
    closeItem(state, 'pao', nowMs, 'recorded');
    const ev = record();
    // Rules 2: the PAO goes to the Committee (S/2020/99, Annex II para 9).
    if (state.rules >= 2) notify(state, effects, ev, 'pao-recorded', ['committee', 'chair', 'secretariat']);
  },
  'refer-ta': ({ state, effects, cmd, nowMs, policy, record }) => {
    closeItem(state, 'ta-referral', nowMs, 'referred');
    const ev = record();
    // Rules 3: named recommendations' agreed needs, each partner with its own answer clock.
    if (cmd.payload.recommendations) return referNeeds(state, effects, cmd, nowMs, policy, ev);
    const partners = cmd.payload.partners.map((org): Recipient => `partner:${org}`);
    const { needs, agreedOn } = cmd.payload;
    notify(state, effects, ev, 'ta-referral', partners, { details: { needs, ...(agreedOn ? { agreedOn } : {}) } });
  },
  'submit-draft': ({ state, nowMs, record }) => {
    closeItem(state, 'drafting', nowMs, 'submitted');
    state.draftSubmitted = true;
    record();
  },
  'dispatch-draft': ({ state, effects, nowMs, policy, record }) => {
    state.stage = 'state-review';
    const review = openItem(state, 'state-review', nowMs, policy);
    notify(state, effects, record(), 'draft-dispatched', ['state-contact'], {
      item: 'state-review',
      deadline: iso(review.deadline!),
    });
  },
};

const STATE_REVIEW: Pick<
  Transitions,
  'record-comments' | 'request-extension' | 'grant-extension' | 'refuse-extension'
> = {
  'record-comments': ({ state, nowMs, policy, record }) => {
    closeItem(state, 'state-review', nowMs, 'comments-received');
    state.stage = 'finalizing';
    openItem(state, 'finalizing', nowMs, policy);
    record();
  },
  'request-extension': ({ state, effects, record }) => {
    state.extension = 'requested';
    notify(state, effects, record(), 'extension-requested', ['secretariat', 'case-officer'], {
      item: 'state-review',
      deadline: iso(state.items['state-review']!.deadline!),
    });
  },
  'grant-extension': ({ state, effects, policy, record }) => {
    state.extension = 'granted';
    const review = state.items['state-review']!;
    review.deadline = deadlineAfter(state, review.deadline!, policy.clocks['state-review-extension'], policy);
    notify(state, effects, record(), 'extension-granted', ['state-contact', 'case-officer'], {
      item: 'state-review',
      deadline: iso(review.deadline),
    });
  },
  'refuse-extension': ({ state, effects, cmd, nowMs, policy, record }) => {
    state.extension = 'refused';
    const review = state.items['state-review']!;
    notify(state, effects, record(), 'extension-refused', ['state-contact', 'case-officer'], {
      item: 'state-review',
      deadline: iso(review.deadline!),
      details: { reason: cmd.payload.reason },
    });
    // The 30 days ran out while the request was pending: the review ends now, with no comments.
    if (review.deadline! <= nowMs) expireReview(state, effects, nowMs, policy);
  },
};

const COMMITTEE_REVIEW: Pick<
  Transitions,
  'submit-final-draft' | 'place-hold' | 'lift-hold' | 'object' | 'record-adoption' | 'return-to-cted'
> = {
  'submit-final-draft': ({ state, effects, nowMs, policy, record }) => {
    closeItem(state, 'finalizing', nowMs, 'submitted');
    state.stage = 'committee-review';
    state.holds = [];
    delete state.objection;
    const review = openItem(state, 'committee-review', nowMs, policy);
    notify(state, effects, record(), 'no-objection-procedure', ['committee', 'chair', 'secretariat'], {
      item: 'committee-review',
      deadline: iso(review.deadline!),
    });
  },
  'place-hold': ({ state, effects, cmd, nowMs, policy, record }) => {
    const { reason } = cmd.payload;
    state.holds.push({ by: cmd.actor.email, at: iso(nowMs), ...(reason ? { reason } : {}) });
    stopCommitteeClock(state, nowMs, policy);
    notify(state, effects, record(), 'hold-placed', ['secretariat', 'chair', 'case-officer']);
  },
  'lift-hold': ({ state, effects, cmd, nowMs, policy, record }) => {
    const member = cmd.payload.onBehalfOf ?? cmd.payload.member ?? cmd.actor.email;
    state.holds = state.holds.filter((h) => h.by !== member);
    if (state.holds.length === 0 && !state.objection) restartCommitteeClock(state, nowMs, policy);
    const ev = record();
    const deadline = state.items['committee-review']!.deadline;
    notify(state, effects, ev, 'hold-lifted', ['secretariat', 'chair', 'case-officer'], {
      item: 'committee-review',
      deadline: deadline === null ? null : iso(deadline),
    });
  },
  object: ({ state, effects, cmd, nowMs, policy, record }) => {
    state.objection = { by: cmd.actor.email, at: iso(nowMs), reason: cmd.payload.reason };
    stopCommitteeClock(state, nowMs, policy);
    notify(state, effects, record(), 'objection-raised', ['secretariat', 'chair', 'committee', 'case-officer'], {
      details: { reason: cmd.payload.reason },
    });
  },
  'record-adoption': ({ state, effects, cmd, nowMs, policy }) => adopt(state, effects, nowMs, policy, 'meeting', cmd),
  'return-to-cted': ({ state, effects, cmd, nowMs, policy, record }) => {
    closeItem(state, 'committee-review', nowMs, 'returned-to-cted');
    delete state.objection;
    state.holds = [];
    state.stage = 'finalizing';
    const fin = openItem(state, 'finalizing', nowMs, policy);
    notify(state, effects, record(), 'returned-to-cted', ['case-officer', 'secretariat'], {
      item: 'finalizing',
      deadline: iso(fin.deadline!),
      details: { reason: cmd.payload.reason },
    });
  },
};

const AFTER_ADOPTION: Pick<
  Transitions,
  'transmit-report' | 'confirm-receipt' | 'record-consent' | 'invite-briefing' | 'record-briefing'
> = {
  'transmit-report': ({ state, effects, nowMs, policy, record }) => {
    closeItem(state, 'transmitting', nowMs, 'transmitted');
    state.transmittedAt = iso(nowMs);
    const receipt = openItem(state, 'receipt', nowMs, policy);
    openItem(state, 'sharing-consent', nowMs, policy);
    notify(state, effects, record(), 'report-transmitted', ['state-contact'], {
      item: 'receipt',
      deadline: iso(receipt.deadline!),
    });
  },
  'confirm-receipt': ({ state, effects, cmd, nowMs, policy, record }) => {
    // A stated receipt date counts from the end of that day, never before transmission nor in the future.
    const transmitted = Date.parse(state.transmittedAt!);
    const { receivedOn } = cmd.payload;
    const on = receivedOn ? Math.min(Math.max(endOfNewYorkDay(receivedOn), transmitted), nowMs) : nowMs;
    // Rules 2: a receipt deemed after 5 working days is corrected with the real date, once.
    const correcting = state.stage !== 'transmitting';
    if (correcting) state.receiptCorrected = true;
    else closeItem(state, 'receipt', nowMs, 'confirmed');
    if (!correcting) return enterImplementing(state, effects, on, policy, () => record());
    const report = reopenReport(state, on, policy);
    notify(state, effects, record(), 'implementation-report-requested', ['state-contact'], {
      item: 'state-implementation-report',
      deadline: iso(report.deadline!),
    });
  },
  'record-consent': ({ state, effects, cmd, nowMs, record }) => {
    const before = state.consent;
    const p = cmd.payload;
    state.consent = {
      scope: p.scope,
      sections: p.sections ?? [],
      priorityTaNeedsOnly: p.priorityTaNeedsOnly ?? false,
      decidedBy: p.onBehalfOf ?? cmd.actor.email,
      decidedAt: iso(nowMs),
      ...(p.onBehalfOf ? { recordedBy: cmd.actor.email } : {}),
      ...(p.reference ? { reference: p.reference } : {}),
      ...(p.partners ? { partners: p.partners } : before.partners ? { partners: before.partners } : {}),
    };
    const { scope, sections, priorityTaNeedsOnly } = state.consent;
    closeItem(state, 'sharing-consent', nowMs, `consent-${scope}`);
    const ev = record();
    // Rules 1: every partner in the directory; rules 2: those the State named and the delegation's.
    const partners: Recipient[] =
      state.rules === 1 ? ['partners'] : sharedWith(state).map((org): Recipient => `partner:${org}`);
    // Partners hear only what the State allowed, and hear it when a previous consent is withdrawn.
    if (scope !== 'none') {
      notify(state, effects, ev, 'report-shared', partners, {
        details: {
          scope,
          sections: sections.length ? sections : undefined,
          priorityTaNeedsOnly: priorityTaNeedsOnly || undefined,
        },
      });
    } else if (before.scope !== 'none') {
      notify(state, effects, ev, 'sharing-withdrawn', partners);
    }
    // Rules 2: the Committee is told of every consent decision.
    if (state.rules >= 2) {
      notify(state, effects, ev, 'consent-recorded', ['committee', 'chair', 'secretariat'], {
        details: { scope, sections: sections.length ? sections : undefined },
      });
    }
  },
  'invite-briefing': ({ state, effects, cmd, nowMs, policy, record }) => {
    state.briefing = 'invited';
    openItem(state, 'briefing', nowMs, policy);
    notify(state, effects, record(), 'briefing-invitation', ['state-contact'], {
      details: { date: cmd.payload.date },
    });
  },
  'record-briefing': ({ state, nowMs, record }) => {
    state.briefing = 'held';
    closeItem(state, 'briefing', nowMs, 'held');
    record();
  },
};

const CLOSING: Pick<Transitions, 'submit-implementation-report' | 'submit-follow-up-report' | 'withdraw'> = {
  'submit-implementation-report': ({ state, effects, cmd, nowMs, record }) => {
    closeItem(state, 'state-implementation-report', nowMs, 'submitted');
    if (cmd.payload.progress) recordProgress(state, effects, cmd, cmd.payload.progress, nowMs);
    notify(state, effects, record(), 'implementation-report-received', ['case-officer', 'secretariat']);
    closeIfDone(state, effects, nowMs);
  },
  'submit-follow-up-report': ({ state, effects, nowMs, record }) => {
    closeItem(state, 'cted-follow-up-report', nowMs, 'submitted');
    notify(state, effects, record(), 'follow-up-report-submitted', ['secretariat']);
    closeIfDone(state, effects, nowMs);
  },
  withdraw: ({ state, effects, cmd, nowMs, record }) => {
    for (const item of ITEMS) closeItem(state, item, nowMs, 'withdrawn');
    state.stage = 'withdrawn';
    notify(state, effects, record(), 'visit-withdrawn', ['case-officer', 'secretariat'], {
      details: { reason: cmd.payload.reason },
    });
  },
};

/** Every action's transition. */
const TRANSITIONS: Transitions = {
  ...DRAFTING,
  ...STATE_REVIEW,
  ...COMMITTEE_REVIEW,
  ...AFTER_ADOPTION,
  ...CLOSING,
  ...RECOMMENDATION_TRANSITIONS,
};

function commandOf<A extends ActionName>(cmd: UncheckedCommand & { action: A }): ActionCommand<A> {
  return { ...cmd, payload: parsePayload(cmd.action, cmd.payload) };
}

function apply<A extends ActionName>(state: VisitState, cmd: ActionCommand<A>, nowMs: number, policy: Policy): Effects {
  const effects = noEffects();
  const record = (payload?: Record<string, unknown>) =>
    pushEvent(state, effects, cmd.action, nowMs, cmd, payload ?? cmd.payload);
  TRANSITIONS[cmd.action]({ state, cmd, nowMs, policy, effects, record });
  return effects;
}

/**
 * Applies an action already checked with `refusal`. Its payload is validated here (a ZodError
 * when invalid; validating a payload twice changes nothing). Mutates `state`; returns what to
 * record and send.
 */
export function applyAction(state: VisitState, cmd: UncheckedCommand, nowMs: number, policy: Policy): Effects {
  return apply(state, commandOf(cmd), nowMs, policy);
}

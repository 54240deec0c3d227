/** Which actions the process allows now, what each takes, and why one is refused. */
import { ACTION_FIELDS, type FieldSpec } from '../actions';
import { ACTIONS, type ActionName } from '../vocabulary';
import { isOpen } from './clocks';
import { recommendationActions, recommendationRefusal } from './recommendations';
import { isTerminal, type UncheckedCommand, type VisitState } from './state';

/** The actions the process allows now, in the vocabulary's order. */
export function allowedActions(state: VisitState): ActionName[] {
  // Rules 2: a closed visit still takes the State's consent, years later if need be; rules 3 also
  // the progress, assessments and TA steps on its recommendations, which outlive the visit.
  if (state.stage === 'closed' && state.rules >= 2 && state.transmittedAt) {
    const open = new Set<ActionName>(['record-consent', ...recommendationActions(state)]);
    return ACTIONS.filter((a) => open.has(a));
  }
  if (isTerminal(state)) return [];
  const allowed = new Set<ActionName>(['refer-ta', 'withdraw', ...recommendationActions(state)]);
  if (isOpen(state, 'pao')) allowed.add('record-pao');
  switch (state.stage) {
    case 'drafting':
      allowed.add(state.draftSubmitted ? 'dispatch-draft' : 'submit-draft');
      break;
    case 'state-review':
      allowed.add('record-comments');
      if (state.extension === 'none') allowed.add('request-extension');
      if (state.extension === 'requested') {
        allowed.add('grant-extension');
        allowed.add('refuse-extension');
      }
      break;
    case 'finalizing':
      allowed.add('submit-final-draft');
      break;
    case 'committee-review':
      if (state.objection) {
        allowed.add('record-adoption');
        allowed.add('return-to-cted');
      } else {
        allowed.add('place-hold');
        allowed.add('object');
        if (state.holds.length) allowed.add('lift-hold');
      }
      break;
    case 'transmitting':
      allowed.add(state.transmittedAt ? 'confirm-receipt' : 'transmit-report');
      break;
    case 'implementing':
      // Rules 2: a deemed receipt may be corrected, once, with the date the State really received it.
      if (state.rules >= 2 && state.items.receipt?.outcome === 'deemed-received' && !state.receiptCorrected) {
        allowed.add('confirm-receipt');
      }
      break;
    default:
      break;
  }
  if (isOpen(state, 'cted-follow-up-report')) allowed.add('submit-follow-up-report');
  if (isOpen(state, 'state-implementation-report')) allowed.add('submit-implementation-report');
  if (state.transmittedAt) allowed.add('record-consent');
  if (state.adoptedAt) {
    if (state.briefing === 'none') allowed.add('invite-briefing');
    if (state.briefing === 'invited') allowed.add('record-briefing');
  }
  return ACTIONS.filter((a) => allowed.has(a));
}

/** The allowed actions with the payload fields each takes. */
export function allowedActionsWithFields(state: VisitState): { action: ActionName; fields: FieldSpec[] }[] {
  return allowedActions(state).map((action) => ({ action, fields: ACTION_FIELDS[action] }));
}

/**
 * Why an action cannot be taken now, or null when it can. Checked by the workflow's update
 * validator, so a refused action writes nothing to history. The payload may not be validated yet.
 */
export function refusal(state: VisitState, cmd: Pick<UncheckedCommand, 'action' | 'payload' | 'actor'>): string | null {
  const allowed = allowedActions(state);
  if (!allowed.includes(cmd.action)) {
    return `${cmd.action} is not allowed while visit ${state.visit.id} is at stage ${state.stage}; allowed now: ${
      allowed.join(', ') || 'nothing (the visit is ' + state.stage + ')'
    }`;
  }
  if (cmd.action === 'place-hold' && state.holds.some((h) => h.by === cmd.actor.email)) {
    return `${cmd.actor.email} already holds the report of visit ${state.visit.id}`;
  }
  if (cmd.action === 'lift-hold') {
    const member = cmd.payload.onBehalfOf ?? cmd.payload.member ?? cmd.actor.email;
    if (!state.holds.some((h) => h.by === member)) {
      return `${String(member)} has no hold on visit ${state.visit.id}; holds are placed by: ${state.holds.map((h) => h.by).join(', ')}`;
    }
    // Only the member who placed a hold lifts it; the secretariat (or the operator) records it on their behalf.
    if ((cmd.actor.role === 'committee' || cmd.actor.role === 'chair') && member !== cmd.actor.email) {
      return `only the member who placed a hold lifts it: ${String(member)}'s hold is theirs to lift`;
    }
  }
  return onBehalfProblem(state, cmd) ?? recommendationRefusal(state, cmd);
}

const STATE_REPLIES: readonly ActionName[] = [
  'record-comments',
  'request-extension',
  'confirm-receipt',
  'record-consent',
  'submit-implementation-report',
  'report-progress',
  'agree-ta-needs',
];

/** A State's reply recorded by someone else names the State. */
function onBehalfProblem(
  state: VisitState,
  cmd: Pick<UncheckedCommand, 'action' | 'payload' | 'actor'>,
): string | null {
  const { onBehalfOf } = cmd.payload;
  const recordedFor = cmd.actor.role === 'cted' || cmd.actor.role === 'secretariat';
  if (STATE_REPLIES.includes(cmd.action) && recordedFor && onBehalfOf !== state.visit.state) {
    return `${cmd.action} is the State's reply: recorded by ${cmd.actor.role}, it names the State (onBehalfOf ${state.visit.state})`;
  }
  if (STATE_REPLIES.includes(cmd.action) && onBehalfOf !== undefined && onBehalfOf !== state.visit.state) {
    return `onBehalfOf names the visit's State, ${state.visit.state}`;
  }
  return null;
}

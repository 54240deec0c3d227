/**
 * Who may do what: one table of role × action × scope, and the read rules. Pure, so every door
 * (HTTP API, signed link, CLI) asks the same question and the tests can walk the whole table.
 */
import type { VisitStatus } from './visit';
import { referredTo } from './recommendations/visit-views';
import type { ActionName } from './vocabulary';

export const ROLES = ['cted', 'secretariat', 'committee', 'chair', 'state', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** A signed-in person: a State focal point carries its ISO3, a partner its organisation. */
export interface Principal {
  email: string;
  role: Role;
  state?: string;
  organisation?: string;
}

/**
 * Scope of a grant: every visit; only the visits of the principal's own State; or on someone
 * else's behalf, naming them in `onBehalfOf` (the State's reply that came by note verbale, a
 * Committee member's hold lifted at their request); or, for a partner, only its own organisation's
 * word (`partner` in the payload names it).
 */
export type Scope = 'any' | 'own-state' | 'on-behalf' | 'own-organisation';

/** The State's replies, which CTED and the secretariat may record on its behalf. */
const STATE_REPLIES = {
  'record-comments': 'on-behalf',
  'request-extension': 'on-behalf',
  'confirm-receipt': 'on-behalf',
  'record-consent': 'on-behalf',
  'submit-implementation-report': 'on-behalf',
  'report-progress': 'on-behalf',
  'agree-ta-needs': 'on-behalf',
} as const satisfies Partial<Record<ActionName, Scope>>;

/**
 * The permission table. An action missing from a role's row is refused (403). Whether the action
 * is allowed *now* (e.g. a hold only during the no-objection period) is the workflow's answer (409).
 */
export const PERMISSIONS: Record<Role, Partial<Record<ActionName, Scope>>> = {
  cted: {
    'record-pao': 'any',
    'refer-ta': 'any',
    'submit-draft': 'any',
    'dispatch-draft': 'any',
    'submit-final-draft': 'any',
    'transmit-report': 'any',
    'submit-follow-up-report': 'any',
    'record-recommendations': 'any',
    'assess-recommendation': 'any',
    // CTED records a partner's answer or delivery on its behalf, naming it in `partner`.
    'record-ta-response': 'any',
    'record-ta-delivery': 'any',
    ...STATE_REPLIES,
  },
  secretariat: {
    'grant-extension': 'any',
    'refuse-extension': 'any',
    'lift-hold': 'on-behalf',
    ...STATE_REPLIES,
    'invite-briefing': 'any',
    'record-briefing': 'any',
    withdraw: 'any',
  },
  committee: {
    'place-hold': 'any',
    'lift-hold': 'any',
    object: 'any',
  },
  chair: {
    'place-hold': 'any',
    'lift-hold': 'any',
    object: 'any',
    'record-adoption': 'any',
    'return-to-cted': 'any',
    'transmit-report': 'any',
  },
  state: {
    'record-comments': 'own-state',
    'request-extension': 'own-state',
    'confirm-receipt': 'own-state',
    'record-consent': 'own-state',
    'submit-implementation-report': 'own-state',
    'report-progress': 'own-state',
    'agree-ta-needs': 'own-state',
  },
  partner: {
    'record-ta-response': 'own-organisation',
    'record-ta-delivery': 'own-organisation',
  },
};

/** Other operations than actions, by role. */
export const OPERATIONS = {
  'start-visit': ['cted', 'secretariat'],
  'import-visits': ['cted', 'secretariat'],
  'issue-link': ['cted', 'secretariat'],
  /** Give the engine a document a step carries (the PAO, the draft, the adopted report); list a visit's documents; withdraw one. */
  'add-document': ['cted', 'secretariat'],
  /** Decrypt Temporal payloads (the codec endpoint): those who see every visit in full. */
  'use-codec': ['cted', 'secretariat'],
  'read-policy': ['cted', 'secretariat', 'committee', 'chair', 'state', 'partner'],
} as const satisfies Record<string, readonly Role[]>;
export type Operation = keyof typeof OPERATIONS;

export function mayOperate(p: Principal, op: Operation): boolean {
  return (OPERATIONS[op] as readonly Role[]).includes(p.role);
}

/**
 * Whether the principal may see that the visit exists at all. A State sees only its own visits; a
 * partner only adopted reports the State consented to share, or whose TA needs were referred to it. Everyone else sees every visit.
 */
export function mayRead(
  p: Principal,
  visit: Pick<VisitStatus, 'state' | 'consent' | 'adoptedAt'> & Partial<Pick<VisitStatus, 'recommendations'>>,
): boolean {
  switch (p.role) {
    case 'state':
      return p.state === visit.state;
    case 'partner':
      return (
        visit.adoptedAt !== null &&
        (visit.consent.scope !== 'none' || referredTo(visit.recommendations, p.organisation))
      );
    default:
      return true;
  }
}

/** What `mayAct` reads of a visit: its State, and its holds when it has them (who may lift one). */
export type ActingOn = Pick<VisitStatus, 'state'> & { committee?: { holds: readonly { by: string }[] } };

/**
 * Whether the principal's role may take the action on this visit (before asking the workflow).
 * Given the payload, an action taken on someone's behalf must name them: the visit's State for its
 * replies, a member (an e-mail) for a hold; and a State never speaks for another. A hold is lifted
 * by the member who placed it, or by the secretariat naming that member.
 */
export function mayAct(
  p: Principal,
  action: ActionName,
  visit: ActingOn,
  payload?: Readonly<Record<string, unknown>>,
): boolean {
  const scope = PERMISSIONS[p.role][action];
  if (!scope) return false;
  const onBehalfOf = payload?.onBehalfOf;
  if (action === 'lift-hold') {
    const holds = visit.committee?.holds ?? [];
    const placed = (member: unknown) => !holds.length || holds.some((h) => h.by === member);
    if (scope === 'any') {
      const member = onBehalfOf ?? payload?.member ?? p.email;
      return member === p.email && placed(p.email);
    }
    if (!payload) return true;
    return typeof onBehalfOf === 'string' && onBehalfOf.includes('@') && placed(onBehalfOf);
  }
  if (scope === 'own-organisation')
    return !payload || (p.organisation !== undefined && payload.partner === p.organisation);
  if (scope === 'own-state') {
    return p.state !== undefined && p.state === visit.state && (onBehalfOf === undefined || onBehalfOf === p.state);
  }
  if (scope === 'on-behalf' && payload) return onBehalfOf === visit.state;
  return true;
}

/** Why `mayAct` refuses a principal whose role may take the action, but not as the payload says. */
export function onBehalfRefusal(p: Principal, action: ActionName, visit: ActingOn): string {
  const scope = PERMISSIONS[p.role][action];
  if (scope === 'own-state') return `a State records ${action} for itself only`;
  if (scope === 'own-organisation')
    return `a partner records ${action} for its own organisation only (partner ${p.organisation ?? '?'})`;
  if (scope === 'any') return 'only the member who placed a hold lifts it';
  if (action !== 'lift-hold') {
    return `the ${p.role} role records ${action} only on the State's behalf: give onBehalfOf ${visit.state}, the note verbale's reference and receivedOn`;
  }
  const placers = (visit.committee?.holds ?? []).map((h) => h.by);
  return `the ${p.role} role lifts a hold only on the behalf of the member who placed it: name their e-mail in onBehalfOf${placers.length ? ` (${placers.join(', ')})` : ''}`;
}

/**
 * What each role sees of a visit is `project` in ./views (a schema per role, by allow-list); the
 * partner's view keeps its names here too.
 */
export { PartnerView, partnerView } from './views';

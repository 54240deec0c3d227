/** The words of ../shared/DOMAIN.md, as types and lists used by code, CLI, API and UI alike. */

/** Main track of a visit, in order; `withdrawn` can happen at any point. */
export const STAGES = [
  'drafting',
  'state-review',
  'finalizing',
  'committee-review',
  'transmitting',
  'implementing',
  'closed',
  'withdrawn',
] as const;
export type Stage = (typeof STAGES)[number];

/** Stages in which the visit is over and its workflow completes. */
export const TERMINAL_STAGES: readonly Stage[] = ['closed', 'withdrawn'];

/** Side items that run beside the main track, each with its own deadline. */
export const SIDE_ITEMS = [
  'pao',
  'ta-referral',
  'ta-response',
  'sharing-consent',
  'state-implementation-report',
  'cted-follow-up-report',
  'briefing',
] as const;
export type SideItem = (typeof SIDE_ITEMS)[number];

/**
 * Every clock the engine keeps: the side items plus the main-track steps that have a deadline.
 * `receipt` is the State's confirmation that it received the adopted report.
 */
export const ITEMS = [
  'drafting',
  'state-review',
  'finalizing',
  'committee-review',
  'transmitting',
  'receipt',
  ...SIDE_ITEMS,
] as const;
export type Item = (typeof ITEMS)[number];

export const ACTIONS = [
  'record-pao',
  'refer-ta',
  'agree-ta-needs',
  'record-ta-response',
  'record-ta-delivery',
  'submit-draft',
  'dispatch-draft',
  'record-comments',
  'request-extension',
  'grant-extension',
  'refuse-extension',
  'record-recommendations',
  'submit-final-draft',
  'place-hold',
  'lift-hold',
  'object',
  'record-adoption',
  'return-to-cted',
  'transmit-report',
  'confirm-receipt',
  'record-consent',
  'submit-implementation-report',
  'report-progress',
  'assess-recommendation',
  'submit-follow-up-report',
  'invite-briefing',
  'record-briefing',
  'withdraw',
] as const;
export type ActionName = (typeof ACTIONS)[number];

export const VISIT_TYPES = [
  'comprehensive',
  'focused',
  'follow-up',
  'regional',
  'advocacy',
  'preventive',
  'post-crisis',
  'expert-fact-finding',
  'targeted',
  'hybrid',
] as const;
export type VisitType = (typeof VISIT_TYPES)[number];

export const CONSENT_SCOPES = ['none', 'partial', 'full'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

/**
 * Who a notice goes to, resolved to addresses by the notify activity: the visit's own contacts
 * (case officer, State focal point, Permanent Mission) or the directory in config.
 * `partner:<ORG>` names one partner organisation; `partners` means every partner in the directory.
 */
export const RECIPIENT_ROLES = [
  'case-officer',
  'cted-management',
  'state-contact',
  'permanent-mission',
  'secretariat',
  'committee',
  'chair',
  'partners',
] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];
export type Recipient = RecipientRole | `partner:${string}`;

/** The six official languages of the United Nations, as ISO 639-1 codes. */
export const LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

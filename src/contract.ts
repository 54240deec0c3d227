/**
 * The contract shared by worker, client, API and CLI, with no side effects: task queue, ids,
 * message definitions, input schemas and search-attribute keys. Workflow code imports it too, so
 * it depends only on @temporalio/workflow, @temporalio/common, zod and the pure domain.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ActionNameSchema } from './domain/actions';
import type { AuditHead } from './domain/audit-anchor';
import { Policy } from './domain/policy';
import { EarlierRecommendation, RegisterState, type RegisterChange } from './domain/recommendations/model';
import type { VisitStatus } from './domain/visit';
import { LANGUAGES, VISIT_TYPES } from './domain/vocabulary';

/** The task queue every visit workflow and its activities run on. */
export const TASK_QUEUE = 'visit-follow-up';

const ISO3 = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 3166-1 alpha-3 code in capitals, e.g. POL');
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s);
  }, 'not a real calendar date');

/** `<visit number>-<ISO3>`, e.g. `166-POL`. */
export const VisitId = z.string().regex(/^\d{1,5}-[A-Z]{3}$/, 'expected a visit id such as 166-POL');

export function visitIdOf(number: number, state: string): string {
  return `${number}-${state}`;
}

/** The workflow id of a visit: `visit-166-POL`. */
export function workflowIdOf(visitId: string): string {
  return `visit-${visitId}`;
}

/** What a person gives to start following up a visit (one Member State). */
export const VisitStartRequest = z
  .object({
    number: z.number().int().positive().max(99999),
    state: ISO3,
    stateName: z.string().min(1).max(200).optional(),
    type: z.enum(VISIT_TYPES),
    start: IsoDate,
    /** Last day of the visit (of its physical part, for a hybrid visit): the clocks start here. */
    end: IsoDate,
    /** Regional visits: one workflow per State, grouped by this id. */
    groupId: z.string().min(1).max(100).optional(),
    caseOfficer: z.email(),
    stateContact: z.email(),
    permanentMission: z.email().optional(),
    /** The language the State corresponds in: one of the six official languages. */
    language: z.enum(LANGUAGES).default('en'),
    /** Which visit to the State this is ("second", "third"), as Annex I of S/2020/99 says. */
    ordinal: z.string().trim().min(1).max(40).optional(),
    /** UN partners in the delegation (UNODC, UNOCT, ...): they hear of the State's consent to share. */
    partners: z
      .array(z.string().regex(/^[A-Za-z0-9-]{2,30}$/, 'partner names are short codes such as UNODC'))
      .max(20)
      .optional(),
    /** The earlier visit to the same State this one follows up (its id, e.g. 101-POL). */
    followsUp: VisitId.optional(),
  })
  .strict()
  .refine((v) => !v.followsUp || v.followsUp.endsWith(`-${v.state}`), {
    path: ['followsUp'],
    message: 'a visit follows up an earlier visit to the same State',
  })
  .refine((v) => v.end >= v.start, { path: ['end'], message: 'the visit cannot end before it starts' });
export type VisitStartRequest = z.infer<typeof VisitStartRequest>;

/** The workflow's input: the request plus the policy it keeps for life. */
export const VisitInput = z
  .object({
    request: VisitStartRequest,
    policy: Policy,
    /** Reminders planned before this instant are not sent (visits imported long after the fact). */
    remindersFrom: z.iso.datetime().optional(),
    /** The State's recommendations still open when the visit started (from its register): a follow-up visit assesses them. */
    earlier: z.array(EarlierRecommendation).max(2000).optional(),
  })
  .strict();
export type VisitInput = z.infer<typeof VisitInput>;

/** One action taken by a person on a visit. */
export const ActRequest = z
  .object({
    action: ActionNameSchema,
    payload: z.record(z.string(), z.unknown()).default({}),
    actor: z.object({ email: z.email(), role: z.string().min(1).max(40).optional() }).strict(),
    door: z.enum(['api', 'cli', 'link', 'web']),
  })
  .strict();
export type ActRequest = z.input<typeof ActRequest>;

/** A corrected working-day calendar, sent to every open visit. */
export const CalendarPublication = z
  .object({
    calendar: Policy.shape.calendar,
    /** Who published it (the operator). */
    publishedBy: z.string().min(1).max(200),
    /** A label of this version of the calendar (e.g. the date it was published): a visit takes each version once. */
    version: z.string().min(1).max(100),
  })
  .strict();
export type CalendarPublication = z.infer<typeof CalendarPublication>;

/**
 * Publishes a corrected calendar to a running visit: it recomputes its working-day deadlines, records
 * that it did, and notifies anyone whose deadline moved. Returns how many deadlines moved.
 */
export const publishCalendarUpdate = defineUpdate<{ moved: number }, [CalendarPublication]>('publishCalendar');

/** Takes an action; refused by the validator (nothing written) when the stage does not allow it. Returns the new status. */
export const actUpdate = defineUpdate<VisitStatus, [ActRequest]>('act');
/** The visit's status: stage, open items with deadlines, allowed actions, history, reminders. */
export const statusQuery = defineQuery<VisitStatus>('status');

/** The workflow id of a State's register of recommendations: `register-POL`. */
export function registerWorkflowIdOf(state: string): string {
  return `register-${state}`;
}

/** What a State's register starts (or continues as new) with. */
export const RegisterInput = z
  .object({
    state: ISO3,
    /** The register carried over from the previous run. */
    register: RegisterState.optional(),
    /** Continue as new after this many changes in one run (a test lowers it). */
    continueAfter: z.number().int().min(10).max(100_000).optional(),
  })
  .strict();
export type RegisterInput = z.infer<typeof RegisterInput>;

/** A visit's change to its State's register, applied once per key and in order per visit. */
export const registerChangeSignal = defineSignal<[RegisterChange]>('registerChange');
/** The register: every recommendation of the State, with its statuses and history. */
export const registerQuery = defineQuery<RegisterState>('register');

/** The one workflow that keeps the audit chain's head outside the store (see src/domain/audit-anchor.ts). */
export const AUDIT_ANCHOR_WORKFLOW_ID = 'audit-anchor';

/** What the audit anchor starts (or continues as new) with. */
export interface AuditAnchorInput {
  /** The head carried over from the previous run. */
  head?: AuditHead | null;
  /** Continue as new after this many signals in one run (a test lowers it). */
  continueAfter?: number;
}

/** An audit entry just appended: the anchor keeps the highest id it has seen (signals may arrive out of order). */
export const auditHeadSignal = defineSignal<[AuditHead]>('auditHead');
/** The anchored head: the highest entry seen, or null before the first. */
export const auditAnchorQuery = defineQuery<AuditHead | null>('auditAnchor');

/** Search attributes each visit carries, so the Temporal UI and list queries can filter on them. */
export const SA = {
  stage: defineSearchAttributeKey('VisitStage', SearchAttributeType.KEYWORD),
  state: defineSearchAttributeKey('MemberState', SearchAttributeType.KEYWORD),
  type: defineSearchAttributeKey('VisitType', SearchAttributeType.KEYWORD),
  group: defineSearchAttributeKey('VisitGroup', SearchAttributeType.KEYWORD),
  nextDeadline: defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL),
} as const;
export const SEARCH_ATTRIBUTES = Object.values(SA);

/** Failure types a caller can tell apart. */
export enum FailureType {
  ActionNotAllowed = 'ActionNotAllowed',
  InvalidPayload = 'InvalidPayload',
}

/** What a finished workflow returns. */
export interface VisitResult {
  id: string;
  stage: 'closed' | 'withdrawn';
  events: number;
}

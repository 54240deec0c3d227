/**
 * What each action takes: one table of zod object schemas, one per action. The validators, the
 * payload types the state machine reads, and the field lists shown by the CLI, the API and the UI
 * are all derived from it.
 */
import { z } from 'zod';
import { AssessmentItem, ProgressItem, RecommendationId, RecommendationList } from './recommendations/model';
import { ACTIONS, CONSENT_SCOPES, type ActionName } from './vocabulary';

/** How a payload field is entered and shown. */
export const FieldType = z.enum(['string', 'date', 'string[]', 'boolean', 'enum', 'records']);
export type FieldType = z.infer<typeof FieldType>;

/** One payload field of an action, as shown to the person taking it. */
export const FieldSpec = z.object({
  name: z.string(),
  type: FieldType,
  values: z.array(z.string()).optional(),
  required: z.boolean(),
  description: z.string(),
});
export type FieldSpec = z.infer<typeof FieldSpec>;

/** What the table says of a field beyond its schema; kept off the schema so the OpenAPI document stays as it was. */
const FIELD_INFO = z.registry<{ type: FieldType; description: string }>();

const text = (description: string) =>
  z.string().trim().min(1).max(4000).register(FIELD_INFO, { type: 'string', description });

const date = (description: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .refine(
      (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      'not a real calendar date',
    )
    .register(FIELD_INFO, { type: 'date', description });

const names = (description: string) =>
  z.array(z.string().trim().min(1).max(200)).min(1).max(50).register(FIELD_INFO, { type: 'string[]', description });

const flag = (description: string) => z.boolean().register(FIELD_INFO, { type: 'boolean', description });

const oneOf = <const T extends readonly [string, ...string[]]>(values: T, description: string) =>
  z.enum(values).register(FIELD_INFO, { type: 'enum', description });

const note = () => text('A short note for the record').optional();

/** A list of objects (recommendations, progress items), entered as JSON (the CLI and the API also take a file). */
const records = <T extends z.ZodType>(schema: T, description: string): T => {
  FIELD_INFO.add(schema, { type: 'records', description });
  return schema;
};
const recommendationIds = (description: string) =>
  z.array(RecommendationId).min(1).max(300).register(FIELD_INFO, { type: 'string[]', description });
const recommendationId = (description: string) =>
  RecommendationId.register(FIELD_INFO, { type: 'string', description });
const partnerOrg = () => text('The partner organisation (a partner records for itself; CTED names it)');
const uniqueItems = <T extends { recommendation: string }>(items: T[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.recommendation))
      ctx.addIssue({ code: 'custom', path: [i, 'recommendation'], message: `${it.recommendation} appears twice` });
    seen.add(it.recommendation);
  });
};
const progressItems = (description: string) =>
  records(z.array(ProgressItem).min(1).max(300).superRefine(uniqueItems), description);

/**
 * A State's reply that reached CTED by note verbale, recorded by CTED or the secretariat: for whom
 * (the State's ISO3), the note's symbol and the day it arrived. A State acting itself leaves them out.
 */
const onBehalf = () => ({
  onBehalfOf: text("Whose reply this records, when CTED or the secretariat records it: the State's ISO3").optional(),
  reference: text("The note verbale's symbol").optional(),
  receivedOn: date('The day the note verbale was received').optional(),
});
const documentRef = () => text('Reference of the document (symbol, file name or link)').optional();

/** Partial consent names what may be shared; the other scopes take no detail. */
const consent = z
  .strictObject({
    scope: oneOf(CONSENT_SCOPES, 'none, partial or full'),
    sections: names('Sections that may be shared (partial)').optional(),
    priorityTaNeedsOnly: flag('Share only the priority technical-assistance needs (partial)').optional(),
    partners: names(
      'UN partners the State names to receive it (besides the delegation that joined the visit)',
    ).optional(),
    note: note(),
    ...onBehalf(),
  })
  .superRefine((p, ctx) => {
    if (p.scope === 'partial' && !p.sections?.length && !p.priorityTaNeedsOnly) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: 'partial consent names the sections or sets priorityTaNeedsOnly',
      });
    }
    if (p.scope !== 'partial' && (p.sections || p.priorityTaNeedsOnly)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message: 'sections and priorityTaNeedsOnly apply only to partial consent',
      });
    }
  });

/** A TA referral: of named recommendations whose needs the State agreed, or (visits without recommendations) of needs agreed on a day. */
const REFER_TA = z.strictObject({
  partners: names('Partner organisations the needs go to, e.g. UNODC'),
  recommendations: recommendationIds('The recommendations whose agreed TA needs are referred').optional(),
  needs: text('The technical-assistance needs referred').optional(),
  agreedOn: date('The day the State agreed these needs (they are referred only once it has)').optional(),
  note: note(),
});

/** The payload of every action, fields in the order they are shown; unknown fields are refused. */
const PAYLOADS = {
  'record-pao': z.strictObject({ documentRef: documentRef(), note: note() }),
  'refer-ta': REFER_TA.superRefine((p, ctx) => {
    if (!p.recommendations && !p.agreedOn)
      ctx.addIssue({
        code: 'custom',
        path: ['agreedOn'],
        message: 'name the recommendations whose agreed needs are referred, or the day the State agreed the needs',
      });
  }),
  'agree-ta-needs': z.strictObject({
    recommendations: recommendationIds('The recommendations whose TA needs the State agrees'),
    note: note(),
    ...onBehalf(),
  }),
  'record-ta-response': z.strictObject({
    recommendation: recommendationId('The recommendation whose referred need is answered'),
    partner: partnerOrg(),
    response: oneOf(['accepted', 'declined'], 'accepted or declined'),
    note: note(),
  }),
  'record-ta-delivery': z.strictObject({
    recommendation: recommendationId('The recommendation whose need is being delivered'),
    partner: partnerOrg(),
    status: oneOf(['delivering', 'delivered'], 'delivering or delivered'),
    text: text('What was delivered (or is being)').optional(),
  }),
  'submit-draft': z.strictObject({ documentRef: documentRef(), note: note() }),
  'dispatch-draft': z.strictObject({ note: note() }),
  'record-comments': z.strictObject({
    summary: text("Summary of the State's comments").optional(),
    documentRef: documentRef(),
    ...onBehalf(),
  }),
  'request-extension': z.strictObject({ reason: text('Why the State asks for more time').optional(), ...onBehalf() }),
  'grant-extension': z.strictObject({ note: note() }),
  'refuse-extension': z.strictObject({ reason: text('Why the extension is refused') }),
  'record-recommendations': z.strictObject({
    recommendations: records(
      RecommendationList,
      'The recommendations of the final draft: [{number, text, theme, priority, taNeed?, supersedes?}] (1 to 300)',
    ),
    note: note(),
  }),
  'submit-final-draft': z.strictObject({ documentRef: documentRef(), note: note() }),
  'place-hold': z.strictObject({ reason: text('Why the member places a hold').optional() }),
  'lift-hold': z.strictObject({
    member: text('Whose hold to lift (default: yours; a member lifts only their own)').optional(),
    onBehalfOf: text('The member whose hold the secretariat records as lifted (their e-mail)').optional(),
    reference: text('Where the member said so (a note or message symbol)').optional(),
  }),
  object: z.strictObject({ reason: text('The objection') }),
  'record-adoption': z.strictObject({
    meetingDate: date('Date of the Committee meeting').optional(),
    note: note(),
  }),
  'return-to-cted': z.strictObject({ reason: text('What CTED must revise') }),
  'transmit-report': z.strictObject({ documentRef: documentRef(), note: note() }),
  'confirm-receipt': z.strictObject({
    receivedOn: date('Date the State received the report (also corrects a deemed receipt)').optional(),
    onBehalfOf: onBehalf().onBehalfOf,
    reference: onBehalf().reference,
  }),
  'record-consent': consent,
  'submit-implementation-report': z.strictObject({
    documentRef: documentRef(),
    summary: text('Steps taken').optional(),
    progress: progressItems('Steps taken per recommendation: [{recommendation, status, text?}]').optional(),
    ...onBehalf(),
  }),
  'report-progress': z.strictObject({
    items: progressItems('Steps taken per recommendation: [{recommendation, status, text?}]'),
    ...onBehalf(),
  }),
  'submit-follow-up-report': z.strictObject({
    documentRef: documentRef(),
    unassessed: recommendationIds('Recommendations the report leaves unassessed (each one, with a note)').optional(),
    note: note(),
  }),
  'assess-recommendation': z.strictObject({
    items: records(
      z.array(AssessmentItem).min(1).max(300).superRefine(uniqueItems),
      "CTED's assessment per recommendation: [{recommendation, status, note?}]",
    ),
  }),
  'invite-briefing': z.strictObject({ date: date('Proposed date of the briefing').optional(), note: note() }),
  'record-briefing': z.strictObject({
    date: date('Date the State briefed the Committee').optional(),
    note: note(),
  }),
  withdraw: z.strictObject({ reason: text('Why the visit is withdrawn') }),
} satisfies Record<ActionName, z.ZodObject>;

/**
 * What a visit's history may hold of each action: the request schemas, loosened where a field
 * became required later, so a visit replays the payloads it recorded under the rules of its day.
 */
const RECORDED = {
  ...PAYLOADS,
  'refer-ta': REFER_TA,
} satisfies Record<ActionName, z.ZodObject>;

/** The validated payload of each action, by name (as recorded: fields required since may be absent). */
export type ActionPayloads = { [A in ActionName]: z.output<(typeof RECORDED)[A]> };
/** The validated payload of one action. */
export type ActionPayload<A extends ActionName> = ActionPayloads[A];

/** zod validator of each action's payload: unknown fields are refused. */
export const ACTION_PAYLOADS: { readonly [A in ActionName]: z.ZodType<ActionPayloads[A]> } = PAYLOADS;

/** Validates a recorded action's payload; throws a ZodError when it is not valid. */
export function parsePayload<A extends ActionName>(action: A, payload: unknown): ActionPayload<A> {
  const result = (RECORDED as { readonly [K in ActionName]: z.ZodType<ActionPayloads[K]> })[action].safeParse(payload);
  if (!result.success) throw result.error;
  return result.data;
}

function fieldsOf(action: ActionName): FieldSpec[] {
  return Object.entries(PAYLOADS[action].shape).map(([name, schema]) => {
    const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
    const info = FIELD_INFO.get(inner);
    if (!info) throw new Error(`${action}.${name} has no field description`);
    return {
      name,
      type: info.type,
      ...(inner instanceof z.ZodEnum ? { values: inner.options.map(String) } : {}),
      required: !(schema instanceof z.ZodOptional),
      description: info.description,
    };
  });
}

/** The payload fields of every action. */
export const ACTION_FIELDS: { readonly [A in ActionName]: FieldSpec[] } = Object.fromEntries(
  ACTIONS.map((a) => [a, fieldsOf(a)]),
) as Record<ActionName, FieldSpec[]>;

/** An action of the vocabulary, by name. */
export const ActionNameSchema = z.enum(ACTIONS);

/** Formats zod issues as one readable line: "scope: Invalid option; sections: ...". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`).join('; ');
}

/**
 * What each action takes: its payload fields, as one table from which both the zod validator and
 * the field list shown by the CLI, the API and the UI are built.
 */
import { z } from 'zod';
import { ACTIONS, CONSENT_SCOPES, type ActionName } from './vocabulary';

export type FieldType = 'string' | 'date' | 'string[]' | 'boolean' | 'enum';

/** One payload field of an action, as shown to the person taking it. */
export interface FieldSpec {
  name: string;
  type: FieldType;
  required: boolean;
  description: string;
  values?: readonly string[];
}

const note: FieldSpec = { name: 'note', type: 'string', required: false, description: 'A short note for the record' };
const documentRef: FieldSpec = {
  name: 'documentRef',
  type: 'string',
  required: false,
  description: 'Reference of the document (symbol, file name or link)',
};

/** The payload fields of every action. */
export const ACTION_FIELDS: Record<ActionName, readonly FieldSpec[]> = {
  'record-pao': [documentRef, note],
  'refer-ta': [
    {
      name: 'partners',
      type: 'string[]',
      required: true,
      description: 'Partner organisations the needs go to, e.g. UNODC',
    },
    { name: 'needs', type: 'string', required: false, description: 'The technical-assistance needs referred' },
    note,
  ],
  'submit-draft': [documentRef, note],
  'dispatch-draft': [note],
  'record-comments': [
    { name: 'summary', type: 'string', required: false, description: "Summary of the State's comments" },
    documentRef,
  ],
  'request-extension': [
    { name: 'reason', type: 'string', required: false, description: 'Why the State asks for more time' },
  ],
  'grant-extension': [note],
  'submit-final-draft': [documentRef, note],
  'place-hold': [{ name: 'reason', type: 'string', required: false, description: 'Why the member places a hold' }],
  'lift-hold': [
    { name: 'member', type: 'string', required: false, description: 'Whose hold to lift (default: yours)' },
  ],
  object: [{ name: 'reason', type: 'string', required: true, description: 'The objection' }],
  'record-adoption': [
    { name: 'meetingDate', type: 'date', required: false, description: 'Date of the Committee meeting' },
    note,
  ],
  'return-to-cted': [{ name: 'reason', type: 'string', required: true, description: 'What CTED must revise' }],
  'transmit-report': [documentRef, note],
  'confirm-receipt': [
    { name: 'receivedOn', type: 'date', required: false, description: 'Date the State received the report' },
  ],
  'record-consent': [
    { name: 'scope', type: 'enum', values: CONSENT_SCOPES, required: true, description: 'none, partial or full' },
    { name: 'sections', type: 'string[]', required: false, description: 'Sections that may be shared (partial)' },
    {
      name: 'priorityTaNeedsOnly',
      type: 'boolean',
      required: false,
      description: 'Share only the priority technical-assistance needs (partial)',
    },
    note,
  ],
  'submit-implementation-report': [
    documentRef,
    { name: 'summary', type: 'string', required: false, description: 'Steps taken' },
  ],
  'submit-follow-up-report': [documentRef, note],
  'invite-briefing': [
    { name: 'date', type: 'date', required: false, description: 'Proposed date of the briefing' },
    note,
  ],
  'record-briefing': [
    { name: 'date', type: 'date', required: false, description: 'Date the State briefed the Committee' },
    note,
  ],
  withdraw: [{ name: 'reason', type: 'string', required: true, description: 'Why the visit is withdrawn' }],
};

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'not a real calendar date',
  );

function fieldSchema(f: FieldSpec): z.ZodType {
  switch (f.type) {
    case 'string':
      return z.string().trim().min(1).max(4000);
    case 'date':
      return IsoDate;
    case 'string[]':
      return z.array(z.string().trim().min(1).max(200)).min(1).max(50);
    case 'boolean':
      return z.boolean();
    case 'enum':
      return z.enum(f.values as [string, ...string[]]);
  }
}

function buildSchema(action: ActionName): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of ACTION_FIELDS[action]) shape[f.name] = f.required ? fieldSchema(f) : fieldSchema(f).optional();
  const base = z.object(shape).strict();
  if (action !== 'record-consent') return base as z.ZodType<Record<string, unknown>>;
  return base.superRefine((p, ctx) => {
    const v = p as { scope?: string; sections?: string[]; priorityTaNeedsOnly?: boolean };
    if (v.scope === 'partial' && !v.sections?.length && !v.priorityTaNeedsOnly) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: 'partial consent names the sections or sets priorityTaNeedsOnly',
      });
    }
    if (v.scope !== 'partial' && (v.sections || v.priorityTaNeedsOnly)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message: 'sections and priorityTaNeedsOnly apply only to partial consent',
      });
    }
  }) as z.ZodType<Record<string, unknown>>;
}

/** zod validator of each action's payload: unknown fields are refused. */
export const ACTION_PAYLOADS = Object.fromEntries(ACTIONS.map((a) => [a, buildSchema(a)])) as Record<
  ActionName,
  z.ZodType<Record<string, unknown>>
>;

export const ActionNameSchema = z.enum(ACTIONS);

/** Formats zod issues as one readable line: "scope: Invalid option; sections: ...". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`).join('; ');
}

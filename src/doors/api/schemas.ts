/**
 * The schemas of the API's requests and responses, beside its routes: the OpenAPI document is
 * generated from these and from the routes that use them, so it cannot drift from what is served.
 */
// Schemas carry their OpenAPI metadata with zod's own .meta(), whichever module made them first.
import { z } from '@hono/zod-openapi';
import { VisitId, VisitStartRequest } from '../../contract';
import { ActionNameSchema, FieldSpec } from '../../domain/actions';
import { ROLES } from '../../domain/permissions';
import { Policy } from '../../domain/policy';
import {
  ChairView,
  CommitteeView,
  CtedView,
  PartnerView,
  SecretariatView,
  STAGE_WORDS,
  StateView,
} from '../../domain/views';
import { ERRORS } from '../../services';
import { LinkRequest } from '../../services/links';

export { LinkRequest, VisitStartRequest };

export const VisitIdParam = z.object({
  id: VisitId.meta({ param: { name: 'id', in: 'path' }, example: '166-POL' }),
});

export const ListQuery = z
  .object({
    /** A stage of the main track, or of the State's own (a State's list speaks of those). */
    stage: z.enum(STAGE_WORDS).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    state: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /** Entries per page: default 100, at most 500. */
    limit: z
      .string()
      .regex(/^[1-9][0-9]{0,2}$/, 'a whole number from 1 to 500')
      .refine((v) => Number(v) <= MAX_PAGE, 'at most 500')
      .optional()
      .meta({ description: 'Entries per page: default 100, at most 500.' }),
    /** The page after the one the cursor ends (from the previous page's Link header). */
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,200}$/)
      .optional()
      .meta({
        description:
          'Opaque: the next page\'s cursor, as the previous page\'s `Link: <…>; rel="next"` header gives it.',
      }),
  })
  .strict();

/** Page sizes of GET /api/visits. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

export const ImportRequest = z
  .object({
    csv: z
      .string()
      .min(1)
      .max(64 * 1024),
    caseOfficer: z.email().optional(),
    stateContact: z.string().min(3).max(200).optional(),
    /** The Permanent Mission of rows without a permanent_mission column; `{iso3}` is replaced. */
    permanentMission: z.string().min(3).max(200).optional(),
  })
  .strict();

export const ApiError = z
  .looseObject({
    error: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...(keyof typeof ERRORS)[]]),
    message: z.string(),
  })
  .meta({ id: 'Error', description: 'A refusal: its code, a message, and details such as the zod issues.' });

export const Me = z
  .object({
    email: z.email(),
    role: z.enum(ROLES),
    state: z.string().optional(),
    organisation: z.string().optional(),
  })
  .meta({ id: 'Principal' });

/** One visit in a list, as Temporal's visibility store has it. */
export const VisitListEntry = z
  .object({
    id: z.string(),
    stage: z.string(),
    state: z.string(),
    type: z.string(),
    nextDeadline: z.string().nullable(),
    overdue: z.boolean(),
    group: z.string().optional(),
  })
  .meta({ id: 'VisitListEntry' });

/** One visit as the caller may see it: its role's view (src/domain/views.ts). */
export const SharedVisit = PartnerView.meta({ id: 'PartnerView' });
export const VisitView = z
  .union([
    StateView.meta({ id: 'StateView' }),
    SharedVisit,
    CommitteeView.meta({ id: 'CommitteeView' }),
    ChairView.meta({ id: 'ChairView' }),
    SecretariatView.meta({ id: 'SecretariatView' }),
    CtedView.meta({ id: 'CtedView' }),
  ])
  .meta({ id: 'VisitView', description: "The visit as the caller's role may see it, one schema per role." });

export const AllowedAction = z
  .object({ action: ActionNameSchema, fields: z.array(FieldSpec) })
  .meta({ id: 'AllowedAction' });

export const Started = z.object({ id: z.string() });
export const Imported = z.object({ imported: z.array(z.string()), alreadyImported: z.array(z.string()) });
export const IssuedLink = z.object({ url: z.string(), token: z.string(), expiresAt: z.string() });
export const LinkDescription = z.object({
  visitId: z.string(),
  action: ActionNameSchema,
  email: z.string(),
  fields: z.array(FieldSpec),
  expiresAt: z.string(),
});
export const PolicyDocument = Policy.meta({ id: 'Policy' });

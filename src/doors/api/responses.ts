/** Building blocks of the route declarations: JSON bodies and the documented refusals. */
import { type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ERRORS, type ErrorCode } from '../../services';
import { invalid } from '../../services/errors';
import { ApiError } from './schemas';

const STATUS_CODES = [...new Set(Object.values(ERRORS).map((e) => e.status))];

/** A JSON content block for a request or response. */
export const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

/** The refusals a route can answer with, by HTTP status, each with the codes it may carry. */
export function refusals(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => {
      if (!STATUS_CODES.includes(status)) throw new Error(`no error code answers ${status}`);
      // `usage` is the CLI's own refusal; the API never answers with it.
      const codes = (Object.keys(ERRORS) as ErrorCode[]).filter((k) => ERRORS[k].status === status && k !== 'usage');
      return [status, { description: codes.join(', '), content: json(ApiError) }];
    }),
  );
}

/** Statuses every route behind a bearer token can answer: no or a bad token, then too many. */
export const AUTH = [401, 429];
/** Statuses of a route that reads a JSON body. */
export const BODY = [400, 413, 415];

/** A validation hook: a failed schema is a 400 naming what was wrong (`query`, `visit id`, ...). */
export const hook =
  (what: Partial<Record<'json' | 'param' | 'query', string>>) =>
  (result: { success: boolean; error?: unknown; target: string }, _c: Context): undefined => {
    if (!result.success) {
      throw invalid(what[result.target as 'json'] ?? result.target, result.error as Parameters<typeof invalid>[1]);
    }
    return undefined;
  };

/** The raw value a failed validation saw (the validator passes it along; its types do not say so). */
export const rejected = (result: object): unknown => (result as { data?: unknown }).data;

/**
 * One error table: every failure a service (or a door's framework) can raise has a code, the HTTP
 * status the API and the dashboard answer with, and the CLI's exit code and message prefix. The
 * API, the web pages and the CLI all translate errors here, Temporal's included.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { FailureType } from '../contract';
import { describeIssues } from '../domain/actions';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

interface ErrorKind {
  /** HTTP status of the API and the dashboard. */
  status: number;
  /** Exit code of the CLI. */
  exit: number;
  /** What the CLI prints before the message. */
  cli: string;
  /** What a person in the browser reads as the page title. */
  title: string;
}

const kind = (status: number, exit: number, cli: string, title = 'Something is not right'): ErrorKind => ({
  status,
  exit,
  cli,
  title,
});

export const ERRORS = {
  'invalid-request': kind(400, EXIT.refused, 'invalid input'),
  'malformed-json': kind(400, EXIT.refused, 'invalid input'),
  usage: kind(400, EXIT.usage, 'usage'),
  unauthenticated: kind(401, EXIT.refused, 'not signed in', 'Sign in again'),
  'link-invalid': kind(401, EXIT.refused, 'invalid link', 'Sign in again'),
  'link-expired': kind(401, EXIT.refused, 'expired link', 'Sign in again'),
  forbidden: kind(403, EXIT.refused, 'forbidden', 'Not for your role'),
  'not-found': kind(404, EXIT.refused, 'unknown visit', 'Not found'),
  'method-not-allowed': kind(405, EXIT.usage, 'usage'),
  exists: kind(409, EXIT.refused, 'refused'),
  'not-allowed-now': kind(409, EXIT.refused, 'refused'),
  'link-used': kind(409, EXIT.refused, 'refused'),
  'body-too-large': kind(413, EXIT.refused, 'invalid input'),
  'unsupported-media-type': kind(415, EXIT.refused, 'invalid input'),
  refused: kind(422, EXIT.refused, 'refused'),
  'bad-rows': kind(422, EXIT.refused, 'refused'),
  'rate-limited': kind(429, EXIT.refused, 'refused'),
  internal: kind(500, EXIT.refused, 'error'),
  unavailable: kind(503, EXIT.unavailable, 'unavailable'),
} as const satisfies Record<string, ErrorKind>;
export type ErrorCode = keyof typeof ERRORS;

/** A failure the caller sees: a code from the table, a message, and details (never a stack or a secret). */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  get exitCode(): number {
    return ERRORS[this.code].exit;
  }

  /** The JSON body the API answers with. */
  body(): { error: ErrorCode; message: string } & Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

/** zod issues as the API returns them. */
export function issuesOf(error: ZodError): { path: PropertyKey[]; message: string }[] {
  return error.issues.map((i) => ({ path: i.path, message: i.message }));
}

/** A 400 for input that failed its schema; `what` names the input ("visit", "query", ...). */
export function invalid(what: string, error: ZodError, extra: Record<string, unknown> = {}): AppError {
  return new AppError('invalid-request', `${what}: ${describeIssues(error)}`, { issues: issuesOf(error), ...extra });
}

/** Parses with a schema or throws the 400 `invalid`. */
export function parseOr<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  what: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(what, r.error);
  return r.data;
}

const UNAVAILABLE =
  /ECONNREFUSED|UNAVAILABLE|failed to connect|DEADLINE_EXCEEDED|Failed to connect|No connection established/i;

/**
 * Any error as an AppError: Temporal's (unknown workflow, already started, an update refused by the
 * workflow's validator, no server), zod's, and the rest as `internal` (the cause is kept for the log).
 */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof ZodError) return new AppError('invalid-request', describeIssues(e), { issues: issuesOf(e) });
  if (e instanceof WorkflowNotFoundError) return new AppError('not-found', 'no such visit is being followed up');
  if (e instanceof WorkflowExecutionAlreadyStartedError) {
    return new AppError('exists', 'this visit is already being followed up');
  }
  if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
    const code = e.cause.type === FailureType.ActionNotAllowed ? 'not-allowed-now' : 'refused';
    return new AppError(code, e.cause.message, {}, { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  if (UNAVAILABLE.test(message))
    return new AppError('unavailable', `Temporal is not reachable: ${message}`, {}, { cause: e });
  return new AppError('internal', 'the request could not be completed', {}, { cause: e });
}

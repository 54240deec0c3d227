/**
 * Use cases on visits, one copy for every door: start, read, list and act, each checked against
 * the permission table and written to the audit trail. Temporal holds the truth; errors come out
 * of the error table.
 */
import { VisitStartRequest, visitIdOf } from '../contract';
import { ACTION_FIELDS, ACTION_PAYLOADS } from '../domain/actions';
import { mayAct, mayOperate, mayRead, viewFor, type Operation, type PartnerView } from '../domain/permissions';
import type { VisitStatus } from '../domain/visit';
import type { ActionName, Stage } from '../domain/vocabulary';
import { actOnVisit, listVisits, startVisit, visitStatus, type VisitListEntry } from '../infra/temporal/visits';
import type { AuditService } from './audit';
import { isOperator, type Caller, type CallerDoor, type ServiceDeps } from './context';
import { AppError, invalid, toAppError } from './errors';
import type { ZodError } from 'zod';

/** What a caller sees of a visit: the whole status (its role's actions only), or a partner's view. */
export type VisitView = VisitStatus | PartnerView;

export interface ListFilter {
  stage?: Stage;
  overdue?: boolean;
  state?: string;
}

/** Refuses an operation the caller's role may not perform (the operator may do anything). */
export function requireOperation(caller: Caller, op: Operation): void {
  if (!isOperator(caller) && !mayOperate(caller, op)) {
    throw new AppError('forbidden', `the ${caller.role} role may not ${op.replace('-', ' ')}`);
  }
}

export function viewOf(caller: Caller, status: VisitStatus): VisitView {
  return isOperator(caller) ? status : viewFor(caller, status);
}

const allowedIn = (view: VisitView): ActionName[] =>
  'allowedActions' in view ? view.allowedActions.map((a) => a.action) : [];

export function visitService(deps: ServiceDeps, audit: AuditService) {
  const now = deps.now ?? Date.now;

  /** The status from Temporal; a visit that does not exist is a 404. */
  const status = async (id: string): Promise<VisitStatus> => {
    try {
      return await visitStatus(await deps.temporal(), id);
    } catch (e) {
      const err = toAppError(e);
      throw err.code === 'not-found' ? new AppError('not-found', `no visit ${id}`) : err;
    }
  };

  /** The status if the caller may see the visit; otherwise the same 404 as a visit that does not exist. */
  const readable = async (caller: Caller, id: string): Promise<VisitStatus> => {
    const s = await status(id);
    if (!isOperator(caller) && !mayRead(caller, s)) throw new AppError('not-found', `no visit ${id}`);
    return s;
  };

  /** Sends the action to the workflow; its refusal (409/422) carries what the caller may do now. */
  const send = async (caller: Caller, door: CallerDoor, s: VisitStatus, action: ActionName, payload: object) => {
    const attempt = { caller, door, visitId: s.id, action, payload };
    try {
      const after = await actOnVisit(await deps.temporal(), s.id, {
        action,
        payload: payload as Record<string, unknown>,
        actor: { email: caller.email, ...(isOperator(caller) ? {} : { role: caller.role }) },
        door,
      });
      audit.record(attempt, 'accepted');
      return viewOf(caller, after);
    } catch (e) {
      const err = toAppError(e);
      if (err.code === 'not-allowed-now' || err.code === 'refused') {
        audit.record(attempt, 'refused', err.message);
        const allowedActions = allowedIn(viewOf(caller, await status(s.id)));
        throw new AppError(err.code, err.message, { allowedActions }, { cause: e });
      }
      // A closed or withdrawn visit's workflow has finished: it still answers queries, not updates.
      if (err.code === 'not-found') {
        audit.record(attempt, 'refused', `visit is ${s.stage}`);
        throw new AppError('not-allowed-now', `${action} is not allowed: visit ${s.id} is ${s.stage}`, {
          allowedActions: [],
        });
      }
      throw err;
    }
  };

  const authorize = async (
    caller: Caller,
    door: CallerDoor,
    visit: string | VisitStatus,
    action: ActionName,
    body: unknown,
  ) => {
    const s = typeof visit === 'string' ? await readable(caller, visit) : visit;
    if (!isOperator(caller) && !mayAct(caller, action, s)) {
      audit.record({ caller, door, visitId: s.id, action, payload: body }, 'refused', 'forbidden');
      throw new AppError('forbidden', `the ${caller.role} role may not ${action}`);
    }
    return s;
  };

  const refusePayload = (
    caller: Caller,
    door: CallerDoor,
    s: VisitStatus,
    action: ActionName,
    body: unknown,
    error: ZodError,
  ) => {
    audit.record({ caller, door, visitId: s.id, action, payload: body }, 'refused', 'invalid payload');
    return invalid(action, error, { fields: ACTION_FIELDS[action] });
  };

  return {
    status,
    readable,

    /** One visit as the caller may see it. */
    async view(caller: Caller, id: string): Promise<VisitView> {
      return viewOf(caller, await readable(caller, id));
    },

    /** Starts the follow-up of a visit: 400 for a bad request, 409 when it is already followed up. */
    async start(caller: Caller, door: CallerDoor, raw: unknown): Promise<{ id: string }> {
      requireOperation(caller, 'start-visit');
      const request = VisitStartRequest.safeParse(raw);
      if (!request.success) throw invalid('visit', request.error);
      const id = visitIdOf(request.data.number, request.data.state);
      try {
        await startVisit(await deps.temporal(), request.data, deps.policy, {
          ...(deps.taskQueue ? { taskQueue: deps.taskQueue } : {}),
        });
      } catch (e) {
        const err = toAppError(e);
        if (err.code === 'exists') throw new AppError('exists', `visit ${id} is already being followed up`);
        throw err;
      }
      audit.record({ caller, door, visitId: id, action: 'start-visit', payload: request.data }, 'accepted');
      return { id };
    },

    /** The visits the caller may see, from Temporal's visibility store; a partner sees shared reports only. */
    async list(caller: Caller, filter: ListFilter): Promise<(VisitListEntry | PartnerView)[]> {
      if (!isOperator(caller) && caller.role === 'state') {
        if (filter.state && filter.state !== caller.state) return [];
        filter = { ...filter, state: caller.state };
      }
      const client = await deps.temporal();
      const list = await listVisits(client, { ...filter, ...(filter.overdue === false ? { overdue: undefined } : {}) });
      if (isOperator(caller) || caller.role !== 'partner') {
        return list.filter((v) => filter.overdue !== false || !v.overdue);
      }
      const shared: PartnerView[] = [];
      for (const v of list.filter((x) => ['transmitting', 'implementing', 'closed'].includes(x.stage))) {
        const s = await visitStatus(client, v.id);
        if (mayRead(caller, s)) shared.push(viewFor(caller, s) as PartnerView);
      }
      return shared;
    },

    /** Checks an attempt before its payload is read: 404 for a visit the caller may not see, 403 (audited) for an action its role may not take. */
    authorize,

    /** The 400 for a payload that failed its action's schema, with the action's fields; the attempt is audited. */
    refusePayload,

    /** Sends an authorized, validated action to the workflow. */
    send,

    /**
     * Takes an action: 404 for a visit the caller may not see, 403 for an action its role may not
     * take, 400 (with the action's fields) for a bad payload, 409/422 when the workflow refuses.
     * Every attempt past the 404 is in the audit trail.
     */
    async act(caller: Caller, door: CallerDoor, visit: string | VisitStatus, action: ActionName, body: unknown) {
      const s = await authorize(caller, door, visit, action, body);
      const payload = ACTION_PAYLOADS[action].safeParse(body);
      if (!payload.success) throw refusePayload(caller, door, s, action, body, payload.error);
      return send(caller, door, s, action, payload.data);
    },

    /** The actions the caller may take on the visit now, with their fields. */
    async allowedActions(caller: Caller, id: string) {
      const view = viewOf(caller, await readable(caller, id));
      return 'allowedActions' in view ? view.allowedActions : [];
    },

    now,
  };
}
export type VisitService = ReturnType<typeof visitService>;

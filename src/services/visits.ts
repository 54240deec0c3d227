/**
 * Use cases on visits, one copy for every door: start, read, list and act, each checked against
 * the permission table and written to the audit trail. Temporal holds the truth; errors come out
 * of the error table.
 */
import type { ZodError } from 'zod';
import { VisitStartRequest, visitIdOf } from '../contract';
import { ACTION_FIELDS, ACTION_PAYLOADS } from '../domain/actions';
import { mayAct, mayOperate, mayRead, viewFor, type Operation, type PartnerView } from '../domain/permissions';
import type { VisitStatus } from '../domain/visit';
import type { ActionName, Stage } from '../domain/vocabulary';
import { actOnVisit, listVisits, startVisit, visitStatus, type VisitListEntry } from '../infra/temporal/visits';
import type { AuditService } from './audit';
import { isOperator, type Caller, type CallerDoor, type ServiceDeps } from './context';
import { AppError, invalid, toAppError } from './errors';

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

export class VisitService {
  constructor(
    private readonly deps: ServiceDeps,
    /** The audit trail every use case writes to. */
    readonly audit: AuditService,
  ) {}

  /** The status from Temporal; a visit that does not exist is a 404. */
  async status(id: string): Promise<VisitStatus> {
    try {
      return await visitStatus(await this.deps.temporal(), id);
    } catch (e) {
      const err = toAppError(e);
      throw err.code === 'not-found' ? new AppError('not-found', `no visit ${id}`) : err;
    }
  }

  /** The status if the caller may see the visit; otherwise the same 404 as a visit that does not exist. */
  async readable(caller: Caller, id: string): Promise<VisitStatus> {
    const s = await this.status(id);
    if (!isOperator(caller) && !mayRead(caller, s)) throw new AppError('not-found', `no visit ${id}`);
    return s;
  }

  /** One visit as the caller may see it. */
  async view(caller: Caller, id: string): Promise<VisitView> {
    return viewOf(caller, await this.readable(caller, id));
  }

  /** The actions the caller may take on the visit now, with their fields. */
  async allowedActions(caller: Caller, id: string) {
    const view = await this.view(caller, id);
    return 'allowedActions' in view ? view.allowedActions : [];
  }

  /** Starts the follow-up of a visit: 400 for a bad request, 409 when it is already followed up. */
  async start(caller: Caller, door: CallerDoor, raw: unknown): Promise<{ id: string }> {
    requireOperation(caller, 'start-visit');
    const request = VisitStartRequest.safeParse(raw);
    if (!request.success) throw invalid('visit', request.error);
    const id = visitIdOf(request.data.number, request.data.state);
    try {
      const taskQueue = this.deps.taskQueue;
      await startVisit(await this.deps.temporal(), request.data, this.deps.policy, taskQueue ? { taskQueue } : {});
    } catch (e) {
      const err = toAppError(e);
      throw err.code === 'exists' ? new AppError('exists', `visit ${id} is already being followed up`) : err;
    }
    this.audit.record({ caller, door, visitId: id, action: 'start-visit', payload: request.data }, 'accepted');
    return { id };
  }

  /** The visits the caller may see, from Temporal's visibility store; a partner sees shared reports only. */
  async list(caller: Caller, filter: ListFilter): Promise<(VisitListEntry | PartnerView)[]> {
    if (!isOperator(caller) && caller.role === 'state') {
      if (filter.state && filter.state !== caller.state) return [];
      filter = { ...filter, state: caller.state };
    }
    const client = await this.deps.temporal();
    const list = await listVisits(client, filter);
    if (isOperator(caller) || caller.role !== 'partner')
      return list.filter((v) => filter.overdue !== false || !v.overdue);
    const shared: PartnerView[] = [];
    for (const v of list.filter((x) => ['transmitting', 'implementing', 'closed'].includes(x.stage))) {
      const s = await visitStatus(client, v.id);
      if (mayRead(caller, s)) shared.push(viewFor(caller, s) as PartnerView);
    }
    return shared;
  }

  /**
   * Takes an action: 404 for a visit the caller may not see, 403 for an action its role may not
   * take, 400 (with the action's fields) for a bad payload, 409/422 when the workflow refuses.
   * Every attempt past the 404 is in the audit trail.
   */
  async act(caller: Caller, door: CallerDoor, visit: string | VisitStatus, action: ActionName, body: unknown) {
    const s = await this.authorize(caller, door, visit, action, body);
    const payload = ACTION_PAYLOADS[action].safeParse(body);
    if (!payload.success) throw this.refusePayload(caller, door, s, action, body, payload.error);
    return this.send(caller, door, s, action, payload.data);
  }

  /** Checks an attempt before its payload is read: 404 for a visit the caller may not see, 403 (audited) for an action its role may not take. */
  async authorize(caller: Caller, door: CallerDoor, visit: string | VisitStatus, action: ActionName, body: unknown) {
    const s = typeof visit === 'string' ? await this.readable(caller, visit) : visit;
    if (!isOperator(caller) && !mayAct(caller, action, s)) {
      this.audit.record({ caller, door, visitId: s.id, action, payload: body }, 'refused', 'forbidden');
      throw new AppError('forbidden', `the ${caller.role} role may not ${action}`);
    }
    return s;
  }

  /** The 400 for a payload that failed its action's schema, with the action's fields; the attempt is audited. */
  refusePayload(caller: Caller, door: CallerDoor, s: VisitStatus, action: ActionName, body: unknown, error: ZodError) {
    this.audit.record({ caller, door, visitId: s.id, action, payload: body }, 'refused', 'invalid payload');
    return invalid(action, error, { fields: ACTION_FIELDS[action] });
  }

  /** Sends an authorized, validated action to the workflow; its refusal (409/422) carries what the caller may do now. */
  async send(caller: Caller, door: CallerDoor, s: VisitStatus, action: ActionName, payload: object) {
    const attempt = { caller, door, visitId: s.id, action, payload };
    const actor = { email: caller.email, ...(isOperator(caller) ? {} : { role: caller.role }) };
    try {
      const after = await actOnVisit(await this.deps.temporal(), s.id, {
        action,
        payload: payload as Record<string, unknown>,
        actor,
        door,
      });
      this.audit.record(attempt, 'accepted');
      return viewOf(caller, after);
    } catch (e) {
      throw await this.refused(attempt, s, e);
    }
  }

  /** The error for an action the workflow refused, with the actions allowed now (audited). */
  private async refused(attempt: Parameters<AuditService['record']>[0], s: VisitStatus, e: unknown) {
    const err = toAppError(e);
    if (err.code === 'not-allowed-now' || err.code === 'refused') {
      this.audit.record(attempt, 'refused', err.message);
      const allowedActions = allowedIn(viewOf(attempt.caller, await this.status(s.id)));
      return new AppError(err.code, err.message, { allowedActions }, { cause: e });
    }
    // A closed or withdrawn visit's workflow has finished: it still answers queries, not updates.
    if (err.code === 'not-found') {
      this.audit.record(attempt, 'refused', `visit is ${s.stage}`);
      return new AppError('not-allowed-now', `${attempt.action} is not allowed: visit ${s.id} is ${s.stage}`, {
        allowedActions: [],
      });
    }
    return err;
  }
}

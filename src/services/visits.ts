/**
 * Use cases on visits, one copy for every door: start, read, list and act, each checked against
 * the permission table and written to the audit trail. Temporal holds the truth; errors come out
 * of the error table.
 */
import { z, type ZodError } from 'zod';
import { VisitStartRequest, visitIdOf } from '../contract';
import { ACTION_FIELDS, ACTION_PAYLOADS } from '../domain/actions';
import {
  mayAct,
  mayOperate,
  mayRead,
  onBehalfRefusal,
  PERMISSIONS,
  type Operation,
  type Principal,
} from '../domain/permissions';
import type { AllowedAction, VisitStatus } from '../domain/visit';
import {
  isPartnerView,
  isStateView,
  project,
  type PartnerView,
  type StateView,
  type VisitView as RoleView,
} from '../domain/views';
import type { ActionName } from '../domain/vocabulary';
import type { SentMessage, Store, VisitPageQuery, VisitSnapshot } from '../infra/store/store';
import { actOnVisit, startVisit, visitStatus, type VisitListEntry } from '../infra/temporal/visits';
import type { AuditService } from './audit';
import { isOperator, type Caller, type CallerDoor, type ServiceDeps } from './context';
import { AppError, invalid, toAppError } from './errors';

/** What a caller sees of a visit: its role's view (domain/views), or the whole status for the operator. */
export type VisitView = RoleView | VisitStatus;

export interface ListFilter {
  /** A stage of the main track, or (for a State) one of the State's own stages. */
  stage?: string;
  overdue?: boolean;
  state?: string;
}

/** The stages in which a State's consent can share its report with partners. */
const SHARED_STAGES = ['transmitting', 'implementing', 'closed'] as const;

/** A page's cursor: the last visit's number and id, opaque to clients (base64url JSON). */
export function cursorOf(v: { number: number; id: string }): string {
  return Buffer.from(JSON.stringify([v.number, v.id])).toString('base64url');
}

// A visit's number (the store's INTEGER) and id, as visit ids are made: nothing else reaches a query.
const CursorKey = z.tuple([z.number().int().nonnegative().max(2_147_483_647), z.string().regex(/^\d{1,10}-[A-Z]{3}$/)]);

export function cursorKey(cursor: string): { number: number; id: string } {
  try {
    const [number, id] = CursorKey.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { number, id };
  } catch {
    throw new AppError('invalid-request', "cursor: not a cursor this API gave (use the Link header's next URL)");
  }
}

/**
 * A page of entries a filter in code selects from the store's pages: reads store pages until
 * `limit` entries are accepted or none are left; the cursor is the last visit examined.
 */
async function pageThrough<T>(
  store: Store,
  q: Omit<VisitPageQuery, 'limit' | 'after'>,
  limit: number,
  after: VisitPageQuery['after'],
  accept: (s: VisitSnapshot) => T | undefined,
): Promise<{ entries: T[]; next?: string }> {
  const entries: T[] = [];
  for (;;) {
    const found = await store.visitPage({ ...q, limit, ...(after ? { after } : {}) });
    for (const s of found.visits) {
      if (entries.length === limit) return { entries, next: cursorOf(after!) };
      after = { number: s.number, id: s.id };
      const entry = accept(s);
      if (entry !== undefined) entries.push(entry);
    }
    if (!found.more || !after) return { entries };
  }
}

/** Refuses an operation the caller's role may not perform (the operator may do anything). */
export function requireOperation(caller: Caller, op: Operation): void {
  if (!isOperator(caller) && !mayOperate(caller, op)) {
    throw new AppError('forbidden', `the ${caller.role} role may not ${op.replace('-', ' ')}`);
  }
}

/** The visit as the caller may see it: its role's projection (with the messages it may see), the status for the operator. */
export function viewOf(caller: Principal, status: VisitStatus, messages?: readonly SentMessage[]): RoleView;
export function viewOf(caller: Caller, status: VisitStatus, messages?: readonly SentMessage[]): VisitView;
export function viewOf(caller: Caller, status: VisitStatus, messages?: readonly SentMessage[]): VisitView {
  return isOperator(caller) ? status : project(caller, status, messages);
}

/** A State's visit as a list entry, from its own view: its stage, its next deadline, whether it is late. */
function listEntryOf(v: StateView): VisitListEntry {
  const { id, stage, state, type, nextDeadline, overdue, groupId } = v;
  return { id, stage, state, type, nextDeadline, overdue, ...(groupId ? { group: groupId } : {}) };
}

/**
 * The actions the caller may take now. A partner's view carries none, yet its answers to the needs
 * referred to it are its to give: the same filter every view's actions go through (`mayAct`).
 */
function allowedFor(caller: Caller, s: VisitStatus): AllowedAction[] {
  if (isOperator(caller)) {
    const view = viewOf(caller, s);
    return 'allowedActions' in view ? view.allowedActions : [];
  }
  return s.allowedActions.filter((a) => mayAct(caller, a.action, s));
}

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

  /** One visit as the caller may see it, with the messages sent about it that the caller may see. */
  async view(caller: Principal, id: string): Promise<RoleView>;
  async view(caller: Caller, id: string): Promise<VisitView>;
  async view(caller: Caller, id: string): Promise<VisitView> {
    const s = await this.readable(caller, id);
    return viewOf(caller, s, await this.messagesFor(caller, s.id));
  }

  /** The messages sent about a visit, for a role's view (the operator's status carries none). */
  private async messagesFor(caller: Caller, id: string): Promise<SentMessage[] | undefined> {
    return isOperator(caller) || caller.role === 'partner' ? undefined : this.deps.store().messages(id);
  }

  /** The actions the caller may take on the visit now, with their fields. */
  async allowedActions(caller: Caller, id: string) {
    return allowedFor(caller, await this.readable(caller, id));
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
    await this.audit.record({ caller, door, visitId: id, action: 'start-visit', payload: request.data }, 'accepted');
    return { id };
  }

  /**
   * One page of the visits the caller may see, from the store's `visits` projection (keyset by
   * number then id; never a listing of every workflow). A State's entries come from its own views
   * (its stages, its deadlines; the filters apply to them); a partner sees shared reports only. A
   * page holds at most `limit` entries; `next` is the cursor of the page after it, if any.
   */
  async page(
    caller: Caller,
    filter: ListFilter,
    page: { limit: number; cursor?: string },
  ): Promise<{ entries: (VisitListEntry | PartnerView)[]; next?: string }> {
    const now = (this.deps.now ?? Date.now)();
    const late = (deadline: string | null) => deadline !== null && Date.parse(deadline) < now;
    const after = page.cursor === undefined ? undefined : cursorKey(page.cursor);
    if (isOperator(caller) || (caller.role !== 'state' && caller.role !== 'partner')) {
      const q: VisitPageQuery = {
        limit: page.limit,
        ...(filter.state ? { state: filter.state } : {}),
        ...(filter.stage ? { stage: filter.stage } : {}),
        ...(filter.overdue !== undefined ? { overdue: filter.overdue, now: new Date(now).toISOString() } : {}),
        ...(after ? { after } : {}),
      };
      const found = await this.deps.store().visitPage(q);
      const entries = found.visits.map((v) => ({
        id: v.id,
        stage: v.stage,
        state: v.state,
        type: v.type,
        nextDeadline: v.nextDeadline,
        overdue: late(v.nextDeadline),
        ...(v.groupId ? { group: v.groupId } : {}),
      }));
      const last = found.visits.at(-1);
      return { entries, ...(found.more && last ? { next: cursorOf(last) } : {}) };
    }
    if (caller.role === 'state') {
      if (!caller.state || (filter.state && filter.state !== caller.state)) return { entries: [] };
      return pageThrough(this.deps.store(), { state: caller.state }, page.limit, after, (s) => {
        const view = mayRead(caller, s) ? project(caller, s) : undefined;
        if (!view || !isStateView(view)) return undefined;
        const entry = { ...listEntryOf(view), overdue: late(view.nextDeadline) };
        if (filter.stage !== undefined && entry.stage !== filter.stage) return undefined;
        if (filter.overdue !== undefined && entry.overdue !== filter.overdue) return undefined;
        return entry;
      });
    }
    const shared = { stages: SHARED_STAGES, ...(filter.state ? { state: filter.state } : {}) };
    return pageThrough(this.deps.store(), shared, page.limit, after, (s) => {
      const view = mayRead(caller, s) ? project(caller, s) : undefined;
      return view && isPartnerView(view) ? view : undefined;
    });
  }

  /** Every visit the caller may see (the CLI's list): every page, in order. */
  async list(caller: Caller, filter: ListFilter): Promise<(VisitListEntry | PartnerView)[]> {
    const all: (VisitListEntry | PartnerView)[] = [];
    for (let cursor: string | undefined, pages = 0; pages < 100_000; pages++) {
      const { entries, next } = await this.page(caller, filter, { limit: 500, ...(cursor ? { cursor } : {}) });
      all.push(...entries);
      if (!next) break;
      cursor = next;
    }
    return all;
  }

  /**
   * Takes an action: 404 for a visit the caller may not see, 403 for an action its role may not
   * take, 400 (with the action's fields) for a bad payload, 409/422 when the workflow refuses.
   * Every attempt past the 404 is in the audit trail.
   */
  async act(
    caller: Principal,
    door: CallerDoor,
    visit: string | VisitStatus,
    action: ActionName,
    body: unknown,
  ): Promise<RoleView>;
  async act(
    caller: Caller,
    door: CallerDoor,
    visit: string | VisitStatus,
    action: ActionName,
    body: unknown,
  ): Promise<VisitView>;
  async act(caller: Caller, door: CallerDoor, visit: string | VisitStatus, action: ActionName, body: unknown) {
    const s = await this.authorize(caller, door, visit, action, body);
    const payload = ACTION_PAYLOADS[action].safeParse(body);
    if (!payload.success) throw await this.refusePayload(caller, door, s, action, body, payload.error);
    return this.send(caller, door, s, action, payload.data);
  }

  /**
   * Checks an attempt before its payload is read: 404 for a visit the caller may not see, 403
   * (audited) for an action its role may not take. Whom a valid payload speaks for is checked in `send`.
   */
  async authorize(caller: Caller, door: CallerDoor, visit: string | VisitStatus, action: ActionName, body: unknown) {
    const s = typeof visit === 'string' ? await this.readable(caller, visit) : visit;
    if (isOperator(caller)) return s;
    const refuse = async (message: string) => {
      await this.audit.record({ caller, door, visitId: s.id, action, payload: body }, 'refused', 'forbidden');
      return new AppError('forbidden', message);
    };
    if (!PERMISSIONS[caller.role][action]) throw await refuse(`the ${caller.role} role may not ${action}`);
    return s;
  }

  /** The 400 for a payload that failed its action's schema, with the action's fields; the attempt is audited. */
  async refusePayload(
    caller: Caller,
    door: CallerDoor,
    s: VisitStatus,
    action: ActionName,
    body: unknown,
    error: ZodError,
  ) {
    await this.audit.record({ caller, door, visitId: s.id, action, payload: body }, 'refused', 'invalid payload');
    return invalid(action, error, { fields: ACTION_FIELDS[action] });
  }

  /** Sends an authorized, validated action to the workflow; its refusal (409/422) carries what the caller may do now. */
  async send(
    caller: Principal,
    door: CallerDoor,
    s: VisitStatus,
    action: ActionName,
    payload: object,
  ): Promise<RoleView>;
  async send(caller: Caller, door: CallerDoor, s: VisitStatus, action: ActionName, payload: object): Promise<VisitView>;
  async send(caller: Caller, door: CallerDoor, s: VisitStatus, action: ActionName, payload: object) {
    const attempt = { caller, door, visitId: s.id, action, payload };
    // A valid payload may still speak for someone the caller may not: a reply for another State, another member's hold.
    if (!isOperator(caller) && !mayAct(caller, action, s, payload as Record<string, unknown>)) {
      await this.audit.record(attempt, 'refused', 'forbidden');
      throw new AppError('forbidden', onBehalfRefusal(caller, action, s));
    }
    const actor = { email: caller.email, ...(isOperator(caller) ? {} : { role: caller.role }) };
    try {
      const after = await actOnVisit(await this.deps.temporal(), s.id, {
        action,
        payload: payload as Record<string, unknown>,
        actor,
        door,
      });
      await this.audit.record(attempt, 'accepted');
      return viewOf(caller, after, await this.messagesFor(caller, s.id));
    } catch (e) {
      throw await this.refused(attempt, s, e);
    }
  }

  /** The error for an action the workflow refused, with the actions allowed now (audited). */
  private async refused(attempt: Parameters<AuditService['record']>[0], s: VisitStatus, e: unknown) {
    const err = toAppError(e);
    if (err.code === 'not-allowed-now' || err.code === 'refused') {
      await this.audit.record(attempt, 'refused', err.message);
      const allowedActions = allowedFor(attempt.caller, await this.status(s.id)).map((a) => a.action);
      return new AppError(err.code, err.message, { allowedActions }, { cause: e });
    }
    // A closed or withdrawn visit's workflow has finished: it still answers queries, not updates.
    if (err.code === 'not-found') {
      await this.audit.record(attempt, 'refused', `visit is ${s.stage}`);
      return new AppError('not-allowed-now', `${attempt.action} is not allowed: visit ${s.id} is ${s.stage}`, {
        allowedActions: [],
      });
    }
    return err;
  }
}

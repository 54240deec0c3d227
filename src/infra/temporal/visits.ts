/** Client-side operations on visits, shared by the CLI, the API and the tests. */
import { openRecommendations } from '../../domain/recommendations/register';
import { readRegister } from './register';
import { WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  SA,
  TASK_QUEUE,
  VisitStartRequest,
  actUpdate,
  statusQuery,
  visitIdOf,
  workflowIdOf,
  type ActRequest,
  type VisitInput,
} from '../../contract';
import type { Policy } from '../../domain/policy';
import type { VisitStatus } from '../../domain/visit';

export interface StartOptions {
  taskQueue?: string;
  /** Reminders planned before this instant are not sent (imports of past visits). */
  remindersFrom?: Date;
  /** The State's open recommendations, when the caller already read them (an import reads each State's register once). */
  earlier?: (state: string) => Promise<EarlierRecommendations>;
}

type EarlierRecommendations = ReturnType<typeof openRecommendations>;

/** The open recommendations of a State, from its register (none when it has no register yet). */
export async function earlierOf(client: Client, state: string): Promise<EarlierRecommendations> {
  const register = await readRegister(client, state);
  return register ? openRecommendations(register.records) : [];
}

/** A reader of States' open recommendations that reads each State's register once (for an import). */
export function earlierOnce(client: Client): (state: string) => Promise<EarlierRecommendations> {
  const read = new Map<string, Promise<EarlierRecommendations>>();
  return (state) => {
    let p = read.get(state);
    if (!p) read.set(state, (p = earlierOf(client, state)));
    return p;
  };
}

/** Starts the follow-up of one visit; its id is `<number>-<ISO3>`. Refuses a visit id already running. */
export async function startVisit(
  client: Client,
  raw: unknown,
  policy: Policy,
  opts: StartOptions = {},
): Promise<{ id: string; handle: WorkflowHandle }> {
  const request = VisitStartRequest.parse(raw);
  const id = visitIdOf(request.number, request.state);
  // The State's recommendations still open: the visit starts from them (a follow-up visit assesses them).
  const earlier = await (opts.earlier ?? ((state: string) => earlierOf(client, state)))(request.state);
  const input: VisitInput = {
    request,
    policy,
    ...(opts.remindersFrom ? { remindersFrom: opts.remindersFrom.toISOString() } : {}),
    ...(earlier.length ? { earlier } : {}),
  };
  const handle = await client.workflow.start('visitFollowUp', {
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowId: workflowIdOf(id),
    args: [input],
    // A closed visit's id stays taken: its history is the record.
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: SA.stage, value: 'drafting' },
      { key: SA.state, value: request.state },
      { key: SA.type, value: request.type },
      ...(request.groupId ? [{ key: SA.group, value: request.groupId }] : []),
    ],
  });
  return { id, handle };
}

export function visitHandle(client: Client, id: string): WorkflowHandle {
  return client.workflow.getHandle(workflowIdOf(id));
}

const inFlight = new WeakMap<Client, Map<string, Promise<VisitStatus>>>();
const finished = new WeakMap<Client, Map<string, VisitStatus>>();
const FINISHED_KEPT = 2_000;

function mapFor<V>(maps: WeakMap<Client, Map<string, V>>, client: Client): Map<string, V> {
  let map = maps.get(client);
  if (!map) maps.set(client, (map = new Map()));
  return map;
}

/**
 * The status query. A withdrawn visit never changes again (its id cannot be reused), nor does a
 * closed one that takes no more actions, so its last status is kept; and concurrent asks share one query. Both because a closed visit's
 * query is answered by replaying its whole history, and the worker drops all but one of several
 * queries buffered for the same closed run (each of the others then times out after 30 s).
 */
export function visitStatus(client: Client, id: string): Promise<VisitStatus> {
  const done = mapFor(finished, client);
  const kept = done.get(id);
  if (kept) return Promise.resolve(kept);
  const queries = mapFor(inFlight, client);
  const pending = queries.get(id);
  if (pending) return pending;
  const query = visitHandle(client, id)
    .query(statusQuery)
    .then((status) => {
      // Withdrawn is final. A closed visit of the first rules is too; one of the second still takes consent.
      if (status.stage === 'withdrawn' || (status.stage === 'closed' && !status.allowedActions.length)) {
        if (done.size >= FINISHED_KEPT) done.delete(done.keys().next().value!);
        done.set(id, status);
      }
      return status;
    })
    .finally(() => queries.delete(id));
  queries.set(id, query);
  return query;
}

export async function actOnVisit(client: Client, id: string, req: ActRequest): Promise<VisitStatus> {
  return visitHandle(client, id).executeUpdate(actUpdate, { args: [req] });
}

export interface VisitListEntry {
  id: string;
  stage: string;
  state: string;
  type: string;
  nextDeadline: string | null;
  overdue: boolean;
  group?: string;
}

/** Lists visits from Temporal's visibility store, filtered by search attributes. */
export async function listVisits(
  client: Client,
  filter: { stage?: string; overdue?: boolean; state?: string } = {},
): Promise<VisitListEntry[]> {
  const clauses = [`WorkflowType = 'visitFollowUp'`];
  if (filter.stage) clauses.push(`VisitStage = '${filter.stage.replace(/'/g, '')}'`);
  if (filter.state) clauses.push(`MemberState = '${filter.state.replace(/'/g, '')}'`);
  if (filter.overdue) clauses.push('Overdue = true');
  const out: VisitListEntry[] = [];
  for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
    const sa = wf.typedSearchAttributes;
    const next = sa.get(SA.nextDeadline);
    const group = sa.get(SA.group);
    out.push({
      id: wf.workflowId.replace(/^visit-/, ''),
      stage: sa.get(SA.stage) ?? 'unknown',
      state: sa.get(SA.state) ?? '',
      type: sa.get(SA.type) ?? '',
      nextDeadline: next ? next.toISOString() : null,
      overdue: sa.get(SA.overdue) ?? false,
      ...(group ? { group } : {}),
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

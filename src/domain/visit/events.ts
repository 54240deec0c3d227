/** How a step records what happened (events) and who must hear of it (notices). */
import type { Recipient } from '../vocabulary';
import type { Effects, Notice, UncheckedCommand, VisitEvent, VisitState } from './state';

/** An instant as the ISO 8601 text events, notices and statuses carry. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** A step's effects, empty to start with. */
export function noEffects(): Effects {
  return { events: [], notices: [] };
}

/** Appends an event to the history and to the step's effects; with no command, the engine acted. */
export function pushEvent(
  state: VisitState,
  effects: Effects,
  type: string,
  atMs: number,
  cmd?: Pick<UncheckedCommand, 'actor' | 'door'>,
  payload?: Readonly<Record<string, unknown>>,
): VisitEvent {
  const ev: VisitEvent = {
    seq: state.history.length + 1,
    type,
    at: iso(atMs),
    stage: state.stage,
    ...(cmd
      ? { actor: cmd.actor.email, ...(cmd.actor.role ? { role: cmd.actor.role } : {}), door: cmd.door }
      : { door: 'engine' }),
    ...(payload && Object.keys(payload).length ? { payload } : {}),
  };
  state.history.push(ev);
  effects.events.push(ev);
  return ev;
}

/** Queues a notice about an event; keyed by the event, so a retried activity sends it once. */
export function notify(
  state: VisitState,
  effects: Effects,
  ev: VisitEvent,
  topic: string,
  to: Recipient[],
  extra: Partial<Pick<Notice, 'item' | 'deadline' | 'details'>> & { keyPart?: string } = {},
): void {
  if (to.length === 0) return;
  const { keyPart, ...rest } = extra;
  effects.notices.push({
    // One event may notify of several items (a calendar moving several deadlines): each its own key.
    key: `${state.visit.id}:event:${ev.seq}:${topic}${keyPart ? `:${keyPart}` : ''}`,
    topic,
    kind: 'event',
    to,
    at: ev.at,
    visit: state.visit,
    ...rest,
  });
}

/**
 * The bare Temporal workflow the engine is measured against (bundled on its own by the benchmark).
 * It has the engine's shape and nothing else: it takes the same `act` updates and answers each at
 * once, and its main loop then records each action through one activity (the engine's update also
 * answers with the new status, and its main loop then records the events). No state machine, no
 * clocks, reminders, notices or search attributes.
 */
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BareEntry {
  visit: string;
  step: number;
  action: string;
  actor: string;
}

export interface BareActivities {
  /** Records one action (the benchmark's activity keeps it in memory). */
  record(entry: BareEntry): Promise<number>;
}

const { record } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/** The same name and arguments as the engine's `act` update (src/contract.ts). */
export const bareAct = defineUpdate<{ step: number }, [{ action: string; actor: { email: string } }]>('act');

/** Takes `steps` updates, records each through one activity, then completes. */
export async function bareVisit(input: { id: string; steps: number }): Promise<number> {
  const queue: BareEntry[] = [];
  let taken = 0;
  let recorded = 0;
  setHandler(bareAct, (req) => {
    queue.push({ visit: input.id, step: ++taken, action: req.action, actor: req.actor.email });
    return { step: taken };
  });
  while (recorded < input.steps) {
    await condition(() => queue.length > 0);
    for (const entry of queue.splice(0)) {
      await record(entry);
      recorded++;
    }
  }
  await allHandlersFinished();
  return recorded;
}

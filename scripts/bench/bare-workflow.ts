/**
 * The bare Temporal workflow the engine is measured against (bundled on its own by the benchmark):
 * it takes the same `act` updates the engine's visit takes, and records each through one activity,
 * with no state machine, clocks, reminders, search attributes or notices.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BareActivities {
  /** Records one action (the benchmark's activity keeps it in memory). */
  record(entry: { visit: string; step: number; action: string; actor: string }): Promise<number>;
}

const { record } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/** The same name and arguments as the engine's `act` update (src/contract.ts). */
export const bareAct = defineUpdate<{ step: number }, [{ action: string; actor: { email: string } }]>('act');

/** Takes `steps` updates, each recorded by one activity before it answers, then completes. */
export async function bareVisit(input: { id: string; steps: number }): Promise<number> {
  let recorded = 0;
  let taken = 0;
  setHandler(bareAct, async (req) => {
    const step = ++taken;
    await record({ visit: input.id, step, action: req.action, actor: req.actor.email });
    recorded++;
    return { step };
  });
  await condition(() => recorded >= input.steps);
  return recorded;
}

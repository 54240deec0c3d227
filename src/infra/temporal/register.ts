/** Client-side reads of the States' registers of recommendations (one workflow per State). */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { registerQuery, registerWorkflowIdOf } from '../../contract';
import { RegisterState } from '../../domain/recommendations/model';

const PREFIX = registerWorkflowIdOf('');

/** A State's register, or null when no visit of that State has fed one yet. */
export async function readRegister(client: Client, state: string): Promise<RegisterState | null> {
  try {
    const raw = await client.workflow.getHandle(registerWorkflowIdOf(state)).query(registerQuery);
    return RegisterState.parse(raw);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
}

/** The States (ISO3, sorted) that have a register running. */
export async function listRegisterStates(client: Client): Promise<string[]> {
  const states = new Set<string>();
  const runs = client.workflow.list({ query: `WorkflowType = 'stateRegister' AND ExecutionStatus = 'Running'` });
  for await (const wf of runs) {
    const state = wf.workflowId.startsWith(PREFIX) ? wf.workflowId.slice(PREFIX.length) : '';
    if (/^[A-Z]{3}$/.test(state)) states.add(state);
  }
  return [...states].sort();
}

/** Every State's register, in ISO3 order, a few queries at a time. */
export async function readAllRegisters(client: Client, concurrency = 8): Promise<RegisterState[]> {
  const states = await listRegisterStates(client);
  const found: (RegisterState | null)[] = new Array(states.length).fill(null);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < states.length; i = next++) found[i] = await readRegister(client, states[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, states.length) }, lane));
  return found.filter((r): r is RegisterState => r !== null);
}

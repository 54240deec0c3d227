/**
 * A State's register of recommendations: one long-lived workflow per Member State (`register-POL`),
 * fed by its visits through `registerChange` signals (each applied once, by `<visit id>#<seq>`) and
 * read with the `register` query. It never ends: after enough changes, or when the server suggests
 * it, it continues as new with the register as its input.
 */
import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { registerChangeSignal, registerQuery, type RegisterInput } from '../src/contract';
import { RegisterChange } from '../src/domain/recommendations/model';
import { applyChange, emptyRegister } from '../src/domain/recommendations/register';

/** Changes one run takes before it continues as new. */
export const CONTINUE_AFTER = 2000;

export async function stateRegister(input: RegisterInput): Promise<never> {
  const register = input.register ?? emptyRegister(input.state);
  const limit = input.continueAfter ?? CONTINUE_AFTER;
  // Every signal counts toward the limit, duplicates too: each one lengthens this run's history.
  let received = 0;

  setHandler(registerChangeSignal, (raw: unknown) => {
    received++;
    const parsed = RegisterChange.safeParse(raw);
    if (!parsed.success) {
      log.warn('register change refused', { state: input.state, issues: parsed.error.issues.slice(0, 5) });
      return;
    }
    applyChange(register, parsed.data);
  });
  setHandler(registerQuery, () => register);

  await condition(() => received >= limit || workflowInfo().continueAsNewSuggested);
  // Handlers apply each signal synchronously; a signal that arrives after this point fails the
  // continue-as-new command and is delivered to this run first, so none is lost.
  await condition(allHandlersFinished);
  return continueAsNew<typeof stateRegister>({
    state: input.state,
    register,
    ...(input.continueAfter !== undefined ? { continueAfter: input.continueAfter } : {}),
  });
}

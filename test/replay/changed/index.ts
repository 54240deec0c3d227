/**
 * A deliberately incompatible change, for the negative replay test: a timer before everything
 * else, not behind patched(). Replaying a committed history against it must fail.
 */
import { sleep } from '@temporalio/workflow';
import type { VisitInput } from '../../../src/contract';
import { visitFollowUp as current } from '../../../workflows/visit-follow-up';

export async function visitFollowUp(input: VisitInput) {
  await sleep('1 minute');
  return current(input);
}

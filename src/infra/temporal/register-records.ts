/**
 * The records of some States' registers, read by query a few at a time: the annual list reads the
 * registers of the States it lists (by id, not from the visibility store, which lags behind).
 */
import type { Client } from '@temporalio/client';
import type { RecommendationRecord } from '../../domain/recommendations/model';
import { readRegister } from './register';

/** Every record of these States' registers; a State no visit has fed yet has none. */
export async function recordsOfStates(
  client: Client,
  states: readonly string[],
  concurrency = 8,
): Promise<RecommendationRecord[]> {
  const unique = [...new Set(states)];
  const found: RecommendationRecord[][] = unique.map(() => []);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < unique.length; i = next++)
      found[i] = (await readRegister(client, unique[i]!))?.records ?? [];
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, lane));
  return found.flat();
}

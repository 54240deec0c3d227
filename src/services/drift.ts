/**
 * The dashboard reads the store; Temporal holds the truth. This compares the two: a visit Temporal
 * knows that the store lacks, one the store has that Temporal does not, or a different stage.
 */
import type { VisitSnapshot } from '../infra/store/store';
import type { VisitListEntry } from '../infra/temporal/visits';

export interface Drift {
  id: string;
  problem: string;
}

export function findDrift(temporal: VisitListEntry[], store: VisitSnapshot[]): Drift[] {
  const inStore = new Map(store.map((s) => [s.id, s]));
  const inTemporal = new Map(temporal.map((t) => [t.id, t]));
  const out: Drift[] = [];
  for (const t of temporal) {
    const s = inStore.get(t.id);
    if (!s) out.push({ id: t.id, problem: `in Temporal (stage ${t.stage}) but not in the store` });
    else if (s.stage !== t.stage)
      out.push({ id: t.id, problem: `stage ${s.stage} in the store, ${t.stage} in Temporal` });
  }
  for (const s of store)
    if (!inTemporal.has(s.id)) out.push({ id: s.id, problem: `in the store (stage ${s.stage}) but not in Temporal` });
  return out.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

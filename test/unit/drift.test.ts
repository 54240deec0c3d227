/** The drift check between Temporal's list of visits and the store's read model. */
import { describe, expect, it } from 'vitest';
import { findDrift } from '../../src/services/drift';
import type { VisitSnapshot } from '../../src/infra/store/store';
import type { VisitListEntry } from '../../src/infra/temporal/visits';

const t = (id: string, stage: string): VisitListEntry => ({
  id,
  stage,
  state: id.slice(-3),
  type: 'focused',
  nextDeadline: null,
  overdue: false,
});
const s = (id: string, stage: string) => ({ id, stage }) as unknown as VisitSnapshot;

describe('findDrift', () => {
  it('reports nothing when both sides agree', () => {
    expect(
      findDrift([t('10-NOR', 'drafting'), t('9-CHL', 'closed')], [s('9-CHL', 'closed'), s('10-NOR', 'drafting')]),
    ).toEqual([]);
  });

  it('names visits missing on either side and stages that differ, in visit-number order', () => {
    expect(
      findDrift(
        [t('10-NOR', 'state-review'), t('2-PER', 'drafting')],
        [s('10-NOR', 'drafting'), s('3-GHA', 'implementing')],
      ),
    ).toEqual([
      { id: '2-PER', problem: 'in Temporal (stage drafting) but not in the store' },
      { id: '3-GHA', problem: 'in the store (stage implementing) but not in Temporal' },
      { id: '10-NOR', problem: 'stage drafting in the store, state-review in Temporal' },
    ]);
  });
});

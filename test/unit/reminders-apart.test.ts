/**
 * The reminder bookkeeping of notices-apart: an action that closes a step whose reminders fell due
 * while the workflow was behind records them as skipped (never silently dropped), and a reminder the
 * mail server took late says so in its record.
 */
import { describe, expect, it } from 'vitest';
import {
  applyAction,
  initialState,
  noteReminderDelivered,
  skipDueClosedBy,
  takeDueReminders,
  dueReminders,
  type VisitState,
  type VisitSummary,
} from '../../src/domain/visit';
import type { ActionName } from '../../src/domain/vocabulary';
import { resolvePolicy } from '../../src/infra/policy/loader';

const POLICY = resolvePolicy();
const VISIT: VisitSummary = {
  id: '166-POL',
  number: 166,
  state: 'POL',
  stateName: 'Poland',
  type: 'comprehensive',
  start: '2026-11-16',
  end: '2026-11-20',
  contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'focal.point@mission.example.org' },
  language: 'en',
};
const STARTED = Date.parse('2026-11-21T12:00:00.000Z');
const DAY = 86_400_000;
const OFFICER = { email: 'officer@cted.example.org', role: 'case-officer' } as const;
const STATE = { email: 'focal.point@mission.example.org', role: 'state-contact' } as const;

function act(s: VisitState, action: ActionName, at: number, actor: { email: string; role: string } = OFFICER) {
  return applyAction(s, { action, payload: {}, actor: actor as typeof OFFICER, door: 'api' }, at, POLICY);
}

/** A rules-3 visit in state review, its reminders taken up to the day after dispatch. */
function inReview(): { s: VisitState; dispatched: number; deadline: number } {
  const s = initialState(VISIT, POLICY, STARTED, 3).state;
  const dispatched = STARTED + DAY;
  act(s, 'submit-draft', dispatched);
  act(s, 'dispatch-draft', dispatched);
  takeDueReminders(s, POLICY, dispatched, STARTED);
  return { s, dispatched, deadline: s.items['state-review']!.deadline! };
}

describe('skipDueClosedBy', () => {
  it("records as skipped the due reminders, not yet taken, of the step the State's comments close", () => {
    const { s, deadline } = inReview();
    const now = deadline - 2 * DAY; // both "before" reminders (14 and 3 days) fell due, none taken
    const due = dueReminders(s, POLICY, now, STARTED);
    const review = [...due.skip, ...due.send].filter((r) => r.item === 'state-review');
    expect(review.map((r) => r.kind)).toEqual(['before', 'before']);
    skipDueClosedBy(s, POLICY, now, STARTED, () => act(s, 'record-comments', now, STATE));
    const records = s.reminders.filter((r) => r.item === 'state-review');
    expect(records.map((r) => [r.key, r.status, r.reason])).toEqual(
      review.map((r) => [r.key, 'skipped', 'the step was done before it could be sent']),
    );
    // Reminders of steps still open are left for the loop to take (sent, or skipped by its own rules).
    const left = dueReminders(s, POLICY, now, STARTED);
    expect([...left.skip, ...left.send].every((r) => s.items[r.item]!.closedAt === undefined)).toBe(true);
  });

  it('records nothing when the action closes no step with due reminders', () => {
    const { s, dispatched } = inReview();
    const before = s.reminders.length;
    skipDueClosedBy(s, POLICY, dispatched + 1_000, STARTED, () => act(s, 'record-comments', dispatched + 1_000, STATE));
    expect(s.reminders.length).toBe(before);
  });
});

describe('noteReminderDelivered', () => {
  it('says a reminder went late when the mail server took it a minute or more after it was taken', () => {
    const { s, deadline } = inReview();
    const at = deadline - 14 * DAY;
    const [notice] = takeDueReminders(s, POLICY, at, STARTED).filter((n) => n.item === 'state-review');
    expect(notice).toBeDefined();
    const record = () => s.reminders.find((r) => notice!.key.endsWith(r.key))!;
    noteReminderDelivered(s, notice!.key, at, at + 30_000);
    expect(record().reason).toBeUndefined();
    noteReminderDelivered(s, notice!.key, at, at + 3 * 60_000);
    expect(record()).toMatchObject({
      status: 'sent',
      reason: 'sent 3 minute(s) late (the mail server did not take it at first)',
    });
    // Not a reminder (an event notice), or unknown: nothing changes.
    const copy = JSON.stringify(s.reminders);
    noteReminderDelivered(s, '166-POL:event:3:draft-dispatched', at, at + DAY);
    expect(JSON.stringify(s.reminders)).toBe(copy);
  });
});

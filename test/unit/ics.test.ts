/**
 * The calendar feed, read back with an independent RFC 5545 parser (Mozilla's ical.js): one event
 * per open deadline with a stable UID, a SEQUENCE that grows when a deadline moves later, and
 * lines folded at 75 octets without cutting a character in half.
 */
import type { default as IcalModule } from 'ical.js' with { 'resolution-mode': 'import' };
import { beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/domain/monitoring';
import { calendarFile } from '../../src/infra/ics';
import { deadlineEvents } from '../../src/services/monitoring';

const snap = (deadline: string, stateName = 'Poland') =>
  ({
    id: '166-POL',
    state: 'POL',
    stateName,
    type: 'comprehensive',
    stage: 'drafting',
    openItems: [{ item: 'drafting', openedAt: '2019-12-14T04:59:59.999Z', deadline, overdue: false, paused: false }],
  }) as unknown as Snapshot;

const feed = (snapshots: Snapshot[]) =>
  calendarFile('Visit follow-up deadlines (a@b.org)', deadlineEvents(snapshots), new Date('2026-11-27T00:00:00Z'));

// ical.js is published as an ES module only.
let ICAL: typeof IcalModule;
beforeAll(async () => {
  ICAL = (await import('ical.js')).default;
});

function events(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      description: e.description,
      end: e.endDate.toJSDate().toISOString(),
      sequence: e.sequence,
    };
  });
}

describe('the calendar feed', () => {
  it('holds one event per open deadline, with a stable UID, ending at the deadline', () => {
    expect(events(feed([snap('2020-02-12T04:59:59.999Z')]))).toEqual([
      {
        uid: '166-POL-drafting@visit-follow-up',
        summary: '166-POL Poland: drafting due',
        description: 'Visit 166-POL (comprehensive), stage drafting. Deadline 2020-02-12T04:59:59.999Z.',
        end: '2020-02-12T04:59:59.000Z',
        sequence: expect.any(Number),
      },
    ]);
  });

  it('raises SEQUENCE when a deadline moves later, also past 2033, within 32 bits', () => {
    const sequence = (deadline: string) => events(feed([snap(deadline)]))[0]!.sequence;
    expect(sequence('2033-05-19T00:00:00.000Z')).toBeGreaterThan(sequence('2033-05-17T00:00:00.000Z'));
    expect(sequence('2040-01-02T00:00:00.000Z')).toBeGreaterThan(sequence('2040-01-01T00:00:00.000Z'));
    expect(sequence('2099-12-31T00:00:00.000Z')).toBeLessThan(2 ** 31);
  });

  it('folds long lines at 75 octets without cutting a multi-byte character in half', () => {
    // Emoji (4 bytes, two UTF-16 units), Chinese and Arabic (3 and 2 bytes): every fold point is inside one.
    for (const name of ['🇺🇳🙂'.repeat(30), '中华人民共和国'.repeat(12), 'المملكة العربية السعودية'.repeat(4)]) {
      const text = feed([snap('2020-02-12T04:59:59.999Z', name)]);
      const lines = text.split('\r\n');
      expect(lines.every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
      expect(text).not.toContain('\uFFFD');
      // No line ends or starts inside a surrogate pair (which UTF-8 would turn into U+FFFD).
      for (const l of lines)
        expect(l).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect(events(text)[0]!.summary).toBe(`166-POL ${name}: drafting due`);
    }
  });
});

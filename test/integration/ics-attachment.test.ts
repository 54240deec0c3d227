/**
 * The `.ics` a message about a deadline carries is the calendar feed's event: sent through a real
 * SMTP server, taken out of the MIME message as received, and read with an independent RFC 5545
 * parser (Mozilla's ical.js), it has the UID, start and end of the event the user's feed serves
 * (the real `/feeds/…` door over a store); after an extension both move to the later deadline, keep
 * the UID and raise SEQUENCE, so a calendar holding either updates the one event.
 */
import type { default as IcalModule } from 'ical.js' with { 'resolution-mode': 'import' };
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/domain/visit';
import { createHttpApp } from '../../src/doors/http/app';
import { ICS_CONTENT_TYPE, noticeCalendar } from '../../src/infra/ics';
import { messageIdFor, smtpMailer, type MailAttachment, type Mailer } from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import type { VisitSnapshot } from '../../src/infra/store/store';
import { createServices } from '../../src/services';
import { feedSecret } from '../../src/services/users';
import { leaves, parseMime, strictUtf8 } from '../mime';
import { reviewSnapshot } from '../fixtures/snapshots';
import { startSmtp, type TestSmtp } from '../smtp';

const PUBLIC = 'http://127.0.0.1:3000';
const SECRETARIAT = 'secretariat@un.example.org';
const VISIT = '171-KEN';
const ITEM = 'state-review';
const FIRST = '2027-02-11T04:59:59.999Z';
/** The deadline after a 30-day extension. */
const EXTENDED = '2027-03-13T04:59:59.999Z';

const linkSecret = randomBytes(32).toString('base64url');
const store = new SqliteStore(':memory:');
const services = createServices({
  temporal: () => Promise.reject(new Error('no Temporal in this test')),
  store: () => store,
  policy: resolvePolicy(),
  linkSecret,
  publicUrl: PUBLIC,
  outboxDir: '/nonexistent',
});
const http = createHttpApp({ services, publicUrl: PUBLIC, version: 'test' });

let smtp: TestSmtp;
let mailer: Mailer;
// ical.js is published as an ES module only.
let ICAL: typeof IcalModule;

const summary = {
  id: VISIT,
  number: 171,
  state: 'KEN',
  stateName: 'Kenya',
  type: 'comprehensive',
  start: '2026-11-16',
  end: '2026-11-20',
  contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'focal.point@mission.example.ke' },
  language: 'en',
} as const;

const snapshot = (deadline: string): VisitSnapshot => reviewSnapshot(summary, ITEM, deadline);

const notice = (deadline: string, seq: number): Notice => ({
  key: `${VISIT}:event:${seq}:draft-dispatched`,
  topic: 'draft-dispatched',
  kind: 'event',
  item: ITEM,
  to: ['state-contact'],
  at: '2027-01-12T15:00:00.000Z',
  deadline,
  visit: { ...summary, contacts: { ...summary.contacts } },
});

beforeAll(async () => {
  ICAL = (await import('ical.js')).default;
  smtp = await startSmtp();
  mailer = smtpMailer(smtp.url);
  await store.addUser({ email: SECRETARIAT, role: 'secretariat' }, randomBytes(32).toString('base64url'));
});

afterAll(async () => {
  mailer?.close();
  await smtp?.close();
});

/** Records the visit as it stands after event `seq`: the read model the feed is served from. */
async function record(seq: number, deadline: string): Promise<void> {
  await store.appendEvents({
    visitId: VISIT,
    workflowId: `visit-${VISIT}`,
    runId: 'run-1',
    events: [{ seq, type: seq === 1 ? 'visit-started' : 'extension-granted', stage: 'state-review', at: deadline }],
    snapshot: snapshot(deadline),
  } as never);
}

/** The user's feed, through the door calendar clients fetch. */
async function feed(): Promise<string> {
  const r = await http.request(`/feeds/${feedSecret(linkSecret, SECRETARIAT)}.ics`);
  const text = await r.text();
  expect(r.status, text).toBe(200);
  return text;
}

/** Sends a message carrying the attachment through SMTP; the attachment as the server received it. */
async function sendAndReceive(attachment: MailAttachment, key: string) {
  const before = smtp.received.length;
  await mailer.send({
    from: 'follow-up@cted.example.org',
    to: 'focal.point@mission.example.ke',
    subject: `Draft report of visit ${VISIT} for comments`,
    text: 'Dear colleague,\n\nThe draft report is attached.\n',
    html: '<p>Dear colleague,</p><p>The draft report is attached.</p>',
    messageId: messageIdFor(key),
    headers: { 'X-Visit-Id': VISIT },
    attachments: [attachment],
    language: 'en',
  });
  expect(smtp.received).toHaveLength(before + 1);
  const raw = smtp.received.at(-1)!.raw;
  const message = parseMime(raw);
  expect(message.type).toBe('multipart/mixed');
  expect(message.headers.get('content-language')).toBe('en');
  const calendars = leaves(message).filter((p) => p.type === 'text/calendar');
  expect(calendars).toHaveLength(1);
  const part = calendars[0]!;
  expect(part.params).toMatchObject({ charset: 'utf-8', method: 'PUBLISH' });
  expect(part.disposition).toEqual({ type: 'attachment', params: { filename: 'deadline.ics' } });
  // The text and HTML alternatives are still there, beside the attachment.
  expect(leaves(message).map((p) => p.type)).toEqual(['text/plain', 'text/html', 'text/calendar']);
  const ics = strictUtf8(part.body);
  // What was sent is what arrived, byte for byte.
  expect(Buffer.compare(part.body, Buffer.from(attachment.content as string, 'utf8'))).toBe(0);
  return ics;
}

function vevents(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return {
    method: calendar.getFirstPropertyValue('method'),
    events: calendar.getAllSubcomponents('vevent').map((v) => {
      const e = new ICAL.Event(v);
      return {
        uid: e.uid,
        start: e.startDate.toJSDate().toISOString(),
        end: e.endDate.toJSDate().toISOString(),
        sequence: e.sequence,
        summary: e.summary,
      };
    }),
  };
}

describe("a message's .ics", () => {
  it('is the feed event for the visit and item, and follows an extension as the feed does', async () => {
    await record(1, FIRST);
    const firstAttachment = noticeCalendar(notice(FIRST, 7))!;
    expect(firstAttachment).toMatchObject({ filename: 'deadline.ics', contentType: ICS_CONTENT_TYPE });
    expect(ICS_CONTENT_TYPE).toBe('text/calendar; charset=utf-8; method=PUBLISH');

    const mailed1 = vevents(await sendAndReceive(firstAttachment, 'first'));
    const feed1 = vevents(await feed());
    expect(mailed1.method).toBe('PUBLISH');
    expect(feed1.method).toBe('PUBLISH');
    expect(mailed1.events).toHaveLength(1);
    expect(feed1.events).toHaveLength(1);
    const [m1, f1] = [mailed1.events[0]!, feed1.events[0]!];
    expect(m1.uid).toBe(`${VISIT}-${ITEM}@visit-follow-up`);
    expect({ uid: m1.uid, start: m1.start, end: m1.end, sequence: m1.sequence }).toEqual({
      uid: f1.uid,
      start: f1.start,
      end: f1.end,
      sequence: f1.sequence,
    });
    // An hour ending at the deadline (iCalendar keeps whole seconds).
    expect(m1.end).toBe('2027-02-11T04:59:59.000Z');
    expect(m1.start).toBe('2027-02-11T03:59:59.000Z');

    // The State is granted an extension: the visit's read model and a new message both move.
    await record(2, EXTENDED);
    const mailed2 = vevents(await sendAndReceive(noticeCalendar(notice(EXTENDED, 8))!, 'extended'));
    const feed2 = vevents(await feed());
    expect(feed2.events).toHaveLength(1);
    const [m2, f2] = [mailed2.events[0]!, feed2.events[0]!];
    for (const [after, before] of [
      [m2, m1],
      [f2, f1],
    ] as const) {
      expect(after.uid).toBe(before.uid);
      expect(Date.parse(after.start)).toBeGreaterThan(Date.parse(before.start));
      expect(Date.parse(after.end)).toBeGreaterThan(Date.parse(before.end));
      expect(after.sequence).toBeGreaterThan(before.sequence);
    }
    expect(m2.end).toBe('2027-03-13T04:59:59.000Z');
    expect({ uid: m2.uid, start: m2.start, end: m2.end, sequence: m2.sequence }).toEqual({
      uid: f2.uid,
      start: f2.start,
      end: f2.end,
      sequence: f2.sequence,
    });
  });

  it('is none for a notice without an item or a deadline', () => {
    const { item: _item, ...noItem } = notice(FIRST, 9);
    expect(noticeCalendar(noItem, { summary: 's', description: 'd' })).toBeUndefined();
    expect(noticeCalendar({ ...notice(FIRST, 9), deadline: null })).toBeUndefined();
  });

  it("is in the words the caller gives, the recipient's language", () => {
    const text = { summary: 'Projet de rapport : observations', description: 'Visite 171-KEN, échéance' };
    const { events } = vevents(noticeCalendar(notice(FIRST, 10), text)!.content as string);
    expect(events[0]!.summary).toBe(text.summary);
  });
});

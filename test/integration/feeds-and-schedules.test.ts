/**
 * Personal calendar feeds and the secretariat's Temporal Schedules, against the real dev server:
 * the .ics feed parsed back (RFC 5545: unfolded lines, one VEVENT per open deadline in the user's
 * scope, stable UIDs, a granted extension moving the same event), and the weekly digest and the
 * annual reporting-status list arriving over SMTP when their schedules are triggered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchedules, SCHEDULES, triggerSchedule, type ScheduleId } from '../../src/infra/temporal/schedules';
import { TASK_QUEUE } from '../../src/contract';
import { feedSecret } from '../../src/services/users';
import { eventually } from '../helpers';
import { startApiHarness, apiVisit, USERS, type Harness, type UserName } from '../api-harness';
import type { ReceivedMail } from '../smtp';

const DAY = 86_400_000;

/** Two old visits from Annex I (2019), imported so their clocks are long past. */
const OLD_VISITS_CSV = [
  'visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date',
  '160,United Kingdom of Great Britain and Northern Ireland,GBR,follow-up,second,2019-10-07,2019-10-11',
  '166,Poland,POL,comprehensive,,2019-12-09,2019-12-13',
].join('\n');

// ---------------------------------------------------------------------------------------------
// A small RFC 5545 reader: unfold, split VEVENTs, read properties (parameters ignored), unescape.

interface IcsEvent {
  UID: string;
  DTSTART: number;
  DTEND: number;
  SUMMARY: string;
  SEQUENCE: number;
  props: Record<string, string>;
}

function unfold(text: string): string[] {
  // A CRLF followed by one space or tab continues the previous line (RFC 5545 §3.1).
  return text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1);
}

function unescapeText(v: string): string {
  return v.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** 20261227T045959Z → epoch ms. */
function icsUtc(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) throw new Error(`not a UTC date-time: ${v}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function parseIcs(text: string): { calendar: Record<string, string>; events: IcsEvent[] } {
  const lines = unfold(text);
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines.at(-1)).toBe('END:VCALENDAR');
  const calendar: Record<string, string> = {};
  const events: IcsEvent[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines.slice(1, -1)) {
    if (line === 'BEGIN:VEVENT') {
      expect(current, 'VEVENTs do not nest').toBeUndefined();
      current = {};
      continue;
    }
    if (line === 'END:VEVENT') {
      expect(current, 'END:VEVENT closes an open VEVENT').toBeDefined();
      const p = current!;
      events.push({
        UID: p.UID!,
        DTSTART: icsUtc(p.DTSTART!),
        DTEND: icsUtc(p.DTEND!),
        SUMMARY: unescapeText(p.SUMMARY!),
        SEQUENCE: Number(p.SEQUENCE),
        props: p,
      });
      current = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    expect(colon, `a content line has a name and a value: ${line}`).toBeGreaterThan(0);
    const name = line.slice(0, colon).split(';')[0]!.toUpperCase();
    (current ?? calendar)[name] = line.slice(colon + 1);
  }
  expect(current, 'every VEVENT is closed').toBeUndefined();
  return { calendar, events };
}

/** A New York calendar date and wall-clock time, computed with the tz database (not the engine's code). */
function newYork(ms: number): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/New_York',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

const plusDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// A little MIME: the text/plain part of a multipart message, decoded.

function decodeQuotedPrintable(s: string): string {
  const flat = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < flat.length; i++) {
    if (flat[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(flat.slice(i + 1, i + 3))) {
      bytes.push(parseInt(flat.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(flat[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function textPart(raw: string): string {
  const norm = raw.replace(/\r\n/g, '\n');
  const at = norm.indexOf('\n\n');
  const head = norm.slice(0, at).replace(/\n[ \t]+/g, ' ');
  const boundary = /boundary="?([^";\s]+)"?/i.exec(head)?.[1];
  const sections = boundary
    ? norm
        .slice(at + 2)
        .split(`--${boundary}`)
        .slice(1, -1)
    : [norm];
  for (const section of sections) {
    const s = section.replace(/^\n/, '');
    const end = s.indexOf('\n\n');
    const partHead = s.slice(0, end).replace(/\n[ \t]+/g, ' ');
    if (!/^Content-Type:\s*text\/plain/im.test(partHead)) continue;
    const enc = /^Content-Transfer-Encoding:\s*(\S+)/im.exec(partHead)?.[1]?.toLowerCase() ?? '7bit';
    const body = s.slice(end + 2).replace(/\n$/, '');
    return enc === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : enc === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  }
  throw new Error('no text/plain part');
}

// ---------------------------------------------------------------------------------------------

let h: Harness;
const createdSchedules: ScheduleId[] = [];

const feedPath = (email: string) => `/feeds/${feedSecret(h.linkSecret, email)}.ics`;

async function feed(email: string) {
  const res = await fetch(`${h.url}${feedPath(email)}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  return { text, ...parseIcs(text) };
}

async function act(as: UserName, id: string, action: string, body: unknown = {}) {
  const r = await h.request('POST', `/api/visits/${id}/actions/${action}`, { as, body });
  expect(r.status, `${action} by ${as}: ${r.text}`).toBe(200);
  return r.body;
}

/** Waits until the read model (what feeds, the dashboard and the digest read) holds what `ok` expects of a visit. */
async function readModel(
  id: string,
  ok: (s: Awaited<ReturnType<Harness['store']['snapshots']>>[number]) => boolean,
  what: string,
) {
  return eventually(async () => {
    const s = (await h.store.snapshots(id))[0];
    return s && ok(s) ? s : undefined;
  }, what);
}

/** The open deadlines of a visit as the API reports them to `as`, as that user's feed should show them. */
async function expectedEvents(id: string, as: UserName = 'secretariat') {
  const r = await h.request('GET', `/api/visits/${id}`, { as });
  expect(r.status).toBe(200);
  return (r.body.openItems as { item: string; deadline: string | null }[])
    .filter((o) => o.deadline !== null)
    .map((o) => ({
      UID: `${id}-${o.item}@visit-follow-up`,
      DTEND: Math.floor(Date.parse(o.deadline!) / 1000) * 1000,
      SUMMARY: `${id} ${r.body.stateName ?? r.body.state}: ${o.item} due`,
    }));
}

const bare = (events: IcsEvent[]) =>
  events.map((e) => ({ UID: e.UID, DTEND: e.DTEND, SUMMARY: e.SUMMARY })).sort((a, b) => a.UID.localeCompare(b.UID));

beforeAll(async () => {
  h = await startApiHarness();
  for (const v of [apiVisit(901, 'NOR', { stateName: 'Norway' }), apiVisit(902, 'CHL', { stateName: 'Chile' })]) {
    const r = await h.request('POST', '/api/visits', { as: 'cted', body: v });
    expect(r.status, r.text).toBe(201);
  }
  const imported = await h.request('POST', '/api/visits/import', {
    as: 'secretariat',
    body: { csv: OLD_VISITS_CSV, caseOfficer: USERS.cted.email, stateContact: 'pm-{iso3}@mission.example.org' },
  });
  expect(imported.status, imported.text).toBe(200);
  expect(imported.body).toEqual({ imported: ['160-GBR', '166-POL'], alreadyImported: [] });
  await eventually(
    async () => ((await h.store.snapshots()).length === 4 ? true : undefined),
    'four visits in the read model',
  );
});

afterAll(async () => {
  if (h) {
    for (const id of createdSchedules)
      await h.env.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await h.close();
  }
});

describe('calendar feeds (.ics)', () => {
  it('gives the secretariat one event per open deadline of every visit, as RFC 5545 text', async () => {
    const { text, calendar, events } = await feed(USERS.secretariat.email);
    // CRLF everywhere, folded at 75 octets (the UK's long name forces a fold).
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const physical = text.split('\r\n');
    for (const l of physical) expect(Buffer.byteLength(l), l).toBeLessThanOrEqual(75);
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    expect(calendar).toMatchObject({ VERSION: '2.0', METHOD: 'PUBLISH', CALSCALE: 'GREGORIAN' });
    expect(unescapeText(calendar['X-WR-CALNAME']!)).toBe(`Visit follow-up deadlines (${USERS.secretariat.email})`);

    const expected = [
      ...(await expectedEvents('901-NOR')),
      ...(await expectedEvents('902-CHL')),
      ...(await expectedEvents('160-GBR')),
      ...(await expectedEvents('166-POL')),
    ];
    // A fresh visit has three clocks running (pao, ta-referral, drafting), and so has an old imported one.
    expect(expected).toHaveLength(12);
    expect(bare(events)).toEqual(bare(expected as IcsEvent[]));
    expect(new Set(events.map((e) => e.UID)).size).toBe(events.length);
    expect(events.find((e) => e.UID === '160-GBR-drafting@visit-follow-up')!.SUMMARY).toBe(
      '160-GBR United Kingdom of Great Britain and Northern Ireland: drafting due',
    );
    for (const e of events) {
      expect(e.DTEND - e.DTSTART).toBe(3_600_000);
      expect(e.props.DTSTAMP).toMatch(/^\d{8}T\d{6}Z$/);
    }
    // The old visit's drafting deadline: 60 days after the end of its last day (13 Dec 2019), New York.
    expect(newYork(events.find((e) => e.UID === '166-POL-drafting@visit-follow-up')!.DTEND)).toEqual({
      date: '2020-02-11',
      time: '23:59:59',
    });

    // Fetched again: the same events under the same UIDs.
    const again = await feed(USERS.secretariat.email);
    expect(bare(again.events)).toEqual(bare(events));
  });

  it("gives a State only its own visits' deadlines that concern it, and a granted extension moves the same event by 15 days", async () => {
    // While CTED drafts, the clocks are CTED's own (PAO, TA referral, drafting): none is the State's.
    const nor = await feed(USERS.stateNOR.email);
    expect(bare(nor.events)).toEqual(bare((await expectedEvents('901-NOR', 'stateNOR')) as IcsEvent[]));
    expect(nor.events).toEqual([]);
    const chl = await feed(USERS.stateCHL.email);
    expect(chl.events).toEqual([]);
    expect(chl.text).not.toContain('NOR');
    expect(chl.text).not.toContain('POL');

    // The draft goes to Norway: drafting closes, the 30-day comment period opens.
    await act('cted', '901-NOR', 'submit-draft', { documentRef: 'DRAFT/901' });
    await act('cted', '901-NOR', 'dispatch-draft');
    await readModel('901-NOR', (s) => s.stage === 'state-review', '901-NOR at state-review in the read model');
    const dispatched = await feed(USERS.stateNOR.email);
    expect(dispatched.events.map((e) => e.UID)).toEqual(['901-NOR-state-review@visit-follow-up']);
    expect(bare(dispatched.events)).toEqual(bare((await expectedEvents('901-NOR', 'stateNOR')) as IcsEvent[]));
    const review = dispatched.events.find((e) => e.UID === '901-NOR-state-review@visit-follow-up')!;
    expect(review.SUMMARY).toBe('901-NOR Norway: state-review due');
    const dispatchedAt = Date.parse(
      (await h.request('GET', '/api/visits/901-NOR', { as: 'secretariat' })).body.history.find(
        (e: { type: string }) => e.type === 'dispatch-draft',
      ).at,
    );
    expect(newYork(review.DTEND).date).toBe(plusDays(newYork(dispatchedAt).date, 30));

    // Norway asks for more time; the secretariat grants it.
    await act('stateNOR', '901-NOR', 'request-extension', { reason: 'Consultations with line ministries' });
    await act('secretariat', '901-NOR', 'grant-extension');
    await readModel('901-NOR', (s) => s.extension === 'granted', 'the extension in the read model');

    const extended = await feed(USERS.stateNOR.email);
    expect(extended.events.map((e) => e.UID).sort()).toEqual(dispatched.events.map((e) => e.UID).sort());
    const moved = extended.events.find((e) => e.UID === review.UID)!;
    // 15 New York calendar days later, at the same New York wall-clock time.
    expect(newYork(moved.DTEND)).toEqual({
      date: plusDays(newYork(review.DTEND).date, 15),
      time: newYork(review.DTEND).time,
    });
    expect(moved.DTEND - moved.DTSTART).toBe(3_600_000);
    expect(moved.SEQUENCE).toBeGreaterThan(review.SEQUENCE);
    // In the State's own words: the draft is with it.
    expect(moved.props.DESCRIPTION).toContain('stage draft-with-you');
    // The secretariat's feed shows the same moved event.
    const secretariat = await feed(USERS.secretariat.email);
    expect(secretariat.events.find((e) => e.UID === review.UID)!.DTEND).toBe(moved.DTEND);
  });

  it('answers 404 to a wrong secret, and serves nothing without one', async () => {
    const wrong = await h.request('GET', `/feeds/${'A'.repeat(32)}.ics`);
    expect(wrong.status).toBe(404);
    expect(wrong.body).toMatchObject({ error: 'not-found' });
    expect(wrong.text).not.toContain('BEGIN:VCALENDAR');
    // The right secret of one user with a character changed.
    const good = feedSecret(h.linkSecret, USERS.secretariat.email);
    const tampered = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    expect((await h.request('GET', `/feeds/${tampered}.ics`)).status).toBe(404);
    // A secret for an address that has no account.
    expect((await h.request('GET', `/feeds/${feedSecret(h.linkSecret, 'nobody@example.org')}.ics`)).status).toBe(404);
    // A secret derived with another signing secret.
    expect((await h.request('GET', `/feeds/${feedSecret('another-secret', USERS.secretariat.email)}.ics`)).status).toBe(
      404,
    );
    expect((await h.request('GET', '/feeds/short.ics')).status).toBe(404);
  });
});

describe('schedules on the dev server', () => {
  const client = () => h.env.client;

  it('creates both schedules (calendar spec, New York time, the digest workflow), and creating them again is harmless', async () => {
    await ensureSchedules(client());
    createdSchedules.push('weekly-digest', 'annual-reporting-status');

    const weekly = await client().schedule.getHandle('weekly-digest').describe();
    expect(weekly.spec.timezone).toBe('America/New_York');
    expect(weekly.spec.calendars).toHaveLength(1);
    expect(weekly.spec.calendars![0]).toMatchObject({
      dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }],
      hour: [{ start: 8, end: 8, step: 1 }],
      minute: [{ start: 0, end: 0, step: 1 }],
    });
    expect(weekly.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'secretariatDigest',
      taskQueue: TASK_QUEUE,
      args: ['weekly-digest'],
    });
    expect(weekly.state.paused).toBe(false);
    // Next run: a Monday, 08:00 in New York.
    const nextWeekly = weekly.info.nextActionTimes[0]!;
    expect(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'long' }).format(nextWeekly)).toBe(
      'Monday',
    );
    expect(newYork(nextWeekly.getTime()).time).toBe('08:00:00');

    const annual = await client().schedule.getHandle('annual-reporting-status').describe();
    expect(annual.spec.timezone).toBe('America/New_York');
    expect(annual.spec.calendars![0]).toMatchObject({
      month: [{ start: 'DECEMBER', end: 'DECEMBER', step: 1 }],
      dayOfMonth: [{ start: 1, end: 1, step: 1 }],
      hour: [{ start: 9, end: 9, step: 1 }],
    });
    expect(annual.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'secretariatDigest',
      taskQueue: TASK_QUEUE,
      args: ['annual-reporting-status'],
    });
    const nextAnnual = annual.info.nextActionTimes[0]!;
    expect(newYork(nextAnnual.getTime())).toMatchObject({ time: '09:00:00' });
    expect(newYork(nextAnnual.getTime()).date.slice(5)).toBe('12-01');

    // Again: no error, nothing replaced (same creation time), still exactly these two.
    await ensureSchedules(client());
    expect((await client().schedule.getHandle('weekly-digest').describe()).info.createdAt).toEqual(
      weekly.info.createdAt,
    );
    expect((await client().schedule.getHandle('annual-reporting-status').describe()).info.createdAt).toEqual(
      annual.info.createdAt,
    );
    const ids = await eventually(async () => {
      const found: string[] = [];
      for await (const s of client().schedule.list()) found.push(s.scheduleId);
      return found.length === 2 ? found.sort() : undefined;
    }, 'both schedules listed');
    expect(ids).toEqual(Object.keys(SCHEDULES).sort());
  });

  it('triggering the weekly digest e-mails the secretariat the overdue items', async () => {
    await ensureSchedules(client());
    const before = h.smtp.received.length;
    await triggerSchedule(client(), 'weekly-digest');
    const mail: ReceivedMail = await eventually(
      () => h.smtp.received.slice(before).find((m) => m.topic === 'weekly-digest'),
      'the weekly digest over SMTP',
    );
    const today = newYork(Date.now()).date;
    expect(mail.to).toEqual([USERS.secretariat.email]);
    expect(mail.subject).toBe(`Visit follow-up: weekly digest, ${today}`);
    const body = textPart(mail.raw);
    expect(body).toContain(`Visit follow-up digest, ${today}`);

    // Every overdue clock of the old Polish visit is listed with its due date and the days overdue.
    const pol = (await h.store.snapshots('166-POL'))[0]!;
    expect(pol.openItems.map((o) => o.item).sort()).toEqual(['drafting', 'pao', 'ta-referral']);
    for (const o of pol.openItems) {
      const due = Date.parse(o.deadline!);
      const m = new RegExp(`166-POL Poland: ${o.item} due ${newYork(due).date} \\((\\d+) days overdue\\)`).exec(body);
      expect(m, `${o.item} in the digest:\n${body}`).not.toBeNull();
      expect(Math.abs(Number(m![1]) - Math.floor((Date.now() - due) / DAY))).toBeLessThanOrEqual(1);
    }
    expect(body).toContain('166-POL Poland: drafting due 2020-02-11');
    const overdue = /Overdue \((\d+)\)/.exec(body);
    expect(Number(overdue?.[1])).toBe(6); // three clocks each of 160-GBR and 166-POL
    // Norway's extension was granted: no decision waits on it; nothing is under the no-objection procedure.
    expect(body).toMatch(/Decisions waiting \(0\)/);
    // The fresh visits' deadlines are not overdue.
    expect(body).not.toMatch(/90[12]-(NOR|CHL) [A-Za-z]+: [a-z-]+ due [\d-]+ \(\d+ days overdue\)/);

    const description = await client().schedule.getHandle('weekly-digest').describe();
    expect(description.info.numActionsTaken).toBeGreaterThanOrEqual(1);
  });

  it('triggering the annual schedule e-mails the reporting status of every visited State', async () => {
    await ensureSchedules(client());
    const before = h.smtp.received.length;
    await triggerSchedule(client(), 'annual-reporting-status');
    const mail = await eventually(
      () => h.smtp.received.slice(before).find((m) => m.topic === 'annual-reporting-status'),
      'the annual list over SMTP',
    );
    const today = newYork(Date.now()).date;
    expect(mail.to).toEqual([USERS.secretariat.email]);
    expect(mail.subject).toBe(`Reporting status of visited States, ${today}`);
    const body = textPart(mail.raw);
    expect(body).toContain(`Reporting status of visited States, as of ${today}`);
    const year = new Date(Date.now() - DAY).getUTCFullYear();
    const lines = body.split('\n').filter((l) => /\(\d+-[A-Z]{3}, visit of \d{4}\)/.test(l));
    // Sorted by State name; no implementation report has been requested yet from any of them.
    expect(lines).toEqual([
      `Chile (902-CHL, visit of ${year}): not yet requested`,
      `Norway (901-NOR, visit of ${year}): not yet requested`,
      'Poland (166-POL, visit of 2019): not yet requested',
      'United Kingdom of Great Britain and Northern Ireland (160-GBR, visit of 2019): not yet requested',
    ]);
    // One trigger, one message: the scheduled run's id keys it.
    expect(h.smtp.received.filter((m) => m.topic === 'annual-reporting-status')).toHaveLength(1);
  });
});

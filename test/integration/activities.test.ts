/**
 * The real activities against a real SMTP server (smtp-server on a free port) and a real SQLite file
 * in a temporary folder: no mocks. What a recipient's mail client would see is parsed from the raw
 * message the server received.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { Directory } from '../../src/infra/directory';
import { renderNotice } from '../../src/i18n/correspondence';
import type { Notice, VisitEvent, VisitSummary } from '../../src/domain/visit';
import type { Recipient } from '../../src/domain/vocabulary';
import { messageIdFor, smtpMailer, type Mailer } from '../../src/infra/mail';
import { SqliteStore } from '../../src/infra/store/sqlite';
import type { EventBatch } from '../../src/infra/store/store';
import { eventually, visitRequest } from '../helpers';
import { leaves, parseMime, strictUtf8, type MimePart } from '../mime';

// ---------------------------------------------------------------------------------------------
// Fixtures: an SMTP server, a temp folder, cleanup in reverse order of creation.

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length) {
    const c = cleanups.pop()!;
    await c();
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vfu-activities-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openStore(file: string): SqliteStore {
  const store = new SqliteStore(file);
  let closed = false;
  const close = store.close.bind(store);
  store.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanups.push(() => store.close());
  return store;
}

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
}

type Refusal = { responseCode: number; message: string } | undefined;

interface SmtpFixture {
  url: string;
  received: Received[];
  /** How many SMTP connections were opened: a notify that sends nothing opens none. */
  connections: () => number;
  /** Decides per recipient whether RCPT TO is refused (e.g. 550). */
  refuseRcpt: (address: string) => Refusal;
  /** Decides whether DATA is refused (e.g. 451) after the message was transferred. */
  refuseData: () => Refusal;
}

function smtpError(r: NonNullable<Refusal>): Error {
  return Object.assign(new Error(r.message), { responseCode: r.responseCode });
}

async function startSmtp(): Promise<SmtpFixture> {
  let connections = 0;
  const fixture: SmtpFixture = {
    url: '',
    received: [],
    connections: () => connections,
    refuseRcpt: () => undefined,
    refuseData: () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const refusal = fixture.refuseRcpt(address.address);
      callback(refusal ? smtpError(refusal) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const refusal = fixture.refuseData();
        if (refusal) return callback(smtpError(refusal));
        fixture.received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  fixture.url = `smtp://127.0.0.1:${port}`;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return fixture;
}

function mailerFor(smtp: SmtpFixture): Mailer {
  const mailer = smtpMailer(smtp.url);
  cleanups.push(() => mailer.close());
  return mailer;
}

// ---------------------------------------------------------------------------------------------
// A minimal MIME reader: headers (unfolded, RFC 2047 words decoded), multipart/alternative parts
// decoded from quoted-printable or base64.

interface ParsedMail {
  headers: Map<string, string>;
  text: string;
  html: string;
  /** The attached `.ics`, when the message has a deadline. */
  calendar?: string;
  calendarName?: string | undefined;
}

function decodeQuotedPrintableBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047: adjacent encoded words are joined (their bytes, so a split character survives). */
function decodeHeaderValue(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let out = '';
  let pending: Buffer[] = [];
  let last = 0;
  const flush = () => {
    if (pending.length) out += Buffer.concat(pending).toString('utf8');
    pending = [];
  };
  for (let m = word.exec(value); m; m = word.exec(value)) {
    const between = value.slice(last, m.index);
    if (!(pending.length && /^\s*$/.test(between))) {
      flush();
      out += between;
    }
    const [, charset, enc, text] = m;
    expect(charset!.toLowerCase()).toBe('utf-8');
    pending.push(
      enc!.toUpperCase() === 'B' ? Buffer.from(text!, 'base64') : decodeQuotedPrintableBytes(text!.replace(/_/g, ' ')),
    );
    last = m.index + m[0].length;
  }
  flush();
  return out + value.slice(last);
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\n\n');
  const head = at === -1 ? raw : raw.slice(0, at);
  const body = at === -1 ? '' : raw.slice(at + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeHeaderValue(line.slice(colon + 1).trim());
    headers.set(name, headers.has(name) ? `${headers.get(name)!}, ${value}` : value);
  }
  return { headers, body };
}

function parseMail(raw: string): ParsedMail {
  const { headers } = splitHead(raw.replace(/\r\n/g, '\n'));
  // Text and HTML sit in a multipart/alternative, itself inside a multipart/mixed when a file is attached.
  const parts = leaves(parseMime(raw));
  const textParts = parts.filter((p) => p.type === 'text/plain');
  const htmlParts = parts.filter((p) => p.type === 'text/html');
  expect(textParts, 'one text/plain part').toHaveLength(1);
  expect(htmlParts, 'one text/html part').toHaveLength(1);
  // Quoted-printable carries line ends as CRLF over SMTP; the message was written with LF.
  const text = (p: MimePart) => strictUtf8(p.body).replace(/\r\n/g, '\n');
  const calendars = parts.filter((p) => p.type === 'text/calendar');
  return {
    headers,
    text: text(textParts[0]!),
    html: text(htmlParts[0]!),
    ...(calendars[0]
      ? {
          calendar: strictUtf8(calendars[0].body),
          calendarName: calendars[0].params.name ?? calendars[0].disposition?.params.filename,
        }
      : {}),
  };
}

/** The single message the server received for an address. */
function messageTo(smtp: SmtpFixture, address: string): ParsedMail & Received {
  const matching = smtp.received.filter((r) => r.rcptTo.includes(address));
  expect(matching, `messages received for ${address}`).toHaveLength(1);
  return { ...matching[0]!, ...parseMail(matching[0]!.raw) };
}

// ---------------------------------------------------------------------------------------------
// Domain fixtures

const FROM = 'follow-up@cted.example.org';

const DIRECTORY = Directory.parse({
  secretariat: ['secretariat@un.example.org', 'ctc.desk@un.example.org'],
  ctedManagement: ['management@cted.example.org'],
  committee: ['member.one@mission.example.net', { email: 'member.two@mission.example.net', language: 'ru' }],
  chair: [{ email: 'chair@mission.example.net', language: 'es' }],
  partners: { UNODC: [{ email: 'ta@unodc.example.org', language: 'fr' }], UNOCT: ['ta@unoct.example.org'] },
});

function visitSummary(overrides: Parameters<typeof visitRequest>[0] = {}): VisitSummary {
  const r = visitRequest(overrides);
  return {
    id: `${r.number}-${r.state}`,
    number: r.number,
    state: r.state,
    ...(r.stateName ? { stateName: r.stateName } : {}),
    type: r.type,
    start: r.start,
    end: r.end,
    contacts: {
      caseOfficer: r.caseOfficer,
      stateContact: r.stateContact,
      ...(r.permanentMission ? { permanentMission: r.permanentMission } : {}),
    },
    language: r.language,
  };
}

/** 2027-02-11T15:00Z is 10:00 in New York on 11 February: messages show 11 February 2027. */
const REVIEW_DUE = '2027-02-11T15:00:00.000Z';
/** 2026-12-08T04:59:59.999Z is the end of 7 December in New York: messages show 7 December 2026. */
const PAO_DUE = '2026-12-08T04:59:59.999Z';

function overduePao(visit: VisitSummary, to: Notice['to']): Notice {
  return {
    key: `${visit.id}:pao:${PAO_DUE}:overdue:1`,
    topic: 'reminder:pao',
    kind: 'overdue',
    item: 'pao',
    to,
    at: '2026-12-15T04:59:59.999Z',
    deadline: PAO_DUE,
    visit,
  };
}

function draftDispatched(visit: VisitSummary, to: Notice['to']): Notice {
  return {
    key: `${visit.id}:event:7:draft-dispatched`,
    topic: 'draft-dispatched',
    kind: 'event',
    item: 'state-review',
    to,
    at: '2027-01-12T15:00:00.000Z',
    deadline: REVIEW_DUE,
    visit,
  };
}

const FIXED_NOW = new Date('2026-12-15T05:00:00.000Z');

async function setup(opts: { file?: string } = {}) {
  const smtp = await startSmtp();
  const file = opts.file ?? join(tempDir(), 'data', 'follow-up.sqlite');
  const store = openStore(file);
  const logs: string[] = [];
  const activities = createActivities({
    store,
    mailer: mailerFor(smtp),
    directory: DIRECTORY,
    from: FROM,
    clock: () => FIXED_NOW,
    log: (m) => logs.push(m),
  });
  return { smtp, store, file, activities, logs };
}

// ---------------------------------------------------------------------------------------------

describe('notify over real SMTP', () => {
  it('sends one message per resolved address, with subject, deadline, text and HTML, stable Message-ID and visit headers', async () => {
    const { smtp, store, activities } = await setup();
    const visit = visitSummary();
    const notice = overduePao(visit, ['case-officer', 'secretariat', 'cted-management']);

    const result = await activities.notify(notice);

    const expected = [
      'officer@cted.example.org',
      'secretariat@un.example.org',
      'ctc.desk@un.example.org',
      'management@cted.example.org',
    ];
    expect(result).toEqual({ sent: expected, alreadySent: [], unresolved: [] });
    await eventually(
      () => (smtp.received.length >= expected.length ? true : undefined),
      'four messages at the SMTP server',
      10_000,
    );
    expect(smtp.received).toHaveLength(expected.length);
    expect(smtp.received.map((r) => r.rcptTo).sort()).toEqual(expected.map((a) => [a]).sort());

    const roleOf: Record<string, Recipient> = {
      'officer@cted.example.org': 'case-officer',
      'secretariat@un.example.org': 'secretariat',
      'ctc.desk@un.example.org': 'secretariat',
      'management@cted.example.org': 'cted-management',
    };
    for (const address of expected) {
      const rendered = renderNotice(notice, { language: 'en', role: roleOf[address]!, calendarFile: 'deadline.ics' });
      expect(rendered.subject).toBe(
        'Overdue: preliminary assessment and observations (PAO) — visit 166-POL (due 7 December 2026)',
      );
      const m = messageTo(smtp, address);
      expect(m.mailFrom).toBe(FROM);
      expect(m.headers.get('from')).toBe(FROM);
      expect(m.headers.get('to')).toBe(address);
      expect(m.headers.get('subject')).toBe(rendered.subject);
      expect(m.headers.get('message-id')).toBe(messageIdFor(`${notice.key}|${address}`));
      expect(m.headers.get('x-visit-id')).toBe('166-POL');
      expect(m.headers.get('x-follow-up-topic')).toBe('reminder:pao');
      // The deadline travels as the calendar feed's event, attached.
      expect(m.headers.get('content-type')).toMatch(/^multipart\/mixed;/);
      expect(m.calendarName).toBe('deadline.ics');
      expect(m.calendar).toContain('UID:166-POL-pao@visit-follow-up');
      // The deadline as the New York day written out, not the next UTC day, and the close of business.
      // The case officer is told what is late; those escalated to, that it is still outstanding after the reminders.
      expect(m.text).toContain(
        address === 'officer@cted.example.org'
          ? 'The following was due on 7 December 2026 and has not yet been recorded: preliminary assessment and observations (PAO).'
          : 'is still outstanding after the reminders sent to those responsible: preliminary assessment and observations (PAO).',
      );
      expect(m.text).toContain('Deadline: close of business, New York time, on 7 December 2026.');
      expect(m.text).not.toContain('8 December');
      expect(m.html).toContain('<html lang="en" dir="ltr">');
      expect(m.html).toContain('<p>Deadline: close of business, New York time, on 7 December 2026.</p>');
      expect(m.text).toBe(rendered.text);
      expect(m.html).toBe(rendered.html);
    }

    // Every Message-ID is distinct, and the store holds exactly what was sent.
    expect(new Set(smtp.received.map((r) => parseMail(r.raw).headers.get('message-id'))).size).toBe(expected.length);
    expect(
      (await store.messages('166-POL')).map((m) => ({ ...m })).sort((a, b) => a.recipient.localeCompare(b.recipient)),
    ).toEqual(
      expected
        .map((recipient) => ({
          key: `${notice.key}|${recipient}`,
          noticeKey: notice.key,
          visitId: '166-POL',
          topic: 'reminder:pao',
          kind: 'overdue',
          recipient,
          subject: 'Overdue: preliminary assessment and observations (PAO) — visit 166-POL (due 7 December 2026)',
          messageId: messageIdFor(`${notice.key}|${recipient}`),
          sentAt: FIXED_NOW.toISOString(),
        }))
        .sort((a, b) => a.recipient.localeCompare(b.recipient)),
    );
  });

  it('resolves committee, chair, all partners and one named partner from the directory', async () => {
    const { smtp, activities } = await setup();
    const notice = draftDispatched(visitSummary(), ['committee', 'chair', 'partners', 'partner:UNODC']);

    const result = await activities.notify(notice);

    // partner:UNODC is already covered by "partners": the address gets one message, not two.
    expect(result).toEqual({
      sent: [
        'member.one@mission.example.net',
        'member.two@mission.example.net',
        'chair@mission.example.net',
        'ta@unodc.example.org',
        'ta@unoct.example.org',
      ],
      alreadySent: [],
      unresolved: [],
    });
    expect(smtp.received.flatMap((r) => r.rcptTo).sort()).toEqual([...result.sent].sort());
    // Each reads its own language, as the directory says (English when it says none).
    const languages = Object.fromEntries(
      result.sent.map((a) => [a, messageTo(smtp, a).headers.get('content-language')]),
    );
    expect(languages).toEqual({
      'member.one@mission.example.net': 'en',
      'member.two@mission.example.net': 'ru',
      'chair@mission.example.net': 'es',
      'ta@unodc.example.org': 'fr',
      'ta@unoct.example.org': 'en',
    });
    expect(messageTo(smtp, 'member.two@mission.example.net').text).toContain('Уважаемые коллеги!');
  });

  it('sends a notice with no deadline (a hold, a report shared) with no calendar file, in the reader’s language', async () => {
    const { smtp, activities } = await setup();
    const visit = visitSummary();
    const notices: Notice[] = [
      {
        key: `${visit.id}:event:9:hold-placed`,
        topic: 'hold-placed',
        kind: 'event',
        item: 'committee-review',
        to: ['chair'],
        at: '2027-01-12T15:00:00.000Z',
        visit,
      },
      {
        key: `${visit.id}:event:10:report-shared`,
        topic: 'report-shared',
        kind: 'event',
        to: ['partner:UNODC'],
        at: '2027-01-12T15:00:00.000Z',
        details: { scope: 'full' },
        visit,
      },
    ];
    for (const n of notices) expect((await activities.notify(n)).sent).toHaveLength(1);
    const chair = messageTo(smtp, 'chair@mission.example.net');
    expect(chair.calendar).toBeUndefined();
    expect(chair.headers.get('subject')).toBe(renderNotice(notices[0]!, { language: 'es', role: 'chair' }).subject);
    expect(chair.text).toBe(renderNotice(notices[0]!, { language: 'es', role: 'chair' }).text);
    expect(chair.headers.get('content-language')).toBe('es');
    const partner = messageTo(smtp, 'ta@unodc.example.org');
    expect(partner.calendar).toBeUndefined();
    expect(partner.headers.get('content-language')).toBe('fr');
    expect(partner.text).toContain('166-POL');
  });

  it('sends nothing more when the same notice is notified again, and records each message once', async () => {
    const { smtp, store, activities } = await setup();
    const notice = overduePao(visitSummary(), ['case-officer', 'secretariat']);
    const addresses = ['officer@cted.example.org', 'secretariat@un.example.org', 'ctc.desk@un.example.org'];

    expect((await activities.notify(notice)).sent).toEqual(addresses);
    expect(smtp.received).toHaveLength(3);
    const connectionsAfterFirst = smtp.connections();

    const again = await activities.notify(notice);
    expect(again).toEqual({ sent: [], alreadySent: addresses, unresolved: [] });
    const third = await activities.notify(notice);
    expect(third).toEqual({ sent: [], alreadySent: addresses, unresolved: [] });

    expect(smtp.received).toHaveLength(3);
    expect(smtp.connections()).toBe(connectionsAfterFirst);
    const stored = await store.messages('166-POL');
    expect(stored.map((m) => m.recipient).sort()).toEqual([...addresses].sort());
    expect(stored.map((m) => m.key).sort()).toEqual(addresses.map((a) => `${notice.key}|${a}`).sort());

    // A different notice (another key) to the same people is a new message.
    const other = { ...notice, key: `${notice.key}:2` };
    expect((await activities.notify(other)).sent).toEqual(addresses);
    expect(smtp.received).toHaveLength(6);
    expect(await store.messages('166-POL')).toHaveLength(6);
  });

  it("writes to State contacts in the visit's language and to the secretariat in English", async () => {
    const { smtp, store, activities } = await setup();
    const visit = visitSummary({ number: 170, state: 'FRA', stateName: 'France', language: 'fr' });
    const notice = draftDispatched(visit, ['state-contact', 'permanent-mission', 'secretariat']);

    const result = await activities.notify(notice);
    expect(result.sent).toEqual([
      'focal.point@mission.example.org',
      'mission@mission.example.org',
      'secretariat@un.example.org',
      'ctc.desk@un.example.org',
    ]);

    const french = renderNotice(notice, { language: 'fr', role: 'state-contact', calendarFile: 'deadline.ics' });
    const note = renderNotice(notice, { language: 'fr', role: 'permanent-mission', calendarFile: 'deadline.ics' });
    const english = renderNotice(notice, { language: 'en', role: 'secretariat', calendarFile: 'deadline.ics' });
    expect(english.subject).toBe('Draft report of visit 170-FRA for factual comments (by 11 February 2027)');
    expect(note.register).toBe('note-verbale');
    expect(note.subject).not.toBe(french.subject);

    // The focal point reads a French e-mail; the Mission a French note verbale; the secretariat English.
    const sentAs = [
      ['focal.point@mission.example.org', french, 'email'],
      ['mission@mission.example.org', note, 'note-verbale'],
    ] as const;
    for (const [address, rendered, register] of sentAs) {
      const m = messageTo(smtp, address);
      expect(m.headers.get('subject')).toBe(rendered.subject);
      expect(m.headers.get('x-visit-id')).toBe('170-FRA');
      expect(m.headers.get('content-language')).toBe('fr');
      expect(m.headers.get('x-follow-up-register')).toBe(register);
      expect(m.html).toContain('<html lang="fr" dir="ltr">');
      expect(m.text).toBe(rendered.text);
      expect(m.text).toMatch(/11 février 2027/);
    }
    for (const address of ['secretariat@un.example.org', 'ctc.desk@un.example.org']) {
      const m = messageTo(smtp, address);
      expect(m.headers.get('subject')).toBe(english.subject);
      expect(m.headers.get('content-language')).toBe('en');
      expect(m.text).toContain('Dear colleague,');
      expect(m.html).toContain('<html lang="en" dir="ltr">');
      expect(m.text).toBe(english.text);
    }
    const subjects = Object.fromEntries((await store.messages('170-FRA')).map((m) => [m.recipient, m.subject]));
    expect(subjects).toEqual({
      'focal.point@mission.example.org': french.subject,
      'mission@mission.example.org': note.subject,
      'secretariat@un.example.org': english.subject,
      'ctc.desk@un.example.org': english.subject,
    });
  });

  it('reports an unknown partner and a missing Permanent Mission as unresolved and still sends the rest', async () => {
    const { smtp, store, activities, logs } = await setup();
    const visit = visitSummary({ permanentMission: undefined });
    expect(visit.contacts.permanentMission).toBeUndefined();
    const notice = draftDispatched(visit, ['partner:NOSUCHORG', 'permanent-mission', 'state-contact', 'case-officer']);

    const result = await activities.notify(notice);

    expect(result).toEqual({
      sent: ['focal.point@mission.example.org', 'officer@cted.example.org'],
      alreadySent: [],
      unresolved: ['partner:NOSUCHORG', 'permanent-mission'],
    });
    expect(smtp.received.flatMap((r) => r.rcptTo).sort()).toEqual([
      'focal.point@mission.example.org',
      'officer@cted.example.org',
    ]);
    expect((await store.messages()).map((m) => m.recipient).sort()).toEqual([
      'focal.point@mission.example.org',
      'officer@cted.example.org',
    ]);
    expect(logs).toEqual([`notice ${notice.key}: no address for partner:NOSUCHORG, permanent-mission`]);
  });

  it.each([
    { stage: 'RCPT TO', code: 550, message: 'Mailbox unavailable' },
    { stage: 'RCPT TO', code: 451, message: 'Try again later' },
    { stage: 'DATA', code: 451, message: 'Local error in processing' },
    { stage: 'DATA', code: 550, message: 'Message rejected' },
  ])(
    'throws when the server refuses at $stage with $code, records nothing, and a later retry sends exactly once',
    async ({ stage, code, message }) => {
      const { smtp, store, activities } = await setup();
      const refusal = { responseCode: code, message };
      if (stage === 'RCPT TO') smtp.refuseRcpt = () => refusal;
      else smtp.refuseData = () => refusal;
      const notice = overduePao(visitSummary(), ['case-officer']);

      const error = await activities.notify(notice).then(
        () => undefined,
        (e: unknown) => e as Error & { responseCode?: number },
      );
      expect(error, 'notify rejects').toBeInstanceOf(Error);
      expect(error!.responseCode).toBe(code);
      expect(error!.message).toContain(String(code));
      expect(smtp.received).toHaveLength(0);
      expect(await store.messages()).toEqual([]);
      expect(await store.wasSent(`${notice.key}|officer@cted.example.org`)).toBe(false);

      // The server accepts again: the activity's retry sends the message once.
      smtp.refuseRcpt = () => undefined;
      smtp.refuseData = () => undefined;
      expect(await activities.notify(notice)).toEqual({
        sent: ['officer@cted.example.org'],
        alreadySent: [],
        unresolved: [],
      });
      expect(await activities.notify(notice)).toEqual({
        sent: [],
        alreadySent: ['officer@cted.example.org'],
        unresolved: [],
      });
      expect(smtp.received).toHaveLength(1);
      expect(messageTo(smtp, 'officer@cted.example.org').headers.get('message-id')).toBe(
        messageIdFor(`${notice.key}|officer@cted.example.org`),
      );
      expect((await store.messages()).map((m) => m.recipient)).toEqual(['officer@cted.example.org']);
    },
  );

  it('after a refusal part-way through, records only what was sent, and the retry sends only the rest', async () => {
    const { smtp, store, activities } = await setup();
    smtp.refuseRcpt = (address) =>
      address === 'ctc.desk@un.example.org' ? { responseCode: 451, message: 'Greylisted' } : undefined;
    const notice = overduePao(visitSummary(), ['case-officer', 'secretariat']);

    await expect(activities.notify(notice)).rejects.toThrow(/451/);
    expect(smtp.received.flatMap((r) => r.rcptTo)).toEqual(['officer@cted.example.org', 'secretariat@un.example.org']);
    expect((await store.messages()).map((m) => m.recipient).sort()).toEqual([
      'officer@cted.example.org',
      'secretariat@un.example.org',
    ]);

    smtp.refuseRcpt = () => undefined;
    expect(await activities.notify(notice)).toEqual({
      sent: ['ctc.desk@un.example.org'],
      alreadySent: ['officer@cted.example.org', 'secretariat@un.example.org'],
      unresolved: [],
    });
    expect(smtp.received.flatMap((r) => r.rcptTo).sort()).toEqual([
      'ctc.desk@un.example.org',
      'officer@cted.example.org',
      'secretariat@un.example.org',
    ]);
    expect(await store.messages()).toHaveLength(3);
  });

  it('throws when no SMTP server listens, and records nothing', async () => {
    const store = openStore(join(tempDir(), 'follow-up.sqlite'));
    // A port that was free a moment ago: nothing listens there now.
    const probe = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const deadPort = (probe.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const mailer = smtpMailer(`smtp://127.0.0.1:${deadPort}`);
    cleanups.push(() => mailer.close());
    const activities = createActivities({ store, mailer, directory: DIRECTORY, from: FROM, clock: () => FIXED_NOW });

    await expect(activities.notify(overduePao(visitSummary(), ['case-officer']))).rejects.toThrow(
      /ECONNREFUSED|connect/i,
    );
    expect(await store.messages()).toEqual([]);
    expect(await store.wasSent(`${overduePao(visitSummary(), ['case-officer']).key}|officer@cted.example.org`)).toBe(
      false,
    );
  });
});

// ---------------------------------------------------------------------------------------------

function events(...seqs: number[]): VisitEvent[] {
  return seqs.map((seq) => ({
    seq,
    type: seq === 1 ? 'visit-started' : `event-${seq}`,
    at: new Date(Date.UTC(2026, 10, 20, 12, seq)).toISOString(),
    stage: 'drafting',
    ...(seq % 2 === 0
      ? {
          actor: 'officer@cted.example.org',
          role: 'case-officer',
          door: 'cli' as const,
          payload: { note: `n${seq}`, n: seq },
        }
      : {}),
  }));
}

function batch(runId: string, evs: VisitEvent[]): EventBatch {
  return { visitId: '166-POL', workflowId: 'visit-166-POL', runId, events: evs };
}

describe('recordEvents and the SQLite file', () => {
  it('appends events and ignores a replayed batch (same run and sequence)', async () => {
    const { store, activities } = await setup();

    expect(await activities.recordEvents(batch('run-1', events(1, 2)))).toBe(2);
    expect(await activities.recordEvents(batch('run-1', events(1, 2)))).toBe(0);
    expect(await activities.recordEvents(batch('run-1', events(2, 3)))).toBe(1);
    // Another run of the same workflow (continue-as-new) starts its sequence again.
    expect(await activities.recordEvents(batch('run-2', events(1)))).toBe(1);

    const stored = await store.events('166-POL');
    expect(stored.map((e) => [e.seq, e.type])).toEqual([
      [1, 'visit-started'],
      [2, 'event-2'],
      [3, 'event-3'],
      [1, 'visit-started'],
    ]);
    expect(stored[1]).toEqual({
      visitId: '166-POL',
      seq: 2,
      type: 'event-2',
      stage: 'drafting',
      at: '2026-11-20T12:02:00.000Z',
      actor: 'officer@cted.example.org',
      role: 'case-officer',
      door: 'cli',
      payload: { note: 'n2', n: 2 },
      recordedAt: FIXED_NOW.toISOString(),
    });
    expect(stored[0]).toEqual({
      visitId: '166-POL',
      seq: 1,
      type: 'visit-started',
      stage: 'drafting',
      at: '2026-11-20T12:01:00.000Z',
      recordedAt: FIXED_NOW.toISOString(),
    });
    expect(await store.events('999-XYZ')).toEqual([]);
    expect(await store.events()).toHaveLength(4);
  });

  it('refuses UPDATE and DELETE on events and messages in the file itself', async () => {
    const { store, file, activities } = await setup();
    await activities.recordEvents(batch('run-1', events(1, 2)));
    await activities.notify(overduePao(visitSummary(), ['case-officer']));
    expect(await store.messages()).toHaveLength(1);

    const db = new Database(file);
    cleanups.push(() => {
      if (db.open) db.close();
    });
    expect(() => db.prepare("UPDATE events SET type = 'tampered'").run()).toThrow(/events are append-only/);
    expect(() => db.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(/events are append-only/);
    expect(() => db.prepare("UPDATE messages SET recipient = 'someone@else.example.org'").run()).toThrow(
      /messages are append-only/,
    );
    expect(() => db.prepare('DELETE FROM messages').run()).toThrow(/messages are append-only/);
    // A second row under a key already sent is refused too: a message is recorded once.
    const key = (await store.messages())[0]!.key;
    expect(() =>
      db
        .prepare(
          `INSERT INTO messages (key, notice_key, visit_id, topic, kind, recipient, subject, message_id, sent_at)
           VALUES (?, 'n', '166-POL', 't', 'k', 'r@example.org', 's', '<m@x>', '2026-01-01T00:00:00.000Z')`,
        )
        .run(key),
    ).toThrow(/UNIQUE constraint failed: messages.key/);
    db.close();

    expect((await store.events('166-POL')).map((e) => e.type)).toEqual(['visit-started', 'event-2']);
    expect((await store.messages()).map((m) => m.recipient)).toEqual(['officer@cted.example.org']);
  });

  it('keeps events and sent messages across closing and reopening the store on the same file', async () => {
    const dir = tempDir();
    const file = join(dir, 'nested', 'follow-up.sqlite');
    const first = await setup({ file });
    const notice = overduePao(visitSummary(), ['case-officer', 'chair']);
    await first.activities.recordEvents(batch('run-1', events(1, 2, 3)));
    expect((await first.activities.notify(notice)).sent).toEqual([
      'officer@cted.example.org',
      'chair@mission.example.net',
    ]);
    const eventsBefore = await first.store.events();
    const messagesBefore = await first.store.messages();
    await first.store.close();

    const second = await setup({ file });
    expect(await second.store.events()).toEqual(eventsBefore);
    expect(await second.store.messages()).toEqual(messagesBefore);
    expect(await second.store.wasSent(`${notice.key}|officer@cted.example.org`)).toBe(true);
    // After a restart the same notice is still not sent again, and replayed events are still ignored.
    expect(await second.activities.notify(notice)).toEqual({
      sent: [],
      alreadySent: ['officer@cted.example.org', 'chair@mission.example.net'],
      unresolved: [],
    });
    expect(second.smtp.received).toHaveLength(0);
    expect(await second.activities.recordEvents(batch('run-1', events(3, 4)))).toBe(1);
    await second.store.close();

    const third = openStore(file);
    expect((await third.events()).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(await third.messages()).toEqual(messagesBefore);
  });
});

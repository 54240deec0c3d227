/**
 * Chinese and Arabic arrive byte for byte on every channel: compared as the UTF-8 bytes of what was
 * sent, never as text a decoder might have repaired. (a) A real SMTP server: the subject's encoded
 * words, the text and HTML bodies and the `.ics` attachment; (b) the `.eml` files of the outbox and
 * the subject `listOutbox` decodes; (c) the `.ics` line folding: a summary and a description long
 * enough to fold unfold (RFC 5545 §3.1) to the original bytes, no line over 75 octets, none ending
 * or starting inside a character; (d) the CSV exports the API serves.
 */
import type { default as IcalModule } from 'ical.js' with { 'resolution-mode': 'import' };
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/domain/visit';
import { createHttpApp } from '../../src/doors/http/app';
import { readCsv } from '../../src/infra/csv';
import { calendarFile, noticeCalendar } from '../../src/infra/ics';
import {
  listOutbox,
  messageIdFor,
  outboxMailer,
  smtpMailer,
  type Mailer,
  type OutgoingMessage,
} from '../../src/infra/mail';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import type { VisitSnapshot } from '../../src/infra/store/store';
import { createServices } from '../../src/services';
import { deadlineEvents } from '../../src/services/monitoring';
import { decodeHeaderBytes, leaves, parseMime, strictUtf8, type MimePart } from '../mime';
import { reviewSnapshot } from '../fixtures/snapshots';
import { startSmtp, type TestSmtp } from '../smtp';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
/** Asserts two byte strings are the same, showing both as hex when they are not. */
function sameBytes(actual: Buffer, expected: Buffer, what: string): void {
  expect(actual.toString('hex'), what).toBe(expected.toString('hex'));
}

// Texts with what breaks careless code: 3-byte CJK, a 4-byte CJK Extension B character (a UTF-16
// surrogate pair), full-width punctuation; Arabic letters (2 bytes) with harakat (combining marks),
// Arabic-Indic digits, the Arabic comma, a right-to-left mark and a zero-width non-joiner.
const ZH = {
  language: 'zh',
  stateName: '沙特阿拉伯王国',
  subject: '关于第171次访问（沙特阿拉伯王国）的报告草稿：请于2027年2月11日前提出意见——𠮷',
  text:
    '尊敬的同事：\n\n' +
    '反恐怖主义委员会谨随函附上第171次访问的报告草稿，请贵国于2027年2月11日（纽约时间）营业结束前提出意见。\n' +
    '如需延期，请通过以下链接提出申请。\n\n' +
    '顺致崇高的敬意，\n反恐怖主义委员会后续行动\n',
  html:
    '<!doctype html><html lang="zh"><body><p>尊敬的同事：</p>' +
    '<p>反恐怖主义委员会谨随函附上第171次访问的报告草稿，请于<strong>2027年2月11日</strong>前提出意见。</p>' +
    '<p>𠮷野家、「引号」与《书名号》。</p></body></html>',
  summary: '请就报告草稿提出意见'.repeat(20),
  description: '第171次访问（沙特阿拉伯王国），报告草稿；截止日期：2027年2月11日。\n'.repeat(6),
};
const AR = {
  language: 'ar',
  stateName: 'المملكة العربية السعودية',
  subject: '\u200Fمسودة تقرير الزيارة ١٧١ إلى المملكة العربية السعودية: يُرجى إبداء الملاحظات قبل ١١ شباط/فبراير ٢٠٢٧',
  text:
    'الزميل العزيز،\n\n' +
    'تُحيل لجنةُ مكافحة الإرهاب مسودةَ تقرير الزيارة ١٧١، وتَرجو إبداء الملاحظات قبل نهاية يوم العمل في ١١ شباط/فبراير ٢٠٢٧.\n' +
    'https://follow-up.example.org/links/171-SAU/record-comments?token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_\n' +
    'https://follow-up.example.org/links/171-SAU/request-extension?token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_\n' +
    'https://follow-up.example.org/links/171-SAU/confirm-receipt?token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_\n\n' +
    'وتفضلوا بقبول فائق الاحترام،\u200C\n',
  html:
    '<!doctype html><html lang="ar" dir="rtl"><body><p>الزميل العزيز،</p>' +
    '<p>تُحيل اللجنة مسودةَ التقرير؛ الموعد النهائي <bdi>2027-02-11</bdi> (١١ شباط/فبراير ٢٠٢٧).</p>' +
    '<p><a href="https://follow-up.example.org/links/171-SAU/record-comments?token=AbCdEfGhIjKlMnOpQrStUvWxYz">إبداء الملاحظات</a></p>' +
    '<p><a href="https://follow-up.example.org/links/171-SAU/request-extension?token=AbCdEfGhIjKlMnOpQrStUvWxYz">طلب تمديد</a></p>' +
    '</body></html>',
  summary: 'مسودة تقرير الزيارة ١٧١: يُرجى إبداء الملاحظات '.repeat(6).trim(),
  description: 'المملكة العربية السعودية، الزيارة ١٧١؛ الموعد النهائي ١١ شباط/فبراير ٢٠٢٧.\n'.repeat(4),
};
const LANGUAGES = [ZH, AR];

const notice = (t: typeof ZH): Notice => ({
  key: `171-${t.language}:event:3:draft-dispatched`,
  topic: 'draft-dispatched',
  kind: 'event',
  item: 'state-review',
  to: ['state-contact'],
  at: '2027-01-12T15:00:00.000Z',
  deadline: '2027-02-11T04:59:59.999Z',
  visit: {
    id: '171-SAU',
    number: 171,
    state: 'SAU',
    stateName: t.stateName,
    type: 'comprehensive',
    start: '2026-11-16',
    end: '2026-11-20',
    contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'focal.point@mission.example.sa' },
    language: t.language as Notice['visit']['language'],
  },
});

const message = (t: typeof ZH): OutgoingMessage => ({
  from: 'follow-up@cted.example.org',
  to: `focal.point.${t.language}@mission.example.sa`,
  subject: t.subject,
  text: t.text,
  html: t.html,
  messageId: messageIdFor(`bytes-${t.language}`),
  headers: { 'X-Visit-Id': '171-SAU' },
  attachments: [noticeCalendar(notice(t), { summary: t.summary, description: t.description })!],
  language: t.language,
});

/** The `.ics` text of a message's attachment. */
const icsOf = (m: OutgoingMessage) => m.attachments![0]!.content as string;

let ICAL: typeof IcalModule;
let smtp: TestSmtp;
let smtpOut: Mailer;
let outDir: string;
let outbox: Mailer;

beforeAll(async () => {
  ICAL = (await import('ical.js')).default;
  smtp = await startSmtp();
  smtpOut = smtpMailer(smtp.url);
  outDir = mkdtempSync(join(tmpdir(), 'vfu-bytes-'));
  outbox = outboxMailer(outDir);
});

afterAll(async () => {
  smtpOut?.close();
  outbox?.close();
  await smtp?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/**
 * Checks a received message against what was sent, byte for byte. `lineBreaks` is the line end the
 * channel writes: MIME puts text in canonical form (RFC 2045 §6.7, RFC 2046 §4.1.1), so a text
 * part's line breaks travel as the channel's line ends when it is quoted-printable; every other byte,
 * and every byte of a base64 part, must be exactly what was sent.
 */
function expectSameMessage(received: MimePart, sent: OutgoingMessage, lineBreaks: '\r\n' | '\n'): string[] {
  expect(received.type).toBe('multipart/mixed');
  expect(received.headers.get('content-language')).toBe(sent.language);

  const subject = decodeHeaderBytes(received.headers.get('subject')!);
  sameBytes(subject.bytes, utf8(sent.subject), 'Subject');
  // Encoded words each hold whole characters (RFC 2047 §5): the decoder refused any that do not.
  expect(subject.words.length).toBeGreaterThan(0);

  const parts = leaves(received);
  expect(parts.map((p) => p.type)).toEqual(['text/plain', 'text/html', 'text/calendar']);
  for (const [part, original] of [
    [parts[0]!, sent.text],
    [parts[1]!, sent.html],
  ] as const) {
    expect(part.params.charset).toBe('utf-8');
    const canonical = part.encoding === 'base64' ? original : original.replace(/\n/g, lineBreaks);
    sameBytes(part.body, utf8(canonical), `${part.type} (${part.encoding})`);
    strictUtf8(part.body);
  }
  const ics = parts[2]!;
  expect(ics.disposition).toEqual({ type: 'attachment', params: { filename: 'deadline.ics' } });
  expect(ics.params).toMatchObject({ charset: 'utf-8', method: 'PUBLISH' });
  // The calendar's own CRLF line ends included: the attachment is base64, whatever the channel.
  expect(ics.encoding).toBe('base64');
  sameBytes(ics.body, utf8(icsOf(sent)), 'deadline.ics');
  return parts.map((p) => p.encoding);
}

/** RFC 5545 §3.1 on bytes: every line ends with CRLF, holds at most 75 octets and is UTF-8 on its own. */
function expectFoldedWell(ics: Buffer): Buffer[] {
  const text = ics.toString('latin1');
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const lines = text
    .slice(0, -2)
    .split('\r\n')
    .map((l) => Buffer.from(l, 'latin1'));
  for (const line of lines) {
    expect(line.length, line.toString('utf8')).toBeLessThanOrEqual(75);
    // A fold inside a character would leave its first bytes at one line's end, the rest at the next's start.
    expect(() => strictUtf8(line), `line is UTF-8 by itself: ${line.toString('hex')}`).not.toThrow();
  }
  return lines;
}

/** Unfolds (removes each CRLF followed by one space or tab) and returns a property's value bytes, as written. */
function propertyBytes(ics: Buffer, name: string): Buffer {
  const unfolded = Buffer.from(ics.toString('latin1').replace(/\r\n[ \t]/g, ''), 'latin1');
  const line = unfolded
    .toString('latin1')
    .split('\r\n')
    .find((l) => l.startsWith(`${name}:`));
  expect(line, name).toBeDefined();
  return Buffer.from(line!.slice(name.length + 1), 'latin1');
}

/** RFC 5545 §3.3.11 TEXT escaping: what the value holds for a given text. */
const escapeText = (s: string) => s.replace(/([\\;,])/g, '\\$1').replace(/\n/g, '\\n');

describe('(a) through a real SMTP server', () => {
  it('delivers subject, text, HTML and the .ics of Chinese and Arabic messages byte for byte', async () => {
    const encodings = new Set<string>();
    for (const t of LANGUAGES) {
      const sent = message(t);
      await smtpOut.send(sent);
      const got = smtp.received.at(-1)!;
      // 7-bit clean: no relay that lacks 8BITMIME can damage it.
      expect(got.raw).toMatch(/^[\t\r\n\x20-\x7e]*$/);
      expect(got.raw).not.toMatch(/(^|[^\r])\n/);
      for (const e of expectSameMessage(parseMime(got.raw), sent, '\r\n')) encodings.add(e);
      // The helper tests have relied on decodes it the same.
      sameBytes(utf8(got.subject), utf8(t.subject), 'test/smtp.ts subject');
    }
    // Both transfer encodings were exercised (the Chinese bodies go as base64, the Arabic with links as quoted-printable).
    expect([...encodings].sort()).toEqual(['base64', 'quoted-printable']);
  });
});

describe('(b) through the outbox', () => {
  it('writes .eml files that hold the same bytes, and lists the decoded subject and language', async () => {
    for (const t of LANGUAGES) await outbox.send(message(t));
    const entries = listOutbox(outDir);
    expect(entries.map((e) => e.language)).toEqual(['zh', 'ar']);
    for (const [i, t] of LANGUAGES.entries()) {
      const entry = entries[i]!;
      sameBytes(utf8(entry.subject), utf8(t.subject), 'listOutbox subject');
      const raw = readFileSync(join(outDir, entry.file));
      expect(raw.toString('latin1')).toMatch(/^[\t\n\x20-\x7e]*$/);
      expectSameMessage(parseMime(raw), message(t), '\n');
    }
  });
});

describe('(c) the .ics folding', () => {
  it('folds at 75 octets between characters and unfolds to the original bytes', async () => {
    for (const t of LANGUAGES) {
      const sent = message(t);
      await smtpOut.send(sent);
      const ics = leaves(parseMime(smtp.received.at(-1)!.raw)).find((p) => p.type === 'text/calendar')!.body;
      const lines = expectFoldedWell(ics);
      // Long enough to fold: the summary takes several lines.
      expect(lines.filter((l) => l[0] === 0x20).length).toBeGreaterThan(4);
      expect(Buffer.byteLength(`SUMMARY:${t.summary}`)).toBeGreaterThan(3 * 75);

      sameBytes(propertyBytes(ics, 'SUMMARY'), utf8(escapeText(t.summary)), 'SUMMARY unfolded');
      sameBytes(propertyBytes(ics, 'DESCRIPTION'), utf8(escapeText(t.description)), 'DESCRIPTION unfolded');
      // The summaries need no escaping at all: unfolded, the value is the original itself.
      expect(escapeText(t.summary)).toBe(t.summary);

      // And an independent parser reads the original text back.
      const event = new ICAL.Event(
        new ICAL.Component(ICAL.parse(strictUtf8(ics)) as unknown[]).getFirstSubcomponent('vevent')!,
      );
      sameBytes(utf8(event.summary), utf8(t.summary), 'ical.js summary');
      sameBytes(utf8(event.description), utf8(t.description), 'ical.js description');
    }
  });

  it("folds the feed's events the same, for a State named in Chinese or Arabic", () => {
    const now = new Date('2027-01-12T00:00:00Z');
    for (const name of [ZH.stateName.repeat(12), AR.stateName.repeat(4), `${ZH.subject}${AR.subject}`]) {
      const snapshot = {
        id: '171-SAU',
        state: 'SAU',
        stateName: name,
        type: 'comprehensive',
        stage: 'state-review',
        openItems: [{ item: 'state-review', deadline: '2027-02-11T04:59:59.999Z' }],
      } as unknown as VisitSnapshot;
      const ics = utf8(calendarFile('Visit follow-up deadlines (a@b.org)', deadlineEvents([snapshot]), now));
      expectFoldedWell(ics);
      sameBytes(propertyBytes(ics, 'SUMMARY'), utf8(escapeText(`171-SAU ${name}: state-review due`)), 'feed SUMMARY');
    }
  });
});

describe('(d) the CSV exports of the API', () => {
  const PUBLIC = 'http://127.0.0.1:3000';
  const store = new SqliteStore(':memory:');
  const services = createServices({
    temporal: () => Promise.reject(new Error('no Temporal in this test')),
    store: () => store,
    policy: resolvePolicy(),
    linkSecret: randomBytes(32).toString('base64url'),
    publicUrl: PUBLIC,
    outboxDir: '/nonexistent',
  });
  const http = createHttpApp({ services, publicUrl: PUBLIC, version: 'test' });
  const token = randomBytes(32).toString('base64url');
  const names = [
    { id: '171-SAU', number: 171, state: 'SAU', stateName: '沙特阿拉伯王国' },
    { id: '172-SAU', number: 172, state: 'SAU', stateName: 'المملكة العربية السعودية' },
    { id: '173-CHN', number: 173, state: 'CHN', stateName: '中华人民共和国（𠮷）' },
    // A name a spreadsheet would not run, with the Arabic comma and a quote inside.
    { id: '174-EGY', number: 174, state: 'EGY', stateName: 'جمهورية مصر العربية، "مصر"' },
  ];

  beforeAll(async () => {
    for (const v of names) {
      const snapshot = reviewSnapshot(
        {
          ...v,
          type: 'comprehensive',
          start: '2026-11-16',
          end: '2026-11-20',
          contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'focal.point@mission.example.org' },
          language: 'ar',
        },
        'state-review',
        '2027-02-11T04:59:59.999Z',
      );
      await store.appendEvents({
        visitId: v.id,
        workflowId: `visit-${v.id}`,
        runId: `run-${v.id}`,
        events: [{ seq: 1, type: 'visit-started', stage: 'state-review', at: '2027-01-12T15:00:00Z' }],
        snapshot,
      } as never);
    }
    await store.addUser({ email: 'secretariat@un.example.org', role: 'secretariat' }, token);
  });

  for (const path of ['/api/visits.csv', '/api/visits-conducted.csv']) {
    it(`${path} holds every State name byte for byte`, async () => {
      const r = await http.request(path, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const bytes = Buffer.from(await r.arrayBuffer());
      // No byte order mark: the file is UTF-8 from its first byte (what readCsv and csv-parse expect).
      expect(bytes.subarray(0, 3).toString('hex')).not.toBe('efbbbf');
      const text = strictUtf8(bytes);
      for (const v of names) expect(bytes.includes(utf8(v.stateName.replace(/"/g, '""')))).toBe(true);

      const read = readCsv(text);
      if (!read.ok) throw new Error(read.message);
      const [header, ...rows] = read.records.map((x) => x.cells);
      const col = header!.indexOf('stateName');
      const idCol = header!.indexOf('id');
      expect(col).toBeGreaterThanOrEqual(0);
      expect(rows).toHaveLength(names.length);
      for (const v of names) {
        const row = rows.find((x) => x[idCol] === v.id);
        expect(row, v.id).toBeDefined();
        sameBytes(utf8(row![col]!), utf8(v.stateName), `${path} ${v.id} stateName`);
      }
    });
  }
});

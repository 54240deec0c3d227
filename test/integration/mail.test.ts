/**
 * The local outbox: one complete `.eml` file per message in a real temporary folder, listed oldest
 * first with the headers a person scans (To, decoded Subject, Date).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderNotice } from '../../src/i18n/correspondence';
import type { Notice } from '../../src/domain/visit';
import { listOutbox, messageIdFor, outboxMailer, type Mailer, type OutgoingMessage } from '../../src/infra/mail';

const cleanups: (() => void)[] = [];

afterEach(() => {
  vi.useRealTimers();
  while (cleanups.length) cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vfu-outbox-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function mailer(dir: string): Mailer {
  const m = outboxMailer(dir);
  cleanups.push(() => m.close());
  return m;
}

function message(to: string, subject: string, key: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    from: 'follow-up@cted.example.org',
    to,
    subject,
    text: `Madame, Monsieur,\n\nÉchéance : ${subject}\n`,
    html: `<p>Échéance : ${subject.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
    messageId: messageIdFor(key),
    headers: { 'X-Visit-Id': '170-FRA' },
    ...extra,
  };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const flat = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < flat.length; i++) {
    if (flat[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(flat.slice(i + 1, i + 3))) {
      bytes.push(parseInt(flat.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(flat[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The parts of a complete multipart/alternative message, decoded; fails if the file is cut short. */
function readEml(file: string): { head: string; parts: Record<string, string> } {
  const raw = readFileSync(file, 'utf8');
  const at = raw.indexOf('\n\n');
  expect(at, 'headers end with a blank line').toBeGreaterThan(0);
  // Unfolded: a long header continues on lines that start with white space.
  const head = raw.slice(0, at).replace(/\n[ \t]+/g, ' ');
  const boundary = /boundary="([^"]+)"/.exec(head)?.[1];
  expect(boundary, 'a multipart boundary').toBeDefined();
  expect(raw.trimEnd().endsWith(`--${boundary}--`), 'the file ends with the closing boundary').toBe(true);
  const parts: Record<string, string> = {};
  for (const section of raw
    .slice(at + 2)
    .split(`--${boundary}`)
    .slice(1, -1)) {
    const s = section.replace(/^\n/, '');
    const end = s.indexOf('\n\n');
    const partHead = s.slice(0, end);
    const type = /^Content-Type: ([^;\n]+)/im.exec(partHead)![1]!;
    const enc = /^Content-Transfer-Encoding: (\S+)/im.exec(partHead)?.[1]?.toLowerCase() ?? '7bit';
    const body = s.slice(end + 2).replace(/\n$/, '');
    parts[type] =
      enc === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : enc === 'base64'
          ? Buffer.from(body, 'base64').toString('utf8')
          : body;
  }
  return { head, parts };
}

describe('outboxMailer', () => {
  it('writes one complete .eml file per message, and nothing else', async () => {
    const dir = join(tempDir(), 'outbox', 'nested');
    const m = mailer(dir);
    const subjects = [
      'Rappel : visite 170-FRA (échéance le 2027-02-11)',
      'Reminder: draft report — visit 166-POL (due 2027-01-19)',
      'Plain ASCII subject',
    ];

    for (const [i, subject] of subjects.entries()) await m.send(message(`person${i}@example.org`, subject, `k${i}`));

    const files = readdirSync(dir);
    expect(files).toHaveLength(3);
    expect(files.every((f) => /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-\d{6}-[0-9a-f]{12}\.eml$/.test(f))).toBe(
      true,
    );
    expect(files.filter((f) => f.endsWith('.tmp') || f.startsWith('.'))).toEqual([]);

    const byTo = new Map(listOutbox(dir).map((e) => [e.to, e.file]));
    for (const [i, subject] of subjects.entries()) {
      const file = byTo.get(`person${i}@example.org`);
      expect(file, `file for person${i}`).toBeDefined();
      const { head, parts } = readEml(join(dir, file!));
      expect(head).toMatch(/^From: follow-up@cted\.example\.org$/m);
      expect(head).toMatch(new RegExp(`^To: person${i}@example\\.org$`, 'm'));
      expect(head).toContain(`Message-ID: ${messageIdFor(`k${i}`)}`);
      expect(head).toMatch(/^X-Visit-ID: 170-FRA$/im);
      expect(parts['text/plain']).toBe(`Madame, Monsieur,\n\nÉchéance : ${subject}\n`);
      expect(parts['text/html']).toBe(`<p>Échéance : ${subject}</p>`);
      // The file name carries the start of the Message-ID hash.
      expect(file!.endsWith(`-${messageIdFor(`k${i}`).slice(1, 13)}.eml`)).toBe(true);
    }
  });

  it('writes every message of a burst sent at once', async () => {
    const dir = tempDir();
    const m = mailer(dir);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => m.send(message(`burst${i}@example.org`, `Message ${i} — été`, `burst-${i}`))),
    );
    const entries = listOutbox(dir);
    expect(entries.map((e) => e.to).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `burst${i}@example.org`).sort(),
    );
    expect(new Set(entries.map((e) => e.file)).size).toBe(8);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.eml'))).toEqual([]);
  });
});

describe('listOutbox', () => {
  it('lists messages oldest first, with To, the decoded non-ASCII Subject and the Date', async () => {
    const dir = tempDir();
    const m = mailer(dir);
    const french: Notice = {
      key: '170-FRA:event:7:draft-dispatched',
      topic: 'draft-dispatched',
      kind: 'event',
      item: 'state-review',
      to: ['state-contact'],
      at: '2027-01-12T15:00:00.000Z',
      deadline: '2027-02-11T15:00:00.000Z',
      visit: {
        id: '170-FRA',
        number: 170,
        state: 'FRA',
        stateName: 'France',
        type: 'comprehensive',
        start: '2026-11-16',
        end: '2026-11-20',
        contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'point.focal@mission.example.fr' },
        language: 'fr',
      },
    };
    const rendered = renderNotice(french, { language: 'fr', role: 'state-contact' });
    const sends = [
      {
        at: '2027-01-12T15:00:00.000Z',
        to: 'point.focal@mission.example.fr',
        subject: rendered.subject,
        body: rendered,
      },
      {
        at: '2027-01-12T15:00:01.000Z',
        to: 'secretariat@un.example.org',
        subject:
          'Échéance dépassée : « réponse » de l’État — visite 170-FRA, prière de répondre avant la réunion du Comité',
      },
      { at: '2027-01-13T09:30:00.000Z', to: 'chair@mission.example.net', subject: 'Plain: report adopted' },
      {
        at: '2027-03-01T00:00:00.000Z',
        to: 'partner@unodc.example.org',
        subject: 'ééééééééééééééééééééééééééééééééééééééééééééé — 日本語',
      },
    ];
    // Message-ID hashes in the reverse order of time, so a list sorted by hash would come out wrong.
    const keys = sends.map((_, i) => `order-${i}`);
    const byHash = [...keys].sort((a, b) => messageIdFor(b).localeCompare(messageIdFor(a)));

    vi.useFakeTimers({ toFake: ['Date'] });
    for (const [i, s] of sends.entries()) {
      vi.setSystemTime(new Date(s.at));
      await m.send({
        ...message(s.to, s.subject, byHash[i]!),
        ...(s.body ? { text: s.body.text, html: s.body.html } : {}),
      });
    }
    vi.useRealTimers();

    const list = listOutbox(dir);
    expect(list.map((e) => ({ to: e.to, subject: e.subject, date: e.date }))).toEqual(
      sends.map((s) => ({ to: s.to, subject: s.subject, date: new Date(s.at).toUTCString().replace('GMT', '+0000') })),
    );
    expect(list.map((e) => e.file)).toEqual([...list.map((e) => e.file)].sort());
    expect(list[0]!.file.startsWith('2027-01-12T15-00-00-000Z-')).toBe(true);
    expect(list[0]!.subject).toBe(
      'Projet de rapport de la visite 170-FRA soumis pour observations factuelles (au plus tard le 11 février 2027)',
    );
    // The French body is in the file, decoded intact.
    expect(readEml(join(dir, list[0]!.file)).parts['text/plain']).toBe(rendered.text);
    expect(readEml(join(dir, list[0]!.file)).parts['text/html']).toBe(rendered.html);
  });

  it('unfolds a long subject that spans several header lines', async () => {
    const dir = tempDir();
    const m = mailer(dir);
    const subject =
      'Report of visit 166-POL adopted: the Committee has adopted the report and it will now be transmitted to the State';
    await m.send(message('x@example.org', subject, 'long'));
    const [entry] = listOutbox(dir);
    expect(readFileSync(join(dir, entry!.file), 'utf8')).toMatch(/^Subject: .*\n[ \t]/m); // folded in the file
    expect(entry!.subject).toBe(subject);
    expect(entry!.to).toBe('x@example.org');
  });

  it('returns an empty list for a missing folder, and ignores files that are not complete .eml files', async () => {
    const dir = tempDir();
    expect(listOutbox(join(dir, 'does-not-exist'))).toEqual([]);
    expect(listOutbox(dir)).toEqual([]);

    const m = mailer(dir);
    await m.send(message('someone@example.org', 'Accusé de réception', 'only'));
    // What an interrupted write would leave behind, and an unrelated file.
    writeFileSync(
      join(dir, '.2027-01-01T00-00-00-000Z-aaaaaaaaaaaa.eml.tmp'),
      'From: x@example.org\nTo: half@example.org\nSubj',
    );
    writeFileSync(join(dir, 'README.txt'), 'not a message');

    const list = listOutbox(dir);
    expect(list.map((e) => [e.to, e.subject])).toEqual([['someone@example.org', 'Accusé de réception']]);
  });
});

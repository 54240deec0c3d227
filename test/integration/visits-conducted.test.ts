/**
 * Appendix I of S/2020/99 and the annual list with implementation progress, on the real engine
 * (dev server, worker, SQLite, SMTP, HTTP API): the 31 visits of 2018-2019 imported from the
 * reference file come back in /api/visits-conducted.csv by number with the appendix's dates; a
 * visit taken to adoption, transmission and consent shows those days; a State's register, fed by
 * its changes, is counted in /api/annual.csv, on /annual, in the December e-mail and by the CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerChangeSignal, registerWorkflowIdOf, TASK_QUEUE } from '../../src/contract';
import { CONDUCTED_COLUMNS } from '../../src/domain/appendix';
import { newYorkDate } from '../../src/domain/calendar';
import type { RegisterChange } from '../../src/domain/recommendations/model';
import { runCli } from '../../src/doors/cli/program';
import { parseCsv } from '../../src/infra/csv';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { readRegister } from '../../src/infra/temporal/register';
import { ensureSchedules, triggerSchedule } from '../../src/infra/temporal/schedules';
import { createServices, type Services } from '../../src/services';
import { apiVisit, startApiHarness, USERS, type Harness, type UserName } from '../api-harness';
import { eventually } from '../helpers';

const REFERENCE = readFileSync(join(__dirname, '..', 'fixtures', 'ctc-visits-2018-2019.csv'), 'utf8');

let h: Harness;
let services: Services;

beforeAll(async () => {
  h = await startApiHarness();
  services = createServices({
    temporal: async () => h.env.client,
    store: () => h.store,
    policy: resolvePolicy(),
    linkSecret: h.linkSecret,
    publicUrl: 'http://api.invalid',
    outboxDir: '/nonexistent',
  });
  const imported = await h.request('POST', '/api/visits/import', {
    as: 'secretariat',
    body: { csv: REFERENCE, caseOfficer: USERS.cted.email, stateContact: 'mission@{iso3}.example.org' },
  });
  expect(imported.status, imported.text).toBe(200);
  expect(imported.body.imported).toHaveLength(31);
  // Norway's visit ended yesterday: a State user's own visit.
  expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(901, 'NOR') })).status).toBe(201);
  await eventually(
    async () => ((await h.store.snapshots()).length === 32 ? true : undefined),
    'the 32 visits in the read model',
  );
}, 180_000);

afterAll(async () => {
  await h?.close();
});

/** A CSV export as objects by column, with its header. */
async function csvOf(path: string, as: UserName) {
  const r = await h.request('GET', path, { as });
  expect(r.status, r.text).toBe(200);
  const [header, ...rows] = parseCsv(r.text);
  return { header: header!, rows: rows.map((cells) => Object.fromEntries(header!.map((c, i) => [c, cells[i]!]))) };
}

describe('GET /api/visits-conducted.csv (Appendix I of S/2020/99)', () => {
  it('lists the imported visits by number, with the appendix’s State, type, ordinal and dates', async () => {
    const { header, rows } = await csvOf('/api/visits-conducted.csv', 'secretariat');
    expect(header).toEqual([...CONDUCTED_COLUMNS]);
    expect(rows.map((r) => r.id)).toHaveLength(32);
    expect(rows.map((r) => Number(r.number))).toEqual([...Array.from({ length: 31 }, (_, i) => 136 + i), 901]);
    expect(rows[0]).toEqual({
      number: '136',
      id: '136-GRC',
      year: '2018',
      state: 'GRC',
      stateName: 'Greece',
      type: 'follow-up',
      ordinal: 'second',
      visited: 'Greece (follow-up), second visit',
      start: '2018-01-30',
      end: '2018-02-01',
      dates: '30 January–1 February 2018',
      adopted: '',
      transmitted: '',
      consent: '',
      consentScope: '',
    });
    const byId = (id: string) => rows.find((r) => r.id === id)!;
    expect(byId('144-ARM')).toMatchObject({ visited: 'Armenia (regional), second visit', dates: '11–13 July 2018' });
    expect(byId('153-USA')).toMatchObject({ visited: 'United States of America (focused)', ordinal: '' });
    expect(byId('162-CHN')).toMatchObject({ dates: '29 October–2 November 2019', year: '2019' });

    const of2018 = await csvOf('/api/visits-conducted.csv?year=2018', 'committee');
    expect(of2018.rows).toHaveLength(15);
    expect(of2018.rows.at(-1)!.id).toBe('150-SAU');
  });

  it('shows the day of adoption, of transmission and of the consent, and its scope, once they happen', async () => {
    const step = async (as: UserName, action: string, body: unknown = {}) => {
      const r = await h.request('POST', `/api/visits/166-POL/actions/${action}`, { as, body });
      expect(r.status, `${action} by ${String(as)}: ${r.text}`).toBe(200);
    };
    await step('cted', 'submit-draft', { documentRef: 'DRAFT/166' });
    await step('cted', 'dispatch-draft');
    await step('cted', 'record-comments', { summary: 'None', onBehalfOf: 'POL', reference: 'NV/POL/1' });
    await step('cted', 'submit-final-draft');
    await step('committee', 'object', { reason: 'Paragraph 12' });
    await step('chair', 'record-adoption');
    await step('chair', 'transmit-report');
    await step('cted', 'record-consent', { scope: 'full', onBehalfOf: 'POL', reference: 'NV/POL/2' });

    const today = newYorkDate(Date.now());
    const row = await eventually(async () => {
      const { rows } = await csvOf('/api/visits-conducted.csv?year=2019', 'secretariat');
      const pol = rows.find((r) => r.id === '166-POL');
      return pol?.consent ? pol : undefined;
    }, 'the consent in the export');
    // The visit ended in 2019; its report was adopted, transmitted and shared today.
    expect(row).toMatchObject({
      visited: 'Poland (comprehensive)',
      dates: '9–13 December 2019',
      adopted: today,
      transmitted: today,
      consent: today,
      consentScope: 'full',
    });
  });

  it('a State sees only its own visits; a partner none (403); no token, 401', async () => {
    const own = await csvOf('/api/visits-conducted.csv', 'stateNOR');
    expect(own.rows.map((r) => r.id)).toEqual(['901-NOR']);
    expect((await csvOf('/api/visits-conducted.csv', 'stateCHL')).rows).toEqual([]);
    expect((await h.request('GET', '/api/visits-conducted.csv', { as: 'partner' })).status).toBe(403);
    expect((await h.request('GET', '/api/visits-conducted.csv')).status).toBe(401);
    expect((await h.request('GET', '/api/visits-conducted.csv?year=19', { as: 'secretariat' })).status).toBe(400);
  });

  it('followup export visits-conducted: the appendix as text by year, as CSV and as JSON', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(`ERR ${s}`), interactive: false };
    const cli = (...argv: string[]) => runCli({ services, io, operator: 'operator@followup.local' }, argv);

    expect(await cli('export', 'visits-conducted', '--year', '2018')).toBe(0);
    const text = out.pop()!.split('\n');
    expect(text[0]).toMatch(/^Visits conducted by the Committee, as at \d{4}-\d{2}-\d{2}$/);
    expect(text.slice(2, 4)).toEqual([
      '2018 (15 visits)',
      '  136   Greece (follow-up), second visit  30 January–1 February 2018',
    ]);

    expect(await cli('export', 'visits-conducted', '--csv')).toBe(0);
    const csv = parseCsv(out.pop()!);
    expect(csv[0]).toEqual([...CONDUCTED_COLUMNS]);
    expect(csv).toHaveLength(33);

    expect(await cli('export', 'visits-conducted', '--json', '--year', '2019')).toBe(0);
    const json = JSON.parse(out.pop()!) as { id: string; consentScope: string | null }[];
    expect(json).toHaveLength(16);
    expect(json.find((r) => r.id === '166-POL')!.consentScope).toBe('full');

    expect(await cli('export', 'visits-conducted', '--csv', '--json')).toBe(2);
    expect(await cli('export', 'visits-conducted', '--year', 'MMXIX')).not.toBe(0);
  });
});

const BY = USERS.cted.email;
const AT = '2020-03-05T15:00:00.000Z';
/** Peru's register, fed as its visit would feed it: three recommendations, one assessed, one need agreed. */
const PERU_CHANGES: RegisterChange[] = [
  {
    type: 'recommendations-adopted',
    key: '163-PER#1',
    visit: '163-PER',
    visitEnd: '2019-11-14',
    recommendations: [
      { number: 1, text: 'Criminalize the financing of travel', theme: 'counter-financing', priority: false },
      { number: 2, text: 'Train border officers', theme: 'border-management', priority: true, taNeed: 'Training' },
      { number: 3, text: 'Equip the ports', theme: 'border-management', priority: true, taNeed: 'Scanners' },
    ],
    at: AT,
    by: BY,
  },
  {
    type: 'assessed',
    key: '163-PER#2',
    items: [{ recommendation: '163-PER/R1', status: 'implemented' }],
    at: '2021-03-01T15:00:00.000Z',
    by: BY,
  },
  {
    type: 'ta-agreed',
    key: '163-PER#3',
    recommendations: ['163-PER/R2'],
    at: '2020-04-01T15:00:00.000Z',
    by: 'PER',
  },
];

describe('the annual list with the registers', () => {
  beforeAll(async () => {
    for (const change of PERU_CHANGES)
      await h.env.client.workflow.signalWithStart('stateRegister', {
        workflowId: registerWorkflowIdOf('PER'),
        taskQueue: TASK_QUEUE,
        args: [{ state: 'PER' }],
        signal: registerChangeSignal,
        signalArgs: [change],
      });
    await eventually(
      async () => ((await readRegister(h.env.client, 'PER'))?.changes === 3 ? true : undefined),
      "Peru's register",
    );
  });

  it("GET /api/annual.csv: each visit's recommendations counted beside its reporting status", async () => {
    // The register took the adoption whole, the visit's last day with it (a date the workflow parses).
    const register = await readRegister(h.env.client, 'PER');
    expect(register!.records.map((r) => [r.id, r.visitEnd])).toEqual([
      ['163-PER/R1', '2019-11-14'],
      ['163-PER/R2', '2019-11-14'],
      ['163-PER/R3', '2019-11-14'],
    ]);
    const { header, rows } = await csvOf('/api/annual.csv?year=2019', 'secretariat');
    expect(header).toEqual([
      ...['stateName', 'state', 'id', 'visitYear', 'status', 'due', 'submitted'],
      ...['recommendations', 'open', 'closed', 'priorityOpen'],
      ...['implemented', 'largely-implemented', 'partially-implemented', 'not-implemented'].map((s) => `assessed:${s}`),
      ...['no-longer-relevant', 'insufficient-information'].map((s) => `assessed:${s}`),
      ...['identified', 'agreed', 'referred', 'accepted', 'declined', 'delivering', 'delivered'].map((s) => `ta:${s}`),
    ]);
    expect(rows.find((r) => r.id === '163-PER')).toMatchObject({
      stateName: 'Peru',
      recommendations: '3',
      open: '2',
      closed: '1',
      priorityOpen: '2',
      'assessed:implemented': '1',
      'assessed:insufficient-information': '2',
      'ta:identified': '1',
      'ta:agreed': '1',
      'ta:referred': '0',
    });
    // A State with no register: zero everywhere.
    expect(rows.find((r) => r.id === '165-KGZ')).toMatchObject({ recommendations: '0', open: '0', 'ta:agreed': '0' });
    // Norway sees its own visit, and nothing of Peru's.
    const nor = await csvOf('/api/annual.csv', 'stateNOR');
    expect(nor.rows.map((r) => [r.id, r.recommendations])).toEqual([['901-NOR', '0']]);
  });

  it('the dashboard’s /annual page adds a table per State', async () => {
    const cookie = await h.signIn('committee');
    const page = await (await fetch(`${h.url}/annual?year=2019`, { headers: { cookie } })).text();
    expect(page).toContain('Recommendations and technical assistance, per State');
    const peru = /<tr data-state="PER">(.*?)<\/tr>/s.exec(page)?.[1] ?? '';
    const cells = [...peru.matchAll(/<td>(.*?)<\/td>/gs)].map((m) => m[1]);
    // State, total, open, priority open, closed, the six assessed statuses, TA needs.
    expect(cells).toEqual(['Peru', '3', '2', '2', '1', '1', '0', '0', '0', '0', '2', 'identified 1, agreed 1']);
  });

  it('the December e-mail lists each State with its register counted', async () => {
    await ensureSchedules(h.env.client);
    const before = h.smtp.received.length;
    await triggerSchedule(h.env.client, 'annual-reporting-status');
    const mail = await eventually(
      () => h.smtp.received.slice(before).find((m) => m.topic === 'annual-reporting-status'),
      'the annual list over SMTP',
    );
    const body = textPart(mail.raw);
    expect(body).toContain('Peru (163-PER, visit of 2019): not yet requested\n');
    const section = body.slice(body.indexOf('Recommendations and technical assistance, per State'));
    expect(section).toContain(
      [
        'Peru (PER): 3 recommendations: 2 open (2 priority), 1 closed',
        '  assessed: implemented 1, insufficient-information 2',
        '  TA needs: identified 1, agreed 1',
        'Philippines (PHL): no recommendations recorded',
      ].join('\n'),
    );
    // Every visited State is there: the 31 of the file and Norway.
    expect(section.split('\n').filter((l) => /^\S.* \([A-Z]{3}\): /.test(l))).toHaveLength(32);
  });

  it('followup export annual: the same list as text and JSON', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(`ERR ${s}`), interactive: false };
    const cli = (...argv: string[]) => runCli({ services, io, operator: 'operator@followup.local' }, argv);
    expect(await cli('export', 'annual', '--year', '2019')).toBe(0);
    expect(out.pop()).toContain('Peru (PER): 3 recommendations: 2 open (2 priority), 1 closed');
    expect(await cli('export', 'annual', '--json')).toBe(0);
    const list = JSON.parse(out.pop()!) as { rows: { id: string }[]; states: { state: string; total: number }[] };
    expect(list.rows).toHaveLength(32);
    expect(list.states.find((s) => s.state === 'PER')!.total).toBe(3);
  });
});

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
    if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
    return enc === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  }
  throw new Error('no text/plain part');
}

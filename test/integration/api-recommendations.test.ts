/**
 * The doors to the registers of recommendations, on the real dev server through the HTTP API:
 * a visit's file of 300 recommendations (and one bad row refusing the whole file), each role's
 * permissions for every new action, and what each role reads of the registers (a State its own
 * only, a partner only the needs referred to it), as a list, one by one and as CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THEMES } from '../../src/domain/recommendations/model';
import { parseCsv } from '../../src/infra/csv';
import { eventually } from '../helpers';
import { apiVisit, startApiHarness, type ApiResponse, type Harness, type UserName } from '../api-harness';

/** A second partner organisation, to which nothing is referred. */
const IOM = { email: 'ta@iom.example.org', role: 'partner', organisation: 'IOM' } as const;
type Who = UserName | 'iom';

let h: Harness;
const iomToken = 'iom-token-'.padEnd(43, 'x');
const NOR = '301-NOR';
const CHL = '302-CHL';

/** A CSV file of `n` recommendations; the first four carry a TA need; every text long enough to pass 64 KiB in all. */
function csvOf(n: number, edit: (cells: string[], i: number) => string[] = (c) => c): string {
  const rows = Array.from({ length: n }, (_, i) =>
    edit(
      [
        String(i + 1),
        `"Recommendation ${i + 1}: ${'strengthen the legal and institutional framework, '.repeat(5).trim()}"`,
        THEMES[i % THEMES.length]!,
        i % 4 === 0 ? 'yes' : 'no',
        i < 4 ? `Need ${i + 1}` : '',
      ],
      i,
    ).join(','),
  );
  return ['number,text,theme,priority,ta_need', ...rows].join('\n');
}

function request(who: Who, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const auth = who === 'iom' ? { token: iomToken } : { as: who };
  return h.request(method, path, { ...auth, ...(body !== undefined ? { body } : {}) });
}

const act = (who: Who, visit: string, action: string, body: unknown) =>
  request(who, 'POST', `/api/visits/${visit}/actions/${action}`, body);

async function step(who: Who, visit: string, action: string, body: unknown = {}): Promise<void> {
  const r = await act(who, visit, action, body);
  expect(r.status, `${who} ${action} on ${visit}: ${r.text}`).toBe(200);
}

const sendFile = (who: Who, visit: string, text: string, type = 'text/csv') =>
  h.request('POST', `/api/visits/${visit}/recommendations`, {
    ...(who === 'iom' ? { token: iomToken } : { as: who }),
    raw: text,
    headers: { 'content-type': type },
  });

/** The register as `who` lists it, once `ready` accepts it (the register is fed after each step). */
async function listed(who: Who, query: string, ready: (list: any[]) => boolean, what: string): Promise<any[]> {
  return eventually(
    async () => {
      const r = await request(who, 'GET', `/api/recommendations${query}`);
      expect(r.status, r.text).toBe(200);
      return ready(r.body) ? (r.body as any[]) : undefined;
    },
    what,
    60_000,
  );
}

/** From the final draft to adoption and transmission, each step by its role. */
async function adoptAndTransmit(visit: string, state: 'stateNOR' | 'stateCHL'): Promise<void> {
  await step('cted', visit, 'submit-draft');
  await step('cted', visit, 'dispatch-draft');
  await step(state, visit, 'record-comments', { summary: 'No comments' });
  await step('cted', visit, 'submit-final-draft');
  await step('committee', visit, 'object', { reason: 'Paragraph 12' });
  await step('chair', visit, 'record-adoption');
  await step('cted', visit, 'transmit-report');
}

/** Expects each user's attempt to be refused as given (403 forbidden or 404), in order. */
async function refusedAll(cases: [Who, number, unknown][], visit: string, action: string): Promise<void> {
  for (const [who, status, body] of cases) {
    const r = await act(who, visit, action, body);
    expect(r.status, `${who} ${action}: ${r.text}`).toBe(status);
    expect(r.body.error).toBe(status === 403 ? 'forbidden' : 'not-found');
  }
}

beforeAll(async () => {
  h = await startApiHarness({ rateLimit: 1_000_000 });
  await h.store.addUser(IOM, iomToken);
  for (const [n, s] of [
    [301, 'NOR'],
    [302, 'CHL'],
  ] as const) {
    const r = await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(n, s) });
    expect(r.status, r.text).toBe(201);
  }
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('a file of recommendations through the API', () => {
  it('refuses a file with one bad row whole, naming its line and field; nothing is recorded', async () => {
    const bad = csvOf(300, (c, i) => (i === 41 ? [c[0]!, c[1]!, 'judiciary', c[3]!, c[4]!] : c));
    const r = await sendFile('cted', NOR, bad);
    expect(r.status, r.text).toBe(422);
    expect(r.body).toMatchObject({
      error: 'bad-rows',
      problems: [{ line: 43, field: 'theme' }],
    });
    expect(r.body.message).toMatch(/^nothing recorded: line 43: theme: /);
    const visit = await request('cted', 'GET', `/api/visits/${NOR}`);
    expect(visit.body.recommendations ?? []).toEqual([]);
    const audit = (await h.store.audit()).filter((e) => e.visitId === NOR && e.action === 'record-recommendations');
    expect(audit.map((e) => [e.outcome, e.detail])).toEqual([['refused', 'bad rows']]);
    // 301 recommendations are refused too, and a JSON array naming its row.
    const many = await sendFile('cted', NOR, csvOf(301));
    expect(many.body).toMatchObject({ error: 'bad-rows', problems: [{ message: expect.stringContaining('301') }] });
    const json = await sendFile(
      'cted',
      NOR,
      JSON.stringify([{ number: 1, text: 'T', theme: 'ict' }]),
      'application/json',
    );
    expect(json.status).toBe(422);
    expect(json.body.problems).toEqual([{ row: 1, field: 'priority', message: 'expected yes or no' }]);
  });

  it('refuses the file to roles that may not record recommendations, before reading it', async () => {
    for (const [who, status] of [
      ['secretariat', 403],
      ['committee', 403],
      ['chair', 403],
      ['stateNOR', 403],
      ['stateCHL', 404],
      ['partner', 404],
      ['iom', 404],
    ] as const) {
      const r = await sendFile(who, NOR, 'not a file');
      expect(r.status, `${who}: ${r.text}`).toBe(status);
    }
  });

  it('takes the same 300 as the plain action’s JSON (over 64 KiB too), and nothing over 6 MiB', async () => {
    const recommendations = Array.from({ length: 300 }, (_, i) => ({
      number: i + 1,
      text: `Draft ${i + 1}: ${'x'.repeat(300)}`,
      theme: 'other',
      priority: false,
    }));
    const r = await act('cted', NOR, 'record-recommendations', { recommendations });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.recommendations).toHaveLength(300);
    const huge = await sendFile(
      'cted',
      NOR,
      `number,text,theme,priority,ta_need\n1,"${'x'.repeat(7 << 20)}",ict,no,\n`,
    );
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('body-too-large');
  });

  it('records a file of 300 (over 64 KiB) for CTED, replacing the draft ones; adoption puts all 300 in the State’s register', async () => {
    const file = csvOf(300);
    expect(Buffer.byteLength(file)).toBeGreaterThan(64 * 1024);
    const r = await sendFile('cted', NOR, file);
    expect(r.status, r.text).toBe(200);
    expect(r.body.recommendations).toHaveLength(300);
    // CHL's come as a JSON array through the plain action route.
    await step('cted', CHL, 'record-recommendations', {
      recommendations: [
        { number: 1, text: 'Ratify the conventions', theme: 'legislation', priority: true, taNeed: 'Drafting' },
        { number: 2, text: 'Train prosecutors', theme: 'criminal-justice', priority: false },
      ],
    });
    await adoptAndTransmit(NOR, 'stateNOR');
    await adoptAndTransmit(CHL, 'stateCHL');
    const all = await listed('cted', '', (l) => l.length === 302, 'both registers to be fed');
    expect(all.filter((x) => x.state === 'NOR')).toHaveLength(300);
    expect(all[0]).toMatchObject({ id: '301-NOR/R1', visit: NOR, state: 'NOR', priority: true, taNeed: 'Need 1' });
    expect(all.at(-1)).toMatchObject({ id: '302-CHL/R2', status: 'open', reportedStatus: null });
  });
});

describe('every new action, role by role (NOR’s visit: stateCHL is another State, IOM a partner nothing was referred to)', () => {
  const R = (n: number) => `${NOR}/R${n}`;

  it('agree-ta-needs: the State, or CTED and the secretariat naming it', async () => {
    const body = (n: number, extra = {}) => ({ recommendations: [R(n)], ...extra });
    await refusedAll(
      [
        ['cted', 403, body(1)],
        ['secretariat', 403, body(1, { onBehalfOf: 'CHL' })],
        ['committee', 403, body(1)],
        ['chair', 403, body(1)],
        ['stateNOR', 403, body(1, { onBehalfOf: 'CHL' })],
        ['stateCHL', 404, body(1)],
        ['partner', 404, body(1)],
        ['iom', 404, body(1)],
      ],
      NOR,
      'agree-ta-needs',
    );
    await step('stateNOR', NOR, 'agree-ta-needs', body(1));
    await step('cted', NOR, 'agree-ta-needs', body(2, { onBehalfOf: 'NOR', reference: 'NV/1' }));
    await step('secretariat', NOR, 'agree-ta-needs', body(3, { onBehalfOf: 'NOR' }));
  });

  it('refer-ta: CTED only, of agreed needs', async () => {
    const body = { partners: ['UNODC'], recommendations: [R(1), R(2)] };
    await refusedAll(
      [
        ['secretariat', 403, body],
        ['committee', 403, body],
        ['chair', 403, body],
        ['stateNOR', 403, body],
        ['stateCHL', 404, body],
        ['partner', 404, body],
        ['iom', 404, body],
      ],
      NOR,
      'refer-ta',
    );
    await step('cted', NOR, 'refer-ta', body);
    // R4's need was never agreed: the workflow refuses it.
    const r = await act('cted', NOR, 'refer-ta', { partners: ['UNODC'], recommendations: [R(4)] });
    expect(r.status, r.text).toBe(409);
  });

  it('record-ta-response: the partner for its own organisation, or CTED naming the partner', async () => {
    const body = (partner: string, n = 1) => ({ recommendation: R(n), partner, response: 'accepted' });
    await refusedAll(
      [
        ['partner', 403, body('IOM')],
        ['iom', 404, body('IOM')],
        ['secretariat', 403, body('UNODC')],
        ['committee', 403, body('UNODC')],
        ['chair', 403, body('UNODC')],
        ['stateNOR', 403, body('UNODC')],
        ['stateCHL', 404, body('UNODC')],
      ],
      NOR,
      'record-ta-response',
    );
    await step('partner', NOR, 'record-ta-response', body('UNODC'));
    await step('cted', NOR, 'record-ta-response', { ...body('UNODC', 2), response: 'declined', note: 'No budget' });
  });

  it('record-ta-delivery: the partner for its own organisation, or CTED naming the partner', async () => {
    const body = (partner: string, status = 'delivering') => ({ recommendation: R(1), partner, status });
    await refusedAll(
      [
        ['partner', 403, body('IOM')],
        ['iom', 404, body('IOM')],
        ['secretariat', 403, body('UNODC')],
        ['committee', 403, body('UNODC')],
        ['chair', 403, body('UNODC')],
        ['stateNOR', 403, body('UNODC')],
        ['stateCHL', 404, body('UNODC')],
      ],
      NOR,
      'record-ta-delivery',
    );
    await step('partner', NOR, 'record-ta-delivery', { ...body('UNODC'), text: 'Workshop planned' });
    await step('cted', NOR, 'record-ta-delivery', { ...body('UNODC', 'delivered'), text: 'Workshop held' });
  });

  it('report-progress: the State, or CTED and the secretariat naming it', async () => {
    const body = (status: string, extra = {}) => ({ items: [{ recommendation: R(1), status }], ...extra });
    await refusedAll(
      [
        ['cted', 403, body('in-progress')],
        ['secretariat', 403, body('in-progress', { onBehalfOf: 'CHL' })],
        ['committee', 403, body('in-progress')],
        ['chair', 403, body('in-progress')],
        ['stateNOR', 403, body('in-progress', { onBehalfOf: 'CHL' })],
        ['stateCHL', 404, body('in-progress')],
        ['partner', 403, body('in-progress')],
        ['iom', 404, body('in-progress')],
      ],
      NOR,
      'report-progress',
    );
    await step('cted', NOR, 'report-progress', body('not-started', { onBehalfOf: 'NOR', reference: 'NV/2' }));
    await step('secretariat', NOR, 'report-progress', body('in-progress', { onBehalfOf: 'NOR' }));
    await step('stateNOR', NOR, 'report-progress', {
      items: [{ recommendation: R(1), status: 'implemented', text: 'Law adopted' }],
    });
    // A recommendation the visit does not have is the workflow's refusal.
    const r = await act('stateNOR', NOR, 'report-progress', {
      items: [{ recommendation: `${CHL}/R1`, status: 'implemented' }],
    });
    expect(r.status, r.text).toBe(409);
  });

  it('assess-recommendation: CTED only', async () => {
    const body = { items: [{ recommendation: R(1), status: 'implemented', note: 'Law in force' }] };
    await refusedAll(
      [
        ['secretariat', 403, body],
        ['committee', 403, body],
        ['chair', 403, body],
        ['stateNOR', 403, body],
        ['stateCHL', 404, body],
        ['partner', 403, body],
        ['iom', 404, body],
      ],
      NOR,
      'assess-recommendation',
    );
    await step('cted', NOR, 'assess-recommendation', body);
  });

  it('record-recommendations: CTED only, and no longer once adopted', async () => {
    const body = { recommendations: [{ number: 1, text: 'T', theme: 'ict', priority: false }] };
    await refusedAll(
      [
        ['secretariat', 403, body],
        ['committee', 403, body],
        ['chair', 403, body],
        ['stateNOR', 403, body],
        ['stateCHL', 404, body],
        ['partner', 403, body],
        ['iom', 404, body],
      ],
      NOR,
      'record-recommendations',
    );
    const r = await act('cted', NOR, 'record-recommendations', body);
    expect(r.status, r.text).toBe(409);
  });
});

describe('reading the registers, role by role', () => {
  const R1 = `${NOR}/R1`;
  const enc = (id: string) => `/api/recommendations/${encodeURIComponent(id)}`;

  it('shows CTED the whole record, by either form of its id, once the register has every step', async () => {
    const r1 = await eventually(
      async () => {
        const r = await request('cted', 'GET', enc(R1));
        return r.status === 200 && r.body.assessedStatus.status === 'implemented' ? r.body : undefined;
      },
      'the register to take the assessment',
      60_000,
    );
    expect(r1).toMatchObject({
      id: R1,
      status: 'closed',
      reportedStatus: { status: 'implemented', text: 'Law adopted', by: 'mission@norway.example.org' },
      assessedStatus: { status: 'implemented', note: 'Law in force', by: 'officer@cted.example.org' },
      ta: { status: 'delivered', partners: [{ partner: 'UNODC', status: 'delivered', text: 'Workshop held' }] },
    });
    expect(r1.history.map((e: { type: string }) => e.type)).toEqual([
      'recommendations-adopted',
      'ta-agreed',
      'ta-referred',
      'ta-response',
      'ta-delivery',
      'ta-delivery',
      'progress-reported',
      'progress-reported',
      'progress-reported',
      'assessed',
    ]);
    const slashed = await request('cted', 'GET', `/api/recommendations/${R1}`);
    expect(slashed.body).toEqual(r1);
    expect((await request('cted', 'GET', enc(`${NOR}/R999`))).status).toBe(404);
    expect((await request('cted', 'GET', '/api/recommendations/301-NOR%2F12')).status).toBe(400);
  });

  it('names the State, not its focal point, to the Committee and the Chair', async () => {
    for (const who of ['committee', 'chair'] as const) {
      const r = await request(who, 'GET', enc(R1));
      expect(r.status).toBe(200);
      expect(r.body.reportedStatus.by).toBe('NOR');
      expect(r.text).not.toContain('mission@norway.example.org');
    }
  });

  it('shows a State its own register only: another State’s recommendation is a 404', async () => {
    const own = await request('stateNOR', 'GET', '/api/recommendations?priority=true');
    expect(own.status).toBe(200);
    expect(own.body).toHaveLength(75);
    expect(new Set(own.body.map((x: { state: string }) => x.state))).toEqual(new Set(['NOR']));
    expect((await request('stateNOR', 'GET', '/api/recommendations?state=CHL')).body).toEqual([]);
    expect((await request('stateNOR', 'GET', `/api/recommendations?visit=${CHL}`)).body).toEqual([]);
    expect((await request('stateNOR', 'GET', enc(`${CHL}/R1`))).status).toBe(404);
    const r1 = await request('stateNOR', 'GET', enc(R1));
    expect(r1.body.assessedStatus).toEqual({ status: 'implemented', at: expect.any(String) });
    expect(r1.text).not.toContain('Law in force');
    expect(r1.text).not.toContain('officer@cted.example.org');
    const chl = await request('stateCHL', 'GET', '/api/recommendations');
    expect(chl.body.map((x: { id: string }) => x.id)).toEqual([`${CHL}/R1`, `${CHL}/R2`]);
    expect((await request('stateCHL', 'GET', enc(R1))).status).toBe(404);
  });

  it('shows a partner only the needs referred to it, its own part, and the text once the State consents', async () => {
    const before = await request('partner', 'GET', '/api/recommendations');
    expect(before.body.map((x: { id: string }) => x.id)).toEqual([R1, `${NOR}/R2`]);
    expect(before.body[1]).toEqual({
      id: `${NOR}/R2`,
      visit: NOR,
      state: 'NOR',
      number: 2,
      theme: THEMES[1],
      priority: false,
      taNeed: 'Need 2',
      ta: {
        status: 'declined',
        partners: [{ partner: 'UNODC', status: 'declined', at: expect.any(String), text: 'No budget' }],
        answerBy: expect.any(String),
      },
    });
    expect((await request('partner', 'GET', enc(`${NOR}/R3`))).status).toBe(404);
    expect((await request('partner', 'GET', '/api/recommendations?status=open')).status).toBe(400);
    expect((await request('iom', 'GET', '/api/recommendations')).body).toEqual([]);
    expect((await request('iom', 'GET', enc(R1))).status).toBe(404);
    await step('stateNOR', NOR, 'record-consent', { scope: 'full' });
    const after = await request('partner', 'GET', enc(R1));
    expect(after.body.text).toMatch(/^Recommendation 1: /);
  });

  it('exports the register as CSV, each role its own rows', async () => {
    const csv = await request('cted', 'GET', `/api/recommendations.csv?state=NOR&status=closed`);
    expect(csv.status).toBe(200);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([
      'id',
      'visit',
      'state',
      'number',
      'theme',
      'priority',
      'ta_need',
      'reported_status',
      'reported_at',
      'assessed_status',
      'assessed_at',
      'status',
      'superseded_by',
      'ta_status',
      'ta_partners',
      'text',
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(0, 15)).toEqual([
      R1,
      NOR,
      'NOR',
      '1',
      'legislation',
      'yes',
      'Need 1',
      'implemented',
      expect.any(String),
      'implemented',
      expect.any(String),
      'closed',
      '',
      'delivered',
      'UNODC: delivered',
    ]);
    const state = parseCsv((await request('stateCHL', 'GET', '/api/recommendations.csv')).text);
    expect(state.slice(1).map((r) => r[0])).toEqual([`${CHL}/R1`, `${CHL}/R2`]);
    const partner = parseCsv((await request('partner', 'GET', '/api/recommendations.csv')).text);
    expect(partner.slice(1).map((r) => [r[0], r[7], r[11], r[14]])).toEqual([
      [R1, '', '', 'UNODC: delivered'],
      [`${NOR}/R2`, '', '', 'UNODC: declined'],
    ]);
  });
});

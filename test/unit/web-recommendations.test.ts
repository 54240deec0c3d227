/** The register, progress and TA pages rendered from fixture records: what they show is what they are given. */
import { describe, expect, it } from 'vitest';
import { payloadFromForm, ProgressItemsField } from '../../src/doors/web/fields';
import { Layout } from '../../src/doors/web/layout';
import { LinkDone } from '../../src/doors/web/link-page';
import { CHART, ProgressPage, segmentsOf } from '../../src/doors/web/progress';
import { filterRegister, RegisterPage, RegisterQuery } from '../../src/doors/web/recommendations';
import { TaPage } from '../../src/doors/web/ta';
import { progressOf, taPipeline } from '../../src/domain/recommendations/progress';
import { projectRecommendation, type StateRecommendationView } from '../../src/domain/recommendations/views';
import { rec } from '../recommendation-records';

const html = (node: unknown) => String(node);

/** The part of the page inside the element with this id, up to its closing tag. */
function section(page: string, id: string, closing: string, attribute = 'id'): string {
  const start = page.indexOf(`${attribute}="${id}"`);
  expect(start, `${attribute}=${id} on the page`).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf(closing, start));
}

/** A chart's bars: per row, each drawn part with its width, x and share. */
function bars(chart: string): Record<string, Record<string, { x: number; width: number; share: number }>> {
  const out: Record<string, Record<string, { x: number; width: number; share: number }>> = {};
  for (const g of chart.split('<g class="progress-row"').slice(1)) {
    const row = /^ data-row="([^"]+)"/.exec(g)![1]!;
    out[row] = {};
    for (const m of g.matchAll(/data-part="(\w+)" data-share="([\d.]+)" x="([\d.]+)" y="0" width="([\d.]+)"/g)) {
      out[row][m[1]!] = { share: Number(m[2]), x: Number(m[3]), width: Number(m[4]) };
    }
  }
  return out;
}

describe('the progress chart', () => {
  const records = [
    rec('166-POL', 1, { theme: 'ict', assessed: 'implemented', visitEnd: '2019-11-20' }),
    rec('166-POL', 2, { theme: 'ict', assessed: 'largely-implemented', visitEnd: '2019-11-20' }),
    rec('166-POL', 3, { theme: 'ict', assessed: 'partially-implemented', visitEnd: '2019-11-20' }),
    rec('166-POL', 4, { theme: 'ict', assessed: 'not-implemented', visitEnd: '2019-11-20' }),
    rec('166-POL', 5, { theme: 'ict', assessed: 'no-longer-relevant', visitEnd: '2019-11-20' }),
    rec('170-NOR', 1, { theme: 'legislation', visitEnd: '2021-02-02' }),
    rec('170-NOR', 2, { theme: 'legislation', assessed: 'implemented', visitEnd: '2021-02-02' }),
    rec('170-NOR', 3, { theme: 'legislation', visitEnd: '2021-02-02', supersededBy: '180-NOR/R1' }),
  ];
  const page = html(ProgressPage({ records }));

  it("draws each theme's bar with parts as wide as their shares, left to right", () => {
    const b = bars(section(page, 'by-theme', '</svg>'));
    expect(Object.keys(b)).toEqual([
      'legislation',
      'counter-financing',
      'law-enforcement',
      'border-management',
      'international-cooperation',
      'criminal-justice',
      'human-rights',
      'countering-violent-extremism',
      'ict',
      'other',
    ]);
    const W = CHART.bar;
    expect(b.ict).toEqual({
      implemented: { share: 0.25, x: CHART.label, width: 0.25 * W },
      partly: { share: 0.5, x: CHART.label + 0.25 * W, width: 0.5 * W },
      not: { share: 0.25, x: CHART.label + 0.75 * W, width: 0.25 * W },
    });
    expect(b.legislation).toEqual({
      implemented: { share: 0.5, x: CHART.label, width: 0.5 * W },
      unknown: { share: 0.5, x: CHART.label + 0.5 * W, width: 0.5 * W },
    });
    // A theme with nothing counted has only its empty track.
    expect(b.other).toEqual({});
  });

  it('rounds widths of thirds to hundredths, and they still fill the bar', () => {
    const p = progressOf([
      rec('1-POL', 1, { assessed: 'implemented' }),
      rec('1-POL', 2, { assessed: 'not-implemented' }),
      rec('1-POL', 3),
    ]);
    const segs = segmentsOf(p);
    expect(segs.map((s) => s.width)).toEqual([133.33, 133.33, 133.33]);
    expect(segs.map((s) => s.x)).toEqual([230, 363.33, 496.67]);
  });

  it('gives every bar a title in words and the same numbers in a table', () => {
    const chart = section(page, 'by-theme', '</svg>');
    expect(chart).toContain(
      '<title>ict: 4 recommendation(s): implemented 1 (25%), partly implemented 2 (50%), not implemented 1 (25%), unknown (insufficient information) 0 (0%)</title>',
    );
    expect(chart).toContain('<title>other: no recommendations counted</title>');
    expect(chart).toContain('<title>ict: partly implemented 2 of 4</title>');
    const table = section(page, 'by-theme-table', '</table>');
    const ict = /<tr data-row="ict">(.*?)<\/tr>/.exec(table)![1]!;
    expect([...ict.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1])).toEqual([
      'ict',
      '4',
      '1 (25%)',
      '2 (50%)',
      '1 (25%)',
      '0 (0%)',
      '1',
      '0',
    ]);
    expect(page).toContain('<svg role="img" aria-labelledby="by-theme-title"');
    expect(page).not.toMatch(/<script|style=/);
  });

  it('draws a bar per year of visit, oldest first', () => {
    const b = bars(section(page, 'by-year', '</svg>'));
    expect(Object.keys(b)).toEqual(['2019', '2021']);
    expect(b['2019']!.implemented!.width).toBe(0.25 * CHART.bar);
    expect(b['2021']!.unknown!.width).toBe(0.5 * CHART.bar);
  });

  it('counts per State, linking to each register', () => {
    const states = section(page, 'states', '</table>');
    expect([...states.matchAll(/<tr data-state="(\w+)">/g)].map((m) => m[1])).toEqual(['NOR', 'POL']);
    expect(states).toContain('<a href="/states/POL">POL</a>');
  });
});

describe("a State's register page", () => {
  const records = [
    rec('166-POL', 2, {
      priority: true,
      text: 'Adopt <script>alert("x")</script> & amend the law',
      reported: 'in-progress',
      ta: { status: 'referred', partners: [['UNODC', 'accepted']] },
    }),
    rec('166-POL', 1, { assessed: 'implemented' }),
    rec('120-POL', 4, { supersededBy: '166-POL/R1' }),
  ];
  const render = (q: RegisterQuery = {}) => html(RegisterPage({ state: 'POL', records, q }));

  it('lists every record it is given, in the register order, with both statuses and the history folded', () => {
    const page = render();
    expect(
      [...page.matchAll(/<tr data-recommendation="([^"]+)" data-status="(\w+)"/g)].map((m) => [m[1], m[2]]),
    ).toEqual([
      ['120-POL/R4', 'closed'],
      ['166-POL/R1', 'closed'],
      ['166-POL/R2', 'open'],
    ]);
    expect(page).toContain('superseded by 166-POL/R1');
    expect(page).toContain('<span class="reported">in-progress</span> <span class="muted">2020-09-01</span>');
    expect(page).toContain('<span class="assessed">implemented</span> <span class="muted">2021-03-01</span>');
    expect(page).toContain('<span class="ta-status">referred</span>: UNODC accepted');
    expect(page).toMatch(
      /<details class="history"><summary>1 change<\/summary><ol><li>2020-03-02 <strong>recommendations-adopted<\/strong> by cted@un\.example\.org/,
    );
    expect(page).toContain('<a href="/api/recommendations.csv?state=POL">Export CSV</a>');
    expect(page).toContain('3 recommendation(s)');
    expect(page).toContain('open: 1 (1 priority)');
    expect(page).toContain('closed: 2 (1 superseded)');
  });

  it('escapes what people typed', () => {
    const page = render();
    expect(page).not.toContain('<script>');
    expect(page).toContain('Adopt &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; amend the law');
  });

  it('filters by status, priority and visit, offering the visits of the register', () => {
    const ids = (q: RegisterQuery) => filterRegister(records, q).map((r) => r.id);
    expect(ids({ status: 'open' })).toEqual(['166-POL/R2']);
    expect(ids({ status: 'closed', visit: '166-POL' })).toEqual(['166-POL/R1']);
    expect(ids({ priority: 'false' })).toEqual(['120-POL/R4', '166-POL/R1']);
    const page = render({ visit: '120-POL' });
    expect([...page.matchAll(/<tr data-recommendation="([^"]+)"/g)].map((m) => m[1])).toEqual(['120-POL/R4']);
    expect(page).toContain('<option selected="">120-POL</option><option>166-POL</option>');
    // The export carries the filters, as the API names them.
    expect(page).toContain('<a href="/api/recommendations.csv?state=POL&amp;visit=120-POL">Export CSV</a>');
    expect(html(RegisterPage({ state: 'POL', records, q: { status: 'open', priority: 'false' } }))).toContain(
      'No recommendations match.',
    );
    expect(RegisterQuery.safeParse({ status: 'maybe' }).success).toBe(false);
    expect(RegisterQuery.safeParse({ visit: '166-POL', extra: '1' }).success).toBe(false);
  });

  it("renders a State's own view of its records, which names no one at CTED", () => {
    const views = records.map((r) =>
      projectRecommendation({ email: 'focal@mission.example', role: 'state', state: 'POL' }, r, {
        consentOf: () => undefined,
      }),
    ) as StateRecommendationView[];
    const page = html(RegisterPage({ state: 'POL', records: views, q: {} }));
    expect([...page.matchAll(/<tr data-recommendation="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '120-POL/R4',
      '166-POL/R1',
      '166-POL/R2',
    ]);
    expect(page).toContain('<li>2020-03-02 <strong>recommendations-adopted</strong></li>');
    expect(page).not.toContain('cted@un.example.org');
  });

  it('says when the register is empty', () => {
    const page = html(RegisterPage({ state: 'CHL', records: [], q: {} }));
    expect(page).toContain('No recommendations recorded yet.');
    expect(page).toContain('/api/recommendations.csv?state=CHL');
  });
});

describe('the TA pipeline page', () => {
  const now = Date.parse('2020-06-01T00:00:00.000Z');
  const records = [
    rec('166-POL', 1, { ta: { status: 'identified' } }),
    rec('166-POL', 2, { ta: { status: 'agreed' } }),
    rec('166-POL', 3, {
      ta: { status: 'referred', partners: [['UNODC', 'referred']], answerBy: '2020-05-15T03:59:59.999Z' },
    }),
    rec('166-POL', 4, {
      ta: {
        status: 'referred',
        partners: [
          ['UNODC', 'delivering'],
          ['INTERPOL', 'referred'],
        ],
        answerBy: '2020-07-01T03:59:59.999Z',
      },
    }),
  ];

  it('shows per partner what waits on whom, marking overdue answers', () => {
    const page = html(TaPage({ pipeline: taPipeline(records, now), showUnreferred: true }));
    expect([...page.matchAll(/<section class="partner" data-partner="(\w+)"/g)].map((m) => m[1])).toEqual([
      'INTERPOL',
      'UNODC',
    ]);
    const unodc = section(page, 'UNODC', '</section>', 'data-partner');
    expect(unodc).toContain('answers overdue: 1');
    expect(unodc).toMatch(
      /<tr data-recommendation="166-POL\/R3" data-partner-status="referred" class="is-overdue">.*UNODC, to answer<\/td><td class="overdue">2020-05-14 \(overdue\)<\/td>/,
    );
    expect(unodc).toMatch(
      /data-recommendation="166-POL\/R4" data-partner-status="delivering">.*UNODC, to deliver<\/td><td>—<\/td>/,
    );
    const interpol = section(page, 'INTERPOL', '</section>', 'data-partner');
    expect(interpol).toMatch(/INTERPOL, to answer<\/td><td>2020-06-30<\/td>/);
    expect(section(page, 'waiting-state', '</table>')).toMatch(/166-POL\/R1.*the State, to agree the need/);
    expect(section(page, 'waiting-cted', '</table>')).toMatch(/166-POL\/R2.*CTED, to refer it to a partner/);
    expect(page).toContain('<a href="/states/POL">POL</a>');
  });

  it("shows a partner only its pipeline, without the needs not referred or links to States' registers", () => {
    const page = html(TaPage({ pipeline: taPipeline(records.slice(2, 3), now), showUnreferred: false }));
    expect(page).not.toContain('waiting-state');
    expect(page).not.toContain('/states/');
    expect(page).toContain('data-partner="UNODC"');
    expect(html(TaPage({ pipeline: taPipeline([], now), showUnreferred: false }))).toContain(
      'No TA need has been referred to you yet.',
    );
  });
});
describe('the navigation', () => {
  it('links a State focal point to its own register, and everyone to progress and the TA pipeline', () => {
    const state = html(Layout({ title: 't', principal: { email: 'a@b.org', role: 'state', state: 'POL' } }));
    expect(state).toContain('<a href="/states/POL">Register</a>');
    expect(state).toContain('<a href="/recommendations">Recommendations</a>');
    expect(state).toContain('<a href="/ta">Technical assistance</a>');
    const cted = html(Layout({ title: 't', principal: { email: 'a@b.org', role: 'cted' } }));
    expect(cted).not.toContain('/states/');
  });
});

describe('progress per recommendation in a form (the signed link and the action buttons)', () => {
  const targets = [
    { id: '166-POL/R1', text: 'Adopt <the> law', theme: 'legislation', priority: true, taNeed: 'Drafting' },
    {
      id: '166-POL/R2',
      text: 'Train judges',
      theme: 'criminal-justice',
      priority: false,
      reported: { status: 'in-progress', at: '2027-06-01T12:00:00.000Z' },
      assessed: { status: 'partially-implemented', at: '2027-09-01T12:00:00.000Z' },
    },
  ];
  const field = { name: 'items', type: 'records' as const, required: true, description: 'Steps taken' };

  it('lists every recommendation with a status and the steps taken, keeping what was sent', () => {
    const sent = new URLSearchParams({ 'items[166-POL/R2].status': 'implemented', 'items[166-POL/R2].text': 'Done' });
    const page = html(ProgressItemsField({ f: field, recommendations: targets, sent }));
    expect([...page.matchAll(/<tr data-recommendation="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '166-POL/R1',
      '166-POL/R2',
    ]);
    expect(page).toContain('Adopt &lt;the&gt; law');
    expect(page).toContain('<select name="items[166-POL/R1].status" aria-label="Status of 166-POL/R1">');
    expect(page).toContain('<option selected="">implemented</option>');
    expect(page).toContain('in-progress (2027-06-01)');
    expect(page).toContain('assessed partially-implemented (2027-09-01)');
    expect(page).toMatch(
      /<textarea name="items\[166-POL\/R2\]\.text" rows="2" aria-label="Steps taken on 166-POL\/R2">Done<\/textarea>/,
    );
    expect(html(ProgressItemsField({ f: field, recommendations: [] }))).toContain(
      'The visit has no adopted recommendations to report on.',
    );
  });

  it('gathers the rows filled in as the items of report-progress, in order; rows left empty are left out', () => {
    const form = new URLSearchParams([
      ['items[166-POL/R1].status', ''],
      ['items[166-POL/R1].text', '  '],
      ['items[166-POL/R2].status', 'implemented'],
      ['items[166-POL/R2].text', ' Law adopted '],
      ['items[166-POL/R3].status', 'not-started'],
      ['items[166-POL/R3].text', ''],
      ['_csrf', 'token'],
    ]);
    expect(payloadFromForm('report-progress', form)).toEqual({
      items: [
        { recommendation: '166-POL/R2', status: 'implemented', text: 'Law adopted' },
        { recommendation: '166-POL/R3', status: 'not-started' },
      ],
    });
    // Steps typed without a status go along, for the action's schema to refuse with the reason.
    expect(payloadFromForm('report-progress', new URLSearchParams({ 'items[166-POL/R1].text': 'x' }))).toEqual({
      items: [{ recommendation: '166-POL/R1', text: 'x' }],
    });
    // The implementation report's progress rows, beside its own fields.
    expect(
      payloadFromForm(
        'submit-implementation-report',
        new URLSearchParams({ documentRef: 'S/AC.40/2027/1', 'progress[166-POL/R1].status': 'in-progress' }),
      ),
    ).toEqual({ documentRef: 'S/AC.40/2027/1', progress: [{ recommendation: '166-POL/R1', status: 'in-progress' }] });
    // Rows of a field the action does not have go along as unknown fields, for the schema to refuse.
    expect(payloadFromForm('report-progress', new URLSearchParams({ 'other[166-POL/R1].status': 'x' }))).toEqual({
      'other[166-POL/R1].status': 'x',
    });
  });

  it('shows the items recorded through a link, one line each', () => {
    const link = {
      visitId: '166-POL',
      action: 'report-progress' as const,
      email: 'focal@mission.example',
      fields: [field],
      expiresAt: '2027-12-01T00:00:00.000Z',
      label: 'Report progress on the recommendations',
      recommendations: [],
      language: 'en' as const,
      state: 'POL',
      stateName: 'Poland',
    };
    const payload = { items: [{ recommendation: '166-POL/R2', status: 'implemented', text: 'Law <adopted>' }] };
    const page = html(LinkDone({ link, payload, at: '2027-06-02T12:00:00.000Z' }));
    expect(page).toContain('<dd><ul><li>166-POL/R2: Implemented (Law &lt;adopted&gt;)</li></ul></dd>');
  });
});

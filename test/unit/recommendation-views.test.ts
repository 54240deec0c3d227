/** What each role sees of a recommendation in a State's register (src/domain/recommendations/views.ts). */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/domain/permissions';
import { ROLES } from '../../src/domain/permissions';
import { RecommendationRecord } from '../../src/domain/recommendations/model';
import {
  projectRecommendation,
  RECOMMENDATION_VIEW_SCHEMAS,
  textShared,
  type SharingConsent,
} from '../../src/domain/recommendations/views';

const FOCAL_POINT = 'focal.point@mission.pl.example.org';
const OFFICER = 'officer@cted.example.org';

const record: RecommendationRecord = RecommendationRecord.parse({
  id: '166-POL/R12',
  visit: '166-POL',
  state: 'POL',
  number: 12,
  text: 'Establish a border-management strategy',
  theme: 'border-management',
  priority: true,
  taNeed: 'Training of border guards on API/PNR',
  adoptedAt: '2026-03-01T10:00:00.000Z',
  visitEnd: '2025-11-20',
  reportedStatus: { status: 'in-progress', text: 'Draft strategy', at: '2026-09-01T10:00:00.000Z', by: FOCAL_POINT },
  assessedStatus: {
    status: 'partially-implemented',
    note: 'Strategy not yet adopted',
    at: '2027-03-01T10:00:00.000Z',
    by: OFFICER,
  },
  status: 'open',
  supersededBy: null,
  supersedes: [],
  ta: {
    status: 'delivering',
    answerBy: '2026-06-01T10:00:00.000Z',
    partners: [
      { partner: 'UNODC', status: 'delivering', at: '2026-07-01T10:00:00.000Z', text: 'Workshop planned' },
      { partner: 'IOM', status: 'declined', at: '2026-05-01T10:00:00.000Z', text: 'No budget this year' },
    ],
  },
  history: [
    { type: 'recommendations-adopted', at: '2026-03-01T10:00:00.000Z', by: OFFICER },
    { type: 'ta-agreed', at: '2026-04-01T10:00:00.000Z', by: FOCAL_POINT },
    {
      type: 'progress-reported',
      detail: { status: 'not-started' },
      at: '2026-08-01T10:00:00.000Z',
      by: OFFICER,
      onBehalfOf: 'POL',
      reference: 'NV/2026/12',
    },
    { type: 'progress-reported', detail: { status: 'in-progress' }, at: '2026-09-01T10:00:00.000Z', by: FOCAL_POINT },
  ],
});

const who = (role: Principal['role'], extra: Partial<Principal> = {}): Principal => ({
  email: `${role}@example.org`,
  role,
  ...extra,
});
const FULL: SharingConsent = { scope: 'full', priorityTaNeedsOnly: false };
const consentIs = (c: SharingConsent | undefined) => ({ consentOf: () => c });

describe('projectRecommendation', () => {
  it('shows CTED and the secretariat the whole record', () => {
    for (const role of ['cted', 'secretariat'] as const) {
      expect(projectRecommendation(who(role), record, consentIs(undefined))).toEqual(record);
    }
  });

  it('shows the Committee and the Chair everything, naming the State where its focal point spoke, keeping who recorded on its behalf', () => {
    for (const role of ['committee', 'chair'] as const) {
      const v = projectRecommendation(who(role), record, consentIs(undefined));
      const text = JSON.stringify(v);
      expect(text).not.toContain(FOCAL_POINT);
      expect(v).toMatchObject({
        reportedStatus: { status: 'in-progress', by: 'POL' },
        assessedStatus: { by: OFFICER },
        ta: { partners: [{ partner: 'UNODC' }, { partner: 'IOM' }] },
      });
      expect(
        v && 'history' in v ? v.history.map((e) => ['by' in e ? [e.type, e.by, e.onBehalfOf] : []].flat()) : [],
      ).toEqual([
        ['recommendations-adopted', OFFICER, undefined],
        ['ta-agreed', 'POL', undefined],
        ['progress-reported', OFFICER, 'POL'],
        ['progress-reported', 'POL', undefined],
      ]);
    }
  });

  it("shows a State its own recommendations without CTED's and the partners' notes, and nothing of another State's", () => {
    const pol = who('state', { state: 'POL' });
    expect(projectRecommendation(pol, record, consentIs(undefined))).toEqual({
      ...record,
      reportedStatus: {
        status: 'in-progress',
        text: 'Draft strategy',
        at: '2026-09-01T10:00:00.000Z',
        by: FOCAL_POINT,
      },
      assessedStatus: { status: 'partially-implemented', at: '2027-03-01T10:00:00.000Z' },
      ta: {
        status: 'delivering',
        answerBy: '2026-06-01T10:00:00.000Z',
        partners: [
          { partner: 'UNODC', status: 'delivering', at: '2026-07-01T10:00:00.000Z' },
          { partner: 'IOM', status: 'declined', at: '2026-05-01T10:00:00.000Z' },
        ],
      },
      history: [
        { type: 'recommendations-adopted', at: '2026-03-01T10:00:00.000Z' },
        { type: 'ta-agreed', at: '2026-04-01T10:00:00.000Z' },
        { type: 'progress-reported', detail: { status: 'not-started' }, at: '2026-08-01T10:00:00.000Z' },
        { type: 'progress-reported', detail: { status: 'in-progress' }, at: '2026-09-01T10:00:00.000Z' },
      ],
    });
    // A report recorded on its behalf says so, with the note verbale, not who at CTED typed it.
    const reportedStatus = {
      status: 'implemented',
      at: record.adoptedAt,
      by: OFFICER,
      onBehalfOf: 'POL',
      reference: 'NV/1',
    };
    const onBehalf = projectRecommendation(
      pol,
      { ...record, reportedStatus } as RecommendationRecord,
      consentIs(undefined),
    );
    expect(onBehalf).toMatchObject({
      reportedStatus: { status: 'implemented', at: record.adoptedAt, onBehalfOf: 'POL', reference: 'NV/1' },
    });
    expect(JSON.stringify(onBehalf)).not.toContain(OFFICER);
    expect(projectRecommendation(who('state', { state: 'NOR' }), record, consentIs(FULL))).toBeNull();
    expect(projectRecommendation(who('state'), record, consentIs(FULL))).toBeNull();
  });

  it('shows a partner the need referred to it with its own part only; the text only when the State consented', () => {
    const unodc = who('partner', { organisation: 'UNODC' });
    const shared = projectRecommendation(unodc, record, consentIs(FULL));
    expect(shared).toEqual({
      id: '166-POL/R12',
      visit: '166-POL',
      state: 'POL',
      number: 12,
      text: 'Establish a border-management strategy',
      theme: 'border-management',
      priority: true,
      taNeed: 'Training of border guards on API/PNR',
      ta: {
        status: 'delivering',
        partners: [
          { partner: 'UNODC', status: 'delivering', at: '2026-07-01T10:00:00.000Z', text: 'Workshop planned' },
        ],
        answerBy: '2026-06-01T10:00:00.000Z',
      },
    });
    expect(JSON.stringify(shared)).not.toContain('No budget');
    for (const consent of [undefined, { scope: 'none', priorityTaNeedsOnly: false }] as const) {
      const v = projectRecommendation(unodc, record, consentIs(consent));
      expect(v).not.toHaveProperty('text');
      expect(v).toMatchObject({ taNeed: record.taNeed });
    }
    // Partial consent shares the text; limited to priority TA needs, only a priority recommendation's.
    const partial = { scope: 'partial', priorityTaNeedsOnly: true } as const;
    expect(projectRecommendation(unodc, record, consentIs(partial))).toHaveProperty('text', record.text);
    expect(projectRecommendation(unodc, { ...record, priority: false }, consentIs(partial))).not.toHaveProperty('text');
    // IOM declined: it still sees its own answer, not UNODC's.
    const iom = projectRecommendation(who('partner', { organisation: 'IOM' }), record, consentIs(FULL));
    expect(iom).toMatchObject({
      ta: { status: 'declined', partners: [{ partner: 'IOM', text: 'No budget this year' }] },
    });
    expect(JSON.stringify(iom)).not.toContain('Workshop');
  });

  it('shows a partner nothing of needs never referred to it, nor of recommendations without a need', () => {
    expect(projectRecommendation(who('partner', { organisation: 'UNDP' }), record, consentIs(FULL))).toBeNull();
    expect(projectRecommendation(who('partner'), record, consentIs(FULL))).toBeNull();
    const noNeed = { ...record, taNeed: null, ta: null };
    expect(projectRecommendation(who('partner', { organisation: 'UNODC' }), noNeed, consentIs(FULL))).toBeNull();
  });

  it('gives every role a view its strict schema accepts, and no field the record gains later', () => {
    const grown = {
      ...record,
      internalNote: 'for CTED only',
      ta: { ...record.ta!, costCentre: 5 },
    } as RecommendationRecord;
    for (const role of ROLES) {
      const p = who(role, { state: 'POL', organisation: 'UNODC' });
      const v = projectRecommendation(p, grown, consentIs(FULL));
      expect(RECOMMENDATION_VIEW_SCHEMAS[role].safeParse(v).success, role).toBe(true);
      expect(JSON.stringify(v), role).not.toContain('for CTED only');
      expect(JSON.stringify(v), role).not.toContain('costCentre');
    }
  });
});

describe('textShared', () => {
  it('shares with full consent, with partial consent (priority ones only when it says so), and never otherwise', () => {
    expect(textShared(FULL, false)).toBe(true);
    expect(textShared({ scope: 'partial', priorityTaNeedsOnly: false }, false)).toBe(true);
    expect(textShared({ scope: 'partial', priorityTaNeedsOnly: true }, true)).toBe(true);
    expect(textShared({ scope: 'partial', priorityTaNeedsOnly: true }, false)).toBe(false);
    expect(textShared({ scope: 'none', priorityTaNeedsOnly: false }, true)).toBe(false);
    expect(textShared(undefined, true)).toBe(false);
  });
});

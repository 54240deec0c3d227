/**
 * Recommendations and TA at real clock lengths (rules 3), with the State's register running beside
 * the visits: recorded with the final draft, fixed by adoption, reported on, assessed and closed; a
 * follow-up visit a year later starting from the ones still open; TA needs referred to two partners,
 * declined by one and delivered by the other, with the partners' answer clock and its reminders.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecommendationInput, RecommendationRecord } from '../../src/domain/recommendations/model';
import { openRecommendations } from '../../src/domain/recommendations/register';
import type { VisitStatus } from '../../src/domain/visit';
import { readRegister } from '../../src/infra/temporal/register';
import { eventually, timeSkippingEnv } from '../helpers';
import {
  FOCAL_POINT,
  OFFICER,
  advanceTo,
  after,
  iso,
  minus,
  plus,
  sleepUntil,
  withWorker,
  type VisitRun,
} from './fixture';

let env: TestWorkflowEnvironment;
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

const REC = (n: number, more: Partial<RecommendationInput> = {}): RecommendationInput => ({
  number: n,
  text: `Recommendation ${n}`,
  theme: n % 2 ? 'border-management' : 'legislation',
  priority: n === 1,
  ...more,
});

/** Records the recommendations in finalizing, then lets the no-objection period pass in silence. */
async function adoptWith(run: VisitRun, recommendations: RecommendationInput[]): Promise<VisitStatus> {
  await advanceTo(run, 'finalizing');
  await run.act('record-recommendations', { recommendations });
  const s = await run.act('submit-final-draft');
  const review = s.openItems.find((o) => o.item === 'committee-review')!;
  await sleepUntil(env, Date.parse(review.deadline!) + 60_000);
  return eventually(async () => {
    const now = await run.status();
    return now.stage === 'transmitting' ? now : undefined;
  }, 'adoption by silence');
}

/** The register's records once it has applied `changes` changes. */
async function registerAfter(changes: number): Promise<RecommendationRecord[]> {
  return eventually(async () => {
    const reg = await readRegister(env.client, 'POL');
    return reg && reg.changes >= changes ? reg.records : undefined;
  }, `the register of POL after ${changes} change(s)`);
}

const byId = (records: RecommendationRecord[], id: string) => records.find((r) => r.id === id)!;

describe('a visit with recommendations', () => {
  it('records them with the final draft, fixes them at adoption, and closes once reported on and assessed', async () => {
    await withWorker(env, { register: true }, async (w) => {
      const run = await w.start({});
      const adopted = await adoptWith(run, [REC(1, { taNeed: 'API/PNR system' }), REC(2), REC(3)]);
      expect(adopted.recommendations!.map((r) => r.id)).toEqual(['166-POL/R1', '166-POL/R2', '166-POL/R3']);
      expect(w.registered.map((r) => [r.state, r.change.key, r.change.type])).toEqual([
        ['POL', '166-POL#1', 'recommendations-adopted'],
      ]);
      let records = await registerAfter(1);
      expect(records.map((r) => [r.id, r.status, r.assessedStatus.status, r.ta?.status ?? null])).toEqual([
        ['166-POL/R1', 'open', 'insufficient-information', 'identified'],
        ['166-POL/R2', 'open', 'insufficient-information', null],
        ['166-POL/R3', 'open', 'insufficient-information', null],
      ]);
      // Adopted: the list is fixed.
      await expect(run.act('record-recommendations', { recommendations: [REC(4)] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/record-recommendations is not allowed/) },
      });

      await run.act('transmit-report');
      const received = await run.act('confirm-receipt', {}, FOCAL_POINT);
      const report = received.openItems.find((o) => o.item === 'state-implementation-report')!;
      expect(report.deadline).toBe(iso(plus(Date.parse(received.receivedAt!), '6 months')));
      await run.act(
        'report-progress',
        { items: [{ recommendation: '166-POL/R1', status: 'in-progress', text: 'Tender out' }] },
        FOCAL_POINT,
      );
      await expect(
        run.act('report-progress', { items: [{ recommendation: '166-POL/R9', status: 'implemented' }] }, FOCAL_POINT),
      ).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/has no adopted recommendation 166-POL\/R9/) },
      });
      // The 6-month clock closes with the report, however many recommendations it covers.
      const reported = await run.act(
        'submit-implementation-report',
        { progress: [{ recommendation: '166-POL/R2', status: 'implemented' }] },
        FOCAL_POINT,
      );
      expect(reported.openItems.map((o) => o.item)).not.toContain('state-implementation-report');

      await run.act('assess-recommendation', {
        items: [
          { recommendation: '166-POL/R1', status: 'partially-implemented', note: 'Tender only' },
          { recommendation: '166-POL/R2', status: 'implemented' },
        ],
      });
      await expect(run.act('submit-follow-up-report', { documentRef: 'CTED/FU/166' })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/every recommendation is assessed .* 166-POL\/R3 has no assessment/) },
      });
      await expect(run.act('submit-follow-up-report', { unassessed: ['166-POL/R3'] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/says why in note/) },
      });
      const closed = await run.act('submit-follow-up-report', {
        unassessed: ['166-POL/R3'],
        note: 'No information received on R3',
      });
      expect(closed.stage).toBe('closed');

      records = await registerAfter(4);
      expect(w.registered.map((r) => r.change.key)).toEqual(['166-POL#1', '166-POL#2', '166-POL#3', '166-POL#4']);
      expect(records.map((r) => [r.id, r.status, r.reportedStatus?.status ?? null, r.assessedStatus.status])).toEqual([
        ['166-POL/R1', 'open', 'in-progress', 'partially-implemented'],
        ['166-POL/R2', 'closed', 'implemented', 'implemented'],
        ['166-POL/R3', 'open', null, 'insufficient-information'],
      ]);
      expect(byId(records, '166-POL/R1').reportedStatus).toMatchObject({ text: 'Tender out', by: FOCAL_POINT });
      expect(byId(records, '166-POL/R1').history.map((h) => h.type)).toEqual([
        'recommendations-adopted',
        'progress-reported',
        'assessed',
      ]);
    });
  });

  it('starts a follow-up visit a year later from the open ones: it assesses them and its own supersede them', async () => {
    await withWorker(env, { register: true }, async (w) => {
      const first = await w.start({ request: { number: 101 } });
      await adoptWith(first, [REC(1), REC(2)]);
      await first.act('transmit-report');
      await first.act('confirm-receipt', {}, FOCAL_POINT);
      await first.act('assess-recommendation', { items: [{ recommendation: '101-POL/R1', status: 'implemented' }] });
      await registerAfter(2);

      await env.sleep('365 days');
      const register = (await readRegister(env.client, 'POL'))!;
      const earlier = openRecommendations(register.records);
      expect(earlier.map((e) => e.id)).toEqual(['101-POL/R2']);
      const next = await w.start({
        request: { number: 130, type: 'follow-up', followsUp: '101-POL', start: '2027-11-15', end: '2027-11-19' },
        earlier,
      });
      const started = await next.status();
      expect(started.followsUp).toBe('101-POL');
      expect(started.earlier).toEqual([
        {
          id: '101-POL/R2',
          text: 'Recommendation 2',
          theme: 'legislation',
          priority: false,
          assessedStatus: 'insufficient-information',
        },
      ]);
      await advanceTo(next, 'finalizing');
      await expect(
        next.act('record-recommendations', { recommendations: [REC(1, { supersedes: ['101-POL/R1'] })] }),
      ).rejects.toMatchObject({
        cause: {
          message: expect.stringMatching(
            /supersedes only open recommendations of earlier visits to POL: not 101-POL\/R1/,
          ),
        },
      });
      await next.act('record-recommendations', { recommendations: [REC(1, { supersedes: ['101-POL/R2'] })] });
      const s = await next.act('submit-final-draft');
      await sleepUntil(env, Date.parse(s.openItems.find((o) => o.item === 'committee-review')!.deadline!) + 60_000);
      const adopted = await eventually(async () => {
        const now = await next.status();
        return now.adoptedAt ? now : undefined;
      }, 'adoption of the follow-up visit');
      // A follow-up visit has no 12-month CTED report of its own.
      expect([...adopted.openItems, ...adopted.closedItems].map((o) => o.item)).not.toContain('cted-follow-up-report');
      await next.act('assess-recommendation', {
        items: [{ recommendation: '101-POL/R2', status: 'partially-implemented', note: 'Seen on the follow-up visit' }],
      });
      expect((await next.status()).earlier![0]!.assessed).toMatchObject({ status: 'partially-implemented' });

      const records = await registerAfter(4);
      expect(records.map((r) => [r.id, r.status, r.supersededBy, r.assessedStatus.status])).toEqual([
        ['101-POL/R1', 'closed', null, 'implemented'],
        ['101-POL/R2', 'closed', '130-POL/R1', 'partially-implemented'],
        ['130-POL/R1', 'open', null, 'insufficient-information'],
      ]);
      expect(byId(records, '130-POL/R1').supersedes).toEqual(['101-POL/R2']);
    });
  });
});

describe('technical assistance', () => {
  it('refers agreed needs to two partners: one declines, the other is reminded on its clock, accepts and delivers', async () => {
    await withWorker(env, { register: true }, async (w) => {
      const run = await w.start({});
      await adoptWith(run, [REC(1, { taNeed: 'API/PNR system' }), REC(2), REC(3, { taNeed: 'Training of judges' })]);
      await run.act('transmit-report');
      await expect(run.act('refer-ta', { partners: ['UNODC'], recommendations: ['166-POL/R1'] })).rejects.toMatchObject(
        {
          cause: {
            message: expect.stringMatching(/only needs the State agreed are referred: 166-POL\/R1 is not agreed/),
          },
        },
      );
      await run.act('agree-ta-needs', { recommendations: ['166-POL/R1'] }, FOCAL_POINT);
      const referred = await run.act('refer-ta', { partners: ['UNODC', 'UNDP'], recommendations: ['166-POL/R1'] });
      const answer = referred.openItems.find((o) => o.item === 'ta-response')!;
      const referredAt = Date.parse(referred.history.at(-1)!.at);
      expect(answer.deadline).toBe(iso(plus(referredAt, '30 days')));
      const d = Date.parse(answer.deadline!);
      // Each partner's notice is its own send, so they may arrive in either order.
      expect((await run.eventsSent('ta-referral', 2)).sort()).toEqual([
        `partner:UNDP ${iso(d)}`,
        `partner:UNODC ${iso(d)}`,
      ]);

      await run.act('record-ta-response', {
        recommendation: '166-POL/R1',
        partner: 'UNDP',
        response: 'declined',
        note: 'Outside our mandate',
      });
      await expect(
        run.act('record-ta-response', { recommendation: '166-POL/R1', partner: 'UNDP', response: 'accepted' }),
      ).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/UNDP already answered for 166-POL\/R1 \(declined\)/) },
      });
      expect(await run.eventsSent('ta-response-recorded')).toEqual(['case-officer']);

      // Only the partner still to answer is reminded; a week overdue, the case officer hears too.
      await sleepUntil(env, after(d, '7 days') + 60_000);
      await eventually(() => (run.reminders('ta-response').length >= 3 ? true : undefined), 'three TA reminders');
      expect(run.reminders('ta-response')).toEqual([
        `before partner:UNODC @ ${iso(minus(d, '7 days'))}`,
        `due partner:UNODC @ ${iso(d)}`,
        `overdue partner:UNODC+case-officer @ ${iso(after(d, '7 days'))}`,
      ]);
      const late = await run.status();
      expect(late.openItems.find((o) => o.item === 'ta-response')).toMatchObject({ overdue: true });

      const accepted = await run.act('record-ta-response', {
        recommendation: '166-POL/R1',
        partner: 'UNODC',
        response: 'accepted',
      });
      expect(accepted.openItems.map((o) => o.item)).not.toContain('ta-response');
      await env.sleep('30 days');
      expect(run.reminders('ta-response')).toHaveLength(3);

      await run.act('record-ta-delivery', {
        recommendation: '166-POL/R1',
        partner: 'UNODC',
        status: 'delivering',
        text: 'Workshop in Warsaw',
      });
      const delivered = await run.act('record-ta-delivery', {
        recommendation: '166-POL/R1',
        partner: 'UNODC',
        status: 'delivered',
        text: 'System live at two airports',
      });
      expect(delivered.recommendations![0]!.ta).toMatchObject({
        status: 'delivered',
        partners: [
          { partner: 'UNODC', status: 'delivered', text: 'System live at two airports' },
          { partner: 'UNDP', status: 'declined', text: 'Outside our mandate' },
        ],
      });
      expect(await run.eventsSent('ta-delivery-recorded', 2)).toEqual(['case-officer', 'case-officer+secretariat']);

      const records = await registerAfter(7);
      expect(byId(records, '166-POL/R1').ta).toMatchObject({
        status: 'delivered',
        partners: [
          { partner: 'UNODC', status: 'delivered' },
          { partner: 'UNDP', status: 'declined' },
        ],
      });
      expect(byId(records, '166-POL/R3').ta?.status).toBe('identified');
      expect(w.registered.map((r) => r.change.type)).toEqual([
        'recommendations-adopted',
        'ta-agreed',
        'ta-referred',
        'ta-response',
        'ta-response',
        'ta-delivery',
        'ta-delivery',
      ]);
      expect(OFFICER).toBe(w.registered[2]!.change.by);
    });
  });
});

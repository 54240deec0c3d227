/** After adoption: transmission, receipt, sharing consent, the 6-month State report, the 12-month CTED report, withdrawal. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endOfNewYorkDay, newYorkDate } from '../../src/domain/calendar';
import { timeSkippingEnv } from '../helpers';
import {
  CHAIR,
  DAY,
  FOCAL_POINT,
  OFFICER,
  SECRETARIAT,
  advanceTo,
  after,
  iso,
  minus,
  plus,
  sleepUntil,
  withVisit,
} from './fixture';

let env: TestWorkflowEnvironment;
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

describe('sharing consent', () => {
  it('is none until the State answers, with reminders 30 and 60 days after transmission', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'transmitting');
      const s = await run.act('transmit-report');
      const transmitted = Date.parse(s.transmittedAt!);
      expect(s.consent.scope).toBe('none');
      expect(s.openItems.find((o) => o.item === 'sharing-consent')).toMatchObject({ deadline: null, overdue: false });
      expect(await run.eventsSent('report-transmitted')).toEqual([
        `state-contact ${iso(plus(transmitted, '5 working days'))}`,
      ]);
      await env.sleep('61 days');
      expect(run.reminders('sharing-consent')).toEqual([
        `follow-up state-contact @ ${iso(after(transmitted, '30 days'))}`,
        `follow-up state-contact @ ${iso(after(transmitted, '60 days'))}`,
      ]);
      expect((await run.status()).consent.scope).toBe('none');
      expect(run.events('report-shared')).toEqual([]);
    });
  });

  it('tells the partners the State named and the delegation only what it consented to: partial, then full, then none', async () => {
    await withVisit(env, { request: { partners: ['UNOCT'] } }, async (run) => {
      await advanceTo(run, 'transmitting');
      await run.act('transmit-report');
      const partial = await run.act(
        'record-consent',
        {
          scope: 'partial',
          sections: ['Border security', 'Countering the financing of terrorism'],
          partners: ['UNODC'],
        },
        FOCAL_POINT,
      );
      expect(partial.consent).toMatchObject({
        scope: 'partial',
        sections: ['Border security', 'Countering the financing of terrorism'],
        priorityTaNeedsOnly: false,
        decidedBy: FOCAL_POINT,
      });
      expect(partial.openItems.map((o) => o.item)).not.toContain('sharing-consent');
      await run.eventsSent('report-shared');
      expect(run.notices.filter((n) => n.topic === 'report-shared').map((n) => [n.to, n.details])).toEqual([
        [
          ['partner:UNODC', 'partner:UNOCT'],
          {
            scope: 'partial',
            sections: ['Border security', 'Countering the financing of terrorism'],
            priorityTaNeedsOnly: undefined,
          },
        ],
      ]);

      const full = await run.act('record-consent', { scope: 'full' }, FOCAL_POINT);
      expect(full.consent).toMatchObject({ scope: 'full', sections: [] });
      await run.eventsSent('report-shared', 2);
      expect(run.notices.filter((n) => n.topic === 'report-shared').at(-1)?.details).toMatchObject({ scope: 'full' });

      const none = await run.act('record-consent', { scope: 'none' }, FOCAL_POINT);
      expect(none.consent.scope).toBe('none');
      expect(await run.eventsSent('sharing-withdrawn')).toEqual(['partner:UNODC+partner:UNOCT']);
      // The Committee hears of every decision.
      expect(await run.eventsSent('consent-recorded', 3)).toEqual(Array(3).fill('committee+chair+secretariat'));
      expect(run.events('report-shared')).toHaveLength(2);
      expect(none.history.filter((e) => e.type === 'record-consent').map((e) => e.payload?.scope)).toEqual([
        'partial',
        'full',
        'none',
      ]);
    });
  });

  it('refuses partial consent that names nothing, and consent before the report is transmitted', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'transmitting');
      await expect(run.act('record-consent', { scope: 'full' }, FOCAL_POINT)).rejects.toMatchObject({
        cause: { type: 'ActionNotAllowed' },
      });
      await run.act('transmit-report');
      await expect(run.act('record-consent', { scope: 'partial' }, FOCAL_POINT)).rejects.toMatchObject({
        cause: { type: 'InvalidPayload', message: expect.stringContaining('partial consent names the sections') },
      });
      expect((await run.status()).consent.scope).toBe('none');
      expect(run.events('report-shared')).toEqual([]);
    });
  });
});

describe('the State report on steps taken (6 months from receipt)', () => {
  it('is on time: reminders before it, none after it is submitted', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'implementing');
      const s = await run.status();
      const received = Date.parse(s.receivedAt!);
      const due = plus(received, '6 months');
      expect(s.stage).toBe('implementing');
      expect(s.openItems.find((o) => o.item === 'state-implementation-report')?.deadline).toBe(iso(due));
      expect(await run.eventsSent('implementation-report-requested')).toEqual([`state-contact ${iso(due)}`]);
      await sleepUntil(env, due - 2 * 86_400_000);
      const done = await run.act('submit-implementation-report', { summary: 'New legislation adopted' }, FOCAL_POINT);
      expect(done.openItems.map((o) => o.item)).not.toContain('state-implementation-report');
      await env.sleep('90 days');
      expect(run.reminders('state-implementation-report')).toEqual([
        `before state-contact @ ${iso(minus(due, '30 days'))}`,
        `before state-contact @ ${iso(minus(due, '7 days'))}`,
      ]);
    });
  });

  it('is overdue: due-day reminder, then monthly, escalating to the Permanent Mission and the secretariat', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'implementing');
      const due = Date.parse(
        (await run.status()).openItems.find((o) => o.item === 'state-implementation-report')!.deadline!,
      );
      await sleepUntil(env, due + 61 * 86_400_000 + 60_000);
      const s = await run.status();
      expect(s.openItems.find((o) => o.item === 'state-implementation-report')).toMatchObject({
        deadline: iso(due),
        overdue: true,
      });
      expect(s.overdue).toBe(true);
      const m1 = after(due, '30 days');
      const m2 = after(m1, '30 days');
      expect(run.reminders('state-implementation-report')).toEqual([
        `before state-contact @ ${iso(minus(due, '30 days'))}`,
        `before state-contact @ ${iso(minus(due, '7 days'))}`,
        `due state-contact @ ${iso(due)}`,
        `overdue state-contact+permanent-mission @ ${iso(m1)}`,
        `overdue state-contact+permanent-mission+secretariat @ ${iso(m2)}`,
      ]);
      await run.act('submit-implementation-report', {}, FOCAL_POINT);
      await env.sleep('60 days');
      expect(run.reminders('state-implementation-report')).toHaveLength(5);
    });
  });
});

describe('receipt (deemed after 5 working days, corrected with the real date)', () => {
  it('moves the 6-month deadline and its reminders when the State gives the real day it received a deemed report; once', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'transmitting');
      const t = await run.act('transmit-report');
      const transmitted = Date.parse(t.transmittedAt!);
      const deemedAt = Date.parse(t.openItems.find((o) => o.item === 'receipt')!.deadline!);
      expect(deemedAt).toBe(plus(transmitted, '5 working days'));
      await sleepUntil(env, deemedAt + 60_000);
      const deemed = await run.status();
      expect(deemed.stage).toBe('implementing');
      expect(deemed.closedItems.find((c) => c.item === 'receipt')?.outcome).toBe('deemed-received');
      expect(deemed.openItems.find((o) => o.item === 'state-implementation-report')?.deadline).toBe(
        iso(plus(deemedAt, '6 months')),
      );
      expect(deemed.allowedActions.map((a) => a.action)).toContain('confirm-receipt');

      // The report reached the capital only twelve days after transmission (a diplomatic pouch).
      await sleepUntil(env, transmitted + 14 * DAY);
      const receivedOn = newYorkDate(transmitted + 12 * DAY);
      const corrected = await run.act(
        'confirm-receipt',
        { receivedOn, onBehalfOf: 'POL', reference: 'NV/2026/118' },
        SECRETARIAT,
      );
      const due = plus(endOfNewYorkDay(receivedOn), '6 months');
      expect(corrected.openItems.find((o) => o.item === 'state-implementation-report')?.deadline).toBe(iso(due));
      expect(corrected.allowedActions.map((a) => a.action)).not.toContain('confirm-receipt');
      expect(corrected.history.at(-1)).toMatchObject({
        type: 'confirm-receipt',
        actor: SECRETARIAT,
        payload: { receivedOn, onBehalfOf: 'POL', reference: 'NV/2026/118' },
      });
      expect(await run.eventsSent('implementation-report-requested', 2)).toEqual([
        `state-contact ${iso(plus(deemedAt, '6 months'))}`,
        `state-contact ${iso(due)}`,
      ]);
      await expect(run.act('confirm-receipt', { receivedOn }, FOCAL_POINT)).rejects.toMatchObject({
        cause: { type: 'ActionNotAllowed' },
      });

      // Reminders follow the corrected deadline; none fires for the deemed one.
      await sleepUntil(env, due - 6 * DAY);
      expect(run.reminders('state-implementation-report')).toEqual([
        `before state-contact @ ${iso(minus(due, '30 days'))}`,
        `before state-contact @ ${iso(minus(due, '7 days'))}`,
      ]);
      expect((await run.status()).openItems.find((o) => o.item === 'state-implementation-report')?.overdue).toBe(false);
    });
  });
});

describe('the CTED follow-up report (12 months from adoption)', () => {
  it('is due 12 months after adoption, reminds the case officer, and closes the visit with the State report', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'implementing');
      const s = await run.status();
      const adopted = Date.parse(s.adoptedAt!);
      const due = plus(adopted, '12 months');
      expect(s.openItems.find((o) => o.item === 'cted-follow-up-report')?.deadline).toBe(iso(due));
      await run.act('submit-implementation-report', {}, FOCAL_POINT);
      await sleepUntil(env, due + 15 * 86_400_000);
      expect(run.reminders('cted-follow-up-report')).toEqual([
        `before case-officer @ ${iso(minus(due, '30 days'))}`,
        `before case-officer @ ${iso(minus(due, '7 days'))}`,
        `due case-officer @ ${iso(due)}`,
        `overdue case-officer+cted-management @ ${iso(after(due, '14 days'))}`,
      ]);
      const closed = await run.act('submit-follow-up-report', { documentRef: 'CTED/FU/166-POL' }, OFFICER);
      expect(closed.stage).toBe('closed');
      expect(closed.openItems).toEqual([]);
      // Closed, the visit still takes the State's consent to share its report.
      expect(closed.allowedActions.map((a) => a.action)).toEqual(['record-consent']);
      expect(await run.eventsSent('visit-closed')).toEqual(['case-officer+secretariat']);
      expect((await run.handle.describe()).status.name).toBe('RUNNING');
    });
  });
});

describe('consent after closure', () => {
  it('is recorded years after the visit closed, by the State or on its behalf, and told to the Committee and the partners', async () => {
    await withVisit(env, { request: { partners: ['UNOCT'] } }, async (run) => {
      await advanceTo(run, 'implementing');
      await run.act('submit-implementation-report', {}, FOCAL_POINT);
      const closed = await run.act('submit-follow-up-report', { documentRef: 'CTED/FU/166-POL' }, OFFICER);
      expect(closed.stage).toBe('closed');
      expect(closed.consent.scope).toBe('none');

      await env.sleep('730 days');
      const late = await run.act(
        'record-consent',
        {
          scope: 'partial',
          priorityTaNeedsOnly: true,
          partners: ['UNODC'],
          onBehalfOf: 'POL',
          reference: 'NV/2028/7',
          receivedOn: newYorkDate(await env.currentTimeMs()),
        },
        SECRETARIAT,
      );
      expect(late.stage).toBe('closed');
      expect(late.consent).toMatchObject({
        scope: 'partial',
        priorityTaNeedsOnly: true,
        decidedBy: 'POL',
        recordedBy: SECRETARIAT,
        reference: 'NV/2028/7',
        partners: ['UNODC'],
      });
      expect(await run.eventsSent('consent-recorded')).toEqual(['committee+chair+secretariat']);
      expect(await run.eventsSent('report-shared')).toEqual(['partner:UNODC+partner:UNOCT']);
      await expect(run.act('record-consent', { scope: 'full', onBehalfOf: 'NOR' }, SECRETARIAT)).rejects.toMatchObject({
        cause: { type: 'ActionNotAllowed', message: expect.stringContaining('POL') },
      });

      await env.sleep('365 days');
      const withdrawn = await run.act('record-consent', { scope: 'none' }, FOCAL_POINT);
      expect(withdrawn.consent).toMatchObject({ scope: 'none', decidedBy: FOCAL_POINT });
      expect(await run.eventsSent('sharing-withdrawn')).toEqual(['partner:UNODC+partner:UNOCT']);
      expect(await run.eventsSent('consent-recorded', 2)).toHaveLength(2);
      expect(withdrawn.allowedActions.map((a) => a.action)).toEqual(['record-consent']);
      expect((await run.handle.describe()).status.name).toBe('RUNNING');
    });
  });
});

describe('withdrawal', () => {
  it('ends the visit at any stage; no reminder follows', async () => {
    await withVisit(env, {}, async (run) => {
      await advanceTo(run, 'state-review');
      const w = await run.act('withdraw', { reason: 'Visit postponed at the request of the State' }, SECRETARIAT);
      expect(w.stage).toBe('withdrawn');
      expect(w.openItems).toEqual([]);
      expect(w.closedItems.every((c) => c.outcome === 'withdrawn' || c.item === 'drafting')).toBe(true);
      expect(await run.handle.result()).toMatchObject({ stage: 'withdrawn' });
      expect(await run.eventsSent('visit-withdrawn')).toEqual(['case-officer+secretariat']);
      const count = run.notices.length;
      await env.sleep('90 days');
      expect(run.notices).toHaveLength(count);
    });
  });

  it('refuses a withdrawal with no reason', async () => {
    await withVisit(env, {}, async (run) => {
      await expect(run.act('withdraw', {}, CHAIR)).rejects.toMatchObject({
        cause: {
          type: 'InvalidPayload',
          message: 'withdraw: reason: Invalid input: expected string, received undefined',
        },
      });
      expect((await run.status()).stage).toBe('drafting');
    });
  });
});

/**
 * Replays committed histories (test/histories/*.json, recorded by `npm run record-histories`)
 * against the current workflow code: a change that would break a running visit fails here.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../src/infra/temporal/codec';
import { quietRuntime, workflowBundle } from '../helpers';

const HISTORIES = join(__dirname, '..', 'histories');
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
const load = (f: string) => historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')));

describe('replay of committed histories', () => {
  it('has histories to replay, covering silence and every kind of step, before and after each patch', () => {
    expect(files.sort()).toEqual([
      'visit-diplomatic-3.json',
      'visit-full-2.json',
      'visit-full-3.json',
      'visit-full.json',
      'visit-recommendations-4.json',
      'visit-silence-2.json',
      'visit-silence-3.json',
      'visit-silence-5.json',
      'visit-silence.json',
    ]);
  });

  it('covers every side of the patches: none (the first code), the catch-up patch (-2), rules 2 besides (-3), rules 3 (-4), notices apart (-5)', () => {
    const patches = (f: string) =>
      (load(f).events ?? [])
        .map((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data)
        .filter((d): d is Uint8Array => d instanceof Uint8Array)
        .map((d) => (JSON.parse(Buffer.from(d).toString()) as { id: string }).id)
        .sort();
    expect(files.sort().map((f) => [f, patches(f)])).toEqual([
      ['visit-diplomatic-3.json', ['catch-up-after-side-effects', 'follow-up-rules-2']],
      ['visit-full-2.json', ['catch-up-after-side-effects']],
      ['visit-full-3.json', ['catch-up-after-side-effects', 'follow-up-rules-2']],
      ['visit-full.json', []],
      ['visit-recommendations-4.json', ['catch-up-after-side-effects', 'follow-up-rules-3']],
      ['visit-silence-2.json', ['catch-up-after-side-effects']],
      ['visit-silence-3.json', ['catch-up-after-side-effects', 'follow-up-rules-2']],
      ['visit-silence-5.json', ['catch-up-after-side-effects', 'follow-up-rules-3', 'notices-apart']],
      ['visit-silence.json', []],
    ]);
  });

  it("has recorded the rules-2 steps: replies on the State's behalf, a refused extension, a published calendar, consent after closure", () => {
    const types = (load('visit-diplomatic-3.json').events ?? [])
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)
      .filter(Boolean);
    expect(types).toContain('publishCalendar');
    expect(types.filter((t) => t === 'act').length).toBeGreaterThanOrEqual(15);
  });

  it('has recorded the rules-3 steps: recommendations, TA referred and answered, progress, assessments, the register fed', () => {
    const events = load('visit-recommendations-4.json').events ?? [];
    const actions = events
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads?.[0]?.data)
      .filter((d): d is Uint8Array => d instanceof Uint8Array)
      .map((d) => (JSON.parse(Buffer.from(d).toString()) as { action: string }).action);
    for (const a of [
      'record-recommendations',
      'agree-ta-needs',
      'refer-ta',
      'record-ta-response',
      'record-ta-delivery',
    ])
      expect(actions).toContain(a);
    for (const a of ['report-progress', 'assess-recommendation', 'submit-follow-up-report'])
      expect(actions).toContain(a);
    const fed = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'feedRegister');
    expect(fed.length).toBe(9);
  });

  it.each(files)('replays %s with the current workflow code', async (file) => {
    quietRuntime();
    const history = load(file);
    expect(history.events?.length).toBeGreaterThan(100);
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });

  // Visits started before FOLLOWUP_CODEC_KEYS was set: their clear payloads pass the codec unchanged.
  it.each(files)('replays %s on a worker with the payload codec', async (file) => {
    quietRuntime();
    const codec = new AesGcmCodec([{ id: 'k1', key: randomBytes(32) }]);
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: { payloadCodecs: [codec] } },
        load(file),
        `replay-codec-${file}`,
      ),
    ).resolves.toBeUndefined();
  });

  it('fails to replay against an incompatible change (negative test)', async () => {
    quietRuntime();
    const changed = await bundleWorkflowCode({
      workflowsPath: join(__dirname, 'changed'),
      logger: new DefaultLogger('WARN'),
    });
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed }, load('visit-silence.json'), 'replay-changed'),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

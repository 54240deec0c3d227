/**
 * Replays committed histories (test/histories/*.json, recorded by `npm run record-histories`)
 * against the current workflow code: a change that would break a running visit fails here.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quietRuntime, workflowBundle } from '../helpers';

const HISTORIES = join(__dirname, '..', 'histories');
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
const load = (f: string) => historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')));

describe('replay of committed histories', () => {
  it('has histories to replay, covering silence and every kind of step, before and after the catch-up patch', () => {
    expect(files.sort()).toEqual([
      'visit-full-2.json',
      'visit-full.json',
      'visit-silence-2.json',
      'visit-silence.json',
    ]);
  });

  it('covers both sides of the catch-up patch: older histories without its marker, newer ones with it', () => {
    const markers = (f: string) => load(f).events?.filter((e) => e.markerRecordedEventAttributes).length ?? 0;
    expect(files.sort().map((f) => [f, markers(f)])).toEqual([
      ['visit-full-2.json', 1],
      ['visit-full.json', 0],
      ['visit-silence-2.json', 1],
      ['visit-silence.json', 0],
    ]);
  });

  it.each(files)('replays %s with the current workflow code', async (file) => {
    quietRuntime();
    const history = load(file);
    expect(history.events?.length).toBeGreaterThan(100);
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${file}`),
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

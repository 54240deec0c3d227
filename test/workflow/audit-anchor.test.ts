/**
 * The audit anchor workflow on the time-skipping server, through the client functions the services
 * use: started by the first head, keeping the highest id whatever order the heads arrive in, read
 * back by query (null before any), and carrying its head across continue-as-new.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_ANCHOR_WORKFLOW_ID, auditAnchorQuery, auditHeadSignal, type AuditAnchorInput } from '../../src/contract';
import { checkAnchor, type AuditHead } from '../../src/domain/audit-anchor';
import { anchorAuditHead, readAuditAnchor } from '../../src/infra/temporal/audit-anchor';
import { eventually, timeSkippingEnv, uniqueQueue, workflowBundle } from '../helpers';

const head = (id: number): AuditHead => ({ id, hash: id.toString(16).padStart(64, '0') });

let env: TestWorkflowEnvironment;
beforeEach(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

/** Runs `body` with a worker on a fresh queue; the anchor is terminated afterwards (it never ends). */
async function withAnchorWorker(body: (taskQueue: string) => Promise<void>): Promise<void> {
  const taskQueue = uniqueQueue();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
  });
  await worker.runUntil(async () => {
    try {
      await body(taskQueue);
    } finally {
      const handle = env.client.workflow.getHandle(AUDIT_ANCHOR_WORKFLOW_ID);
      const running = await handle.describe().then(
        (d) => d.status.name === 'RUNNING',
        () => false,
      );
      if (running) await handle.terminate('test finished');
    }
  });
}

/** The anchor once its head has reached `id`. */
const anchoredAt = (id: number) =>
  eventually(async () => {
    const a = await readAuditAnchor(env.client);
    return a && a.id >= id ? a : undefined;
  }, `the anchor at entry ${id}`);

describe('the audit anchor', () => {
  it('is null before anything was anchored', async () => {
    await withAnchorWorker(async () => {
      expect(await readAuditAnchor(env.client)).toBeNull();
    });
  });

  it('starts with the first head and keeps the highest id, whatever order the heads arrive in', async () => {
    await withAnchorWorker(async (taskQueue) => {
      await anchorAuditHead(env.client, head(1), { taskQueue });
      expect(await anchoredAt(1)).toEqual(head(1));
      const described = await env.client.workflow.getHandle(AUDIT_ANCHOR_WORKFLOW_ID).describe();
      expect(described.type).toBe('auditAnchor');
      expect(described.status.name).toBe('RUNNING');

      // Several processes anchor side by side; a late, lower head never moves the anchor back.
      for (const id of [5, 3, 2, 9, 4]) await anchorAuditHead(env.client, head(id), { taskQueue });
      await Promise.all([7, 8, 6].map((id) => anchorAuditHead(env.client, head(id), { taskQueue })));
      expect(await anchoredAt(9)).toEqual(head(9));
      await anchorAuditHead(env.client, head(4), { taskQueue });
      // An entry passed whole, as the store returns it: only its id and hash are sent.
      await anchorAuditHead(
        env.client,
        { ...head(10), at: '2026-11-29T00:00:00Z', actor: 'a@example.org' } as AuditHead,
        {
          taskQueue,
        },
      );
      expect(await anchoredAt(10)).toEqual(head(10));
      // A second hash for an anchored id does not replace the first.
      await anchorAuditHead(env.client, { id: 10, hash: 'f'.repeat(64) }, { taskQueue });
      await anchorAuditHead(env.client, head(11), { taskQueue });
      expect(await anchoredAt(11)).toEqual(head(11));
      const query = await env.client.workflow.getHandle(AUDIT_ANCHOR_WORKFLOW_ID).query(auditAnchorQuery);
      expect(query).toEqual(head(11));

      // The check the verification runs: the store lost its two newest entries.
      const store = Array.from({ length: 9 }, (_, i) => head(i + 1));
      expect(checkAnchor(store, await readAuditAnchor(env.client))).toMatchObject({
        ok: false,
        brokenAt: 10,
        reason: expect.stringMatching(/^entries after 9 are missing: the anchor holds entry 11 /),
      });
    });
  }, 120_000);

  it('ignores a malformed head and keeps running', async () => {
    await withAnchorWorker(async (taskQueue) => {
      await anchorAuditHead(env.client, head(2), { taskQueue });
      const handle = env.client.workflow.getHandle(AUDIT_ANCHOR_WORKFLOW_ID);
      await handle.signal(auditHeadSignal, { id: 99, hash: '' });
      await handle.signal(auditHeadSignal, { id: -1, hash: 'ab' } as AuditHead);
      await anchorAuditHead(env.client, head(3), { taskQueue });
      expect(await anchoredAt(3)).toEqual(head(3));
      expect((await handle.describe()).status.name).toBe('RUNNING');
    });
  }, 120_000);

  it('continues as new with its head', async () => {
    await withAnchorWorker(async (taskQueue) => {
      const input: AuditAnchorInput = { continueAfter: 5 };
      const first = await env.client.workflow.start('auditAnchor', {
        workflowId: AUDIT_ANCHOR_WORKFLOW_ID,
        taskQueue,
        args: [input],
      });
      for (let id = 1; id <= 12; id++) await anchorAuditHead(env.client, head(id), { taskQueue });
      expect(await anchoredAt(12)).toEqual(head(12));
      const firstRun = env.client.workflow.getHandle(AUDIT_ANCHOR_WORKFLOW_ID, first.firstExecutionRunId);
      expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
      const current = await env.client.workflow.getHandle(AUDIT_ANCHOR_WORKFLOW_ID).describe();
      expect(current.runId).not.toBe(first.firstExecutionRunId);
      expect(current.status.name).toBe('RUNNING');
      // A lower head after the continue-as-new still does not move it back.
      await anchorAuditHead(env.client, head(4), { taskQueue });
      await anchorAuditHead(env.client, head(13), { taskQueue });
      expect(await anchoredAt(13)).toEqual(head(13));
    });
  }, 120_000);
});

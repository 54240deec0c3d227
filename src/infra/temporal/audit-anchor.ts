/**
 * The audit chain's head kept in Temporal, outside the store (workflows/audit-anchor.ts): anchored
 * after each append, read back when the chain is verified and compared with checkAnchor
 * (src/domain/audit-anchor.ts).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { AUDIT_ANCHOR_WORKFLOW_ID, auditAnchorQuery, auditHeadSignal, TASK_QUEUE } from '../../contract';
import { AuditHead } from '../../domain/audit-anchor';

/**
 * Anchors an appended entry's id and hash: signals the anchor workflow, starting it if it does not run.
 * Safe from any number of processes at once and in any order (it keeps the highest id). Takes an
 * audit entry as the store returns it, or just its id and hash.
 */
export async function anchorAuditHead(
  client: Client,
  head: { id: number; hash: string },
  opts: { taskQueue?: string } = {},
): Promise<void> {
  await client.workflow.signalWithStart('auditAnchor', {
    workflowId: AUDIT_ANCHOR_WORKFLOW_ID,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    args: [{}],
    signal: auditHeadSignal,
    signalArgs: [AuditHead.parse({ id: head.id, hash: head.hash })],
  });
}

/** The anchored head, or null when nothing was anchored yet (no anchor workflow, or one with no head). */
export async function readAuditAnchor(client: Client): Promise<AuditHead | null> {
  try {
    const raw = await client.workflow.getHandle(AUDIT_ANCHOR_WORKFLOW_ID).query(auditAnchorQuery);
    return raw === null ? null : AuditHead.parse(raw);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
}

/**
 * The audit chain's anchor: one long-lived workflow (`audit-anchor`) holding the newest audit entry's
 * id and hash outside the store, so that dropping the newest entries, which leaves a valid but shorter
 * chain, is detected. Every process signals `auditHead` after each append (signalWithStart); the
 * signals may arrive out of order, so it keeps the highest id seen. Read with the `auditAnchor` query.
 * It never ends: after enough signals, or when the server suggests it, it continues as new with the head.
 */
import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { auditAnchorQuery, auditHeadSignal, type AuditAnchorInput } from '../src/contract';
import { AuditHead, newerHead } from '../src/domain/audit-anchor';

/** Signals one run takes before it continues as new. */
export const CONTINUE_AFTER = 2000;

export async function auditAnchor(input: AuditAnchorInput = {}): Promise<never> {
  const carried = AuditHead.safeParse(input.head);
  let head: AuditHead | null = carried.success ? carried.data : null;
  const limit = input.continueAfter ?? CONTINUE_AFTER;
  let received = 0;

  setHandler(auditHeadSignal, (raw: unknown) => {
    received++;
    const parsed = AuditHead.safeParse(raw);
    if (!parsed.success) {
      log.warn('audit head refused', { issues: parsed.error.issues.slice(0, 5) });
      return;
    }
    const next = parsed.data;
    if (head && head.id === next.id && head.hash !== next.hash)
      log.warn('audit head conflict: the anchored hash is kept', { id: next.id, anchored: head.hash, got: next.hash });
    head = newerHead(head, next);
  });
  setHandler(auditAnchorQuery, () => head);

  await condition(() => received >= limit || workflowInfo().continueAsNewSuggested);
  // Handlers apply each signal synchronously; a signal that arrives after this point fails the
  // continue-as-new command and is delivered to this run first, so none is lost.
  await condition(allHandlersFinished);
  return continueAsNew<typeof auditAnchor>({
    head,
    ...(input.continueAfter !== undefined ? { continueAfter: input.continueAfter } : {}),
  });
}

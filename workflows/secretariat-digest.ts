/**
 * Scheduled work for the secretariat, started by Temporal Schedules (see src/schedules.ts): the
 * weekly digest and the annual reporting-status list. The workflow id (unique per scheduled run)
 * is the idempotency key of the e-mail.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { VisitActivities } from '../activities';

const { sendDigest } = proxyActivities<VisitActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

export type DigestKind = 'weekly-digest' | 'annual-reporting-status';

export async function secretariatDigest(kind: DigestKind): Promise<{ kind: DigestKind; sentTo: string[] }> {
  const sentTo = await sendDigest({ kind, key: workflowInfo().workflowId });
  return { kind, sentTo };
}

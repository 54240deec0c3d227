/**
 * Temporal Schedules for the secretariat's recurring work (not a cron of our own): the weekly
 * digest on Monday mornings and the annual reporting-status list each December, New York time.
 */
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { TASK_QUEUE } from '../../contract';

export const SCHEDULES = {
  'weekly-digest': { calendars: [{ dayOfWeek: 'MONDAY' as const, hour: 8 }] },
  'annual-reporting-status': { calendars: [{ month: 'DECEMBER' as const, dayOfMonth: 1, hour: 9 }] },
} as const;
export type ScheduleId = keyof typeof SCHEDULES;

/** Creates both schedules if they do not exist yet; leaves existing ones (and their pauses) alone. */
export async function ensureSchedules(client: Client, taskQueue = TASK_QUEUE): Promise<void> {
  for (const [id, spec] of Object.entries(SCHEDULES) as [ScheduleId, (typeof SCHEDULES)[ScheduleId]][]) {
    try {
      await client.schedule.create({
        scheduleId: id,
        spec: { calendars: [...spec.calendars], timezone: 'America/New_York' },
        action: { type: 'startWorkflow', workflowType: 'secretariatDigest', args: [id], taskQueue, workflowId: id },
      });
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    }
  }
}

/** Runs a schedule's action now, as the CLI's `digest send` does. */
export async function triggerSchedule(client: Client, id: ScheduleId): Promise<void> {
  await client.schedule.getHandle(id).trigger();
}

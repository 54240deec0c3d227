/** Builds the worker that runs visit workflows and their activities on the task queue. */
import { join } from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { TASK_QUEUE } from './contract';
import { timedActivities, type EngineMetrics } from './infra/metrics';

export interface VisitWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  taskQueue?: string;
  /** A prebuilt bundle (tests build it once); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** With the payload codec when FOLLOWUP_CODEC_KEYS is set (as the clients' must be). */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Bounds the sticky workflow cache (the SDK's default otherwise). */
  maxCachedWorkflows?: number;
  /** Where the activities' latency and failed sends are counted (served at /metrics). */
  metrics?: EngineMetrics;
}

/** The activities, timed and counting failed sends into `metrics` when given. */
function activitiesOf(o: VisitWorkerOptions) {
  const metrics = o.metrics;
  if (!metrics) return createActivities(o.deps);
  const onSendFailure = (kind: string, e: unknown) => {
    metrics.messagesFailed.inc({ kind });
    o.deps.onSendFailure?.(kind, e);
  };
  return timedActivities(createActivities({ ...o.deps, onSendFailure }), metrics);
}

export function workflowsPath(): string {
  return join(__dirname, '..', 'workflows');
}

export async function createVisitWorker(o: VisitWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue ?? TASK_QUEUE,
    activities: activitiesOf(o),
    ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
    ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
  });
}

/**
 * What operators and their tools ask of a running engine: is it ready (Temporal answers, the
 * store reads), and its metrics. Metrics are counts only, never a name, a State or a payload,
 * so they may be scraped without a token.
 */
import { restoreBackup, writeBackup, type BackupSummary } from '../infra/store/backup-file';
import { STAGES } from '../domain/vocabulary';
import { exposition, type EngineMetrics, type MetricFamily } from '../infra/metrics';
import type { ServiceDeps } from './context';
import { AppError } from './errors';

export interface Check {
  ok: boolean;
  /** Why it failed (no detail of the data, only of the dependency). */
  error?: string;
}
export interface Readiness {
  ready: boolean;
  checks: { temporal: Check; store: Check };
}

const READY_TIMEOUT_MS = 2_000;

const failed = (e: unknown): Check => ({ ok: false, error: e instanceof Error ? e.message : String(e) });

export class OperationsService {
  private readonly now: () => number;

  private readonly engine: EngineMetrics | undefined;

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.engine = deps.metrics;
  }

  /** Temporal answers for the namespace (within 2 s) and the store answers a read. */
  async readiness(): Promise<Readiness> {
    const [temporal, store] = await Promise.all([this.temporalCheck(), this.storeCheck()]);
    return { ready: temporal.ok && store.ok, checks: { temporal, store } };
  }

  private async temporalCheck(): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const client = await this.deps.temporal();
      const call = client.connection.withDeadline(Date.now() + READY_TIMEOUT_MS, () =>
        client.workflowService.describeNamespace({ namespace: client.options.namespace }),
      );
      // The deadline bounds the call; the timer bounds a connection that never settles.
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('Temporal did not answer within 2 s')), READY_TIMEOUT_MS + 500);
      });
      await Promise.race([call, late]);
      return { ok: true };
    } catch (e) {
      return failed(e);
    } finally {
      clearTimeout(timer);
    }
  }

  private async storeCheck(): Promise<Check> {
    try {
      await this.deps.store().ping();
      return { ok: true };
    } catch (e) {
      return failed(e);
    }
  }

  /** The metrics in Prometheus text format: the read model's counts, then this process's own. */
  async metrics(): Promise<string> {
    return exposition([...(await this.storeFamilies()), ...(this.engine?.families() ?? [])]);
  }

  /** Grouped counts from the store's projection: a scrape costs three indexed queries, whatever the number of visits. */
  private async storeFamilies(): Promise<MetricFamily[]> {
    const store = this.deps.store();
    const byStage = new Map<string, number>(STAGES.map((s) => [s, 0]));
    for (const [stage, n] of Object.entries(await store.stageCounts())) byStage.set(stage, n);
    // Judged now: a snapshot is as old as the visit's last event, its next deadline may have passed since.
    const overdue = await store.countOverdue(new Date(this.now()).toISOString());
    const sent = await store.messageCounts();
    const gauge = (name: string, help: string, samples: MetricFamily['samples']): MetricFamily => ({
      name,
      help,
      type: 'gauge',
      samples,
    });
    return [
      gauge(
        'followup_visits',
        'Visits in the read model, by stage.',
        [...byStage].map(([stage, value]) => ({ name: 'followup_visits', labels: { stage }, value })),
      ),
      gauge('followup_visits_overdue', 'Visits with at least one open item past its deadline.', [
        { name: 'followup_visits_overdue', labels: {}, value: overdue },
      ]),
      {
        name: 'followup_messages_sent_total',
        help: "Messages sent, from the store's record of sent messages, by kind (event, before, due, overdue, follow-up, digest).",
        type: 'counter',
        samples: sent.map((m) => ({ name: 'followup_messages_sent_total', labels: { kind: m.kind }, value: m.count })),
      },
    ];
  }

  /** Writes the whole store to a new file (`followup backup`); refuses a file that exists. */
  async backup(file: string): Promise<BackupSummary> {
    try {
      return await writeBackup(this.deps.store(), file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new AppError('invalid-request', `${file} exists: a backup never overwrites a file`);
      throw e;
    }
  }

  /** Restores a backup into an empty store (`followup restore`); nothing is written unless every line is valid. */
  async restore(file: string): Promise<BackupSummary> {
    try {
      return await restoreBackup(this.deps.store(), file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new AppError('invalid-request', `no file ${file}`);
      if (e instanceof Error && !code) throw new AppError('invalid-request', e.message, {}, { cause: e });
      throw e;
    }
  }
}

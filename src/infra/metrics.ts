/**
 * Prometheus metrics without a client library: counters and histograms kept in the process, and
 * the text exposition format (version 0.0.4) that every Prometheus scraper reads.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** The family's name plus a suffix for histograms (`_bucket`, `_sum`, `_count`). */
  name: string;
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: Sample[];
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => {
    if (!LABEL.test(k)) throw new Error(`invalid label name ${JSON.stringify(k)}`);
    return `${k}="${escapeLabel(v)}"`;
  });
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** The families in the text exposition format: HELP and TYPE, then one line per sample. */
export function exposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name ${JSON.stringify(f.name)}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${s.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** One key per label set, independent of the order the labels were given in. */
const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const cur = this.values.get(key) ?? { labels, value: 0 };
    cur.value += by;
    this.values.set(key, cur);
  }

  family(): MetricFamily {
    const samples = [...this.values.values()].map((v) => ({ name: this.name, labels: v.labels, value: v.value }));
    return { name: this.name, help: this.help, type: 'counter', samples };
  }
}

/** Bucket bounds for durations in seconds: from 5 ms (a store write) to a minute (a slow SMTP server). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = DURATION_BUCKETS,
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    const s = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((le, i) => {
      if (value <= le) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
    this.series.set(key, s);
  }

  family(): MetricFamily {
    const samples = [...this.series.values()].flatMap((s) => [
      ...this.buckets.map((le, i) => ({
        name: `${this.name}_bucket`,
        labels: { ...s.labels, le: formatValue(le) },
        value: s.counts[i]!,
      })),
      { name: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count },
      { name: `${this.name}_sum`, labels: s.labels, value: s.sum },
      { name: `${this.name}_count`, labels: s.labels, value: s.count },
    ]);
    return { name: this.name, help: this.help, type: 'histogram', samples };
  }
}

/** What the engine's own process records: activity latency, and messages the mail server refused. */
export class EngineMetrics {
  readonly activityDuration = new Histogram(
    'followup_activity_duration_seconds',
    'Time an activity took in this worker process, by activity and outcome (ok or error).',
  );
  readonly messagesFailed = new Counter(
    'followup_messages_failed_total',
    'Messages whose sending failed in this worker process (the activity retries them), by kind.',
  );

  families(): MetricFamily[] {
    return [this.activityDuration.family(), this.messagesFailed.family()];
  }
}

/** The activities, each timed into `metrics` (its outcome too): the worker registers these. */
export function timedActivities<A extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: A,
  metrics: EngineMetrics,
  now: () => number = () => performance.now(),
): A {
  const timed = Object.entries(activities).map(([name, fn]) => {
    const wrapped = async (...args: never[]) => {
      const started = now();
      let outcome = 'error';
      try {
        const result = await fn(...args);
        outcome = 'ok';
        return result;
      } finally {
        metrics.activityDuration.observe((now() - started) / 1000, { activity: name, outcome });
      }
    };
    return [name, wrapped];
  });
  return Object.fromEntries(timed) as A;
}

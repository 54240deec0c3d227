/**
 * The Prometheus text exposition format, written by hand: HELP and TYPE lines, escaped label
 * values and help text, special values, histogram buckets that accumulate, and timed activities.
 */
import { describe, expect, it } from 'vitest';
import { Counter, EngineMetrics, exposition, formatValue, Histogram, timedActivities } from '../../src/infra/metrics';

describe('the exposition format', () => {
  it('writes HELP, TYPE and one line per sample, ending with a newline', () => {
    const text = exposition([
      {
        name: 'followup_visits',
        help: 'Visits, by stage.',
        type: 'gauge',
        samples: [
          { name: 'followup_visits', labels: { stage: 'drafting' }, value: 3 },
          { name: 'followup_visits', labels: { stage: 'closed' }, value: 0 },
        ],
      },
      { name: 'up_total', help: 'no labels', type: 'counter', samples: [{ name: 'up_total', labels: {}, value: 1.5 }] },
    ]);
    expect(text).toBe(
      [
        '# HELP followup_visits Visits, by stage.',
        '# TYPE followup_visits gauge',
        'followup_visits{stage="drafting"} 3',
        'followup_visits{stage="closed"} 0',
        '# HELP up_total no labels',
        '# TYPE up_total counter',
        'up_total 1.5',
        '',
      ].join('\n'),
    );
    expect(exposition([])).toBe('');
  });

  it('escapes backslashes, quotes and newlines in label values, and backslashes and newlines in help', () => {
    const text = exposition([
      {
        name: 'm',
        help: 'a\\b\nc "quoted"',
        type: 'gauge',
        samples: [{ name: 'm', labels: { v: 'a\\b"c"\nd' }, value: 1 }],
      },
    ]);
    expect(text).toContain('# HELP m a\\\\b\\nc "quoted"\n');
    expect(text).toContain('m{v="a\\\\b\\"c\\"\\nd"} 1\n');
  });

  it('writes the special values as Prometheus spells them', () => {
    expect([Infinity, -Infinity, NaN, 0, 0.25, 12].map(formatValue)).toEqual([
      '+Inf',
      '-Inf',
      'NaN',
      '0',
      '0.25',
      '12',
    ]);
  });

  it('refuses a metric or label name Prometheus would not parse', () => {
    expect(() => exposition([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow(/metric name/);
    const sample = { name: 'ok', labels: { 'bad-label': 'x' }, value: 1 };
    expect(() => exposition([{ name: 'ok', help: '', type: 'gauge', samples: [sample] }])).toThrow(/label name/);
  });
});

describe('counters and histograms', () => {
  it('counts per label set, whatever the order the labels come in', () => {
    const c = new Counter('sent_total', 'Sent.');
    c.inc({ a: '1', b: '2' });
    c.inc({ b: '2', a: '1' }, 2);
    c.inc({ a: 'x', b: '2' });
    expect(exposition([c.family()])).toBe(
      '# HELP sent_total Sent.\n# TYPE sent_total counter\nsent_total{a="1",b="2"} 3\nsent_total{a="x",b="2"} 1\n',
    );
  });

  it('accumulates histogram buckets, with +Inf equal to the count, and the sum', () => {
    const h = new Histogram('lat_seconds', 'Latency.', [0.1, 1]);
    for (const v of [0.05, 0.1, 0.5, 3]) h.observe(v, { op: 'x' });
    expect(exposition([h.family()]).split('\n')).toEqual([
      '# HELP lat_seconds Latency.',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{op="x",le="0.1"} 2',
      'lat_seconds_bucket{op="x",le="1"} 3',
      'lat_seconds_bucket{op="x",le="+Inf"} 4',
      'lat_seconds_sum{op="x"} 3.65',
      'lat_seconds_count{op="x"} 4',
      '',
    ]);
  });
});

describe('timed activities', () => {
  it('records each call with its activity name and outcome, and passes results and errors through', async () => {
    const metrics = new EngineMetrics();
    let t = 0;
    const clock = () => (t += 250);
    const activities = timedActivities(
      {
        ok: async (n: number) => n * 2,
        fails: async () => {
          throw new Error('nope');
        },
      },
      metrics,
      clock,
    );
    expect(await activities.ok(21)).toBe(42);
    await expect(activities.fails()).rejects.toThrow('nope');
    const text = exposition(metrics.families());
    expect(text).toContain('followup_activity_duration_seconds_count{activity="ok",outcome="ok"} 1\n');
    expect(text).toContain('followup_activity_duration_seconds_sum{activity="ok",outcome="ok"} 0.25\n');
    expect(text).toContain('followup_activity_duration_seconds_count{activity="fails",outcome="error"} 1\n');
    expect(text).toContain('# TYPE followup_messages_failed_total counter\n');
  });
});

/**
 * `npm run bench`: measures the engine on this machine and writes BENCHMARKS.md (the figures, each
 * target met or not and why, the machine, the date and the command).
 *
 *   npm run bench                                  # the counts: 1,000 visits, 10,000 open
 *   npm run bench -- --visits 200 --open 2000      # smaller counts
 *   npm run bench -- --lifecycle 300               # fewer visits through the lifecycle than --visits
 *   npm run bench -- --quick                       # small counts, for development
 *   npm run bench -- --only lifecycle,skipping     # some sections (lifecycle, reminders, skipping, open, register)
 *   npm run bench -- --out /tmp/bench.md           # somewhere else than BENCHMARKS.md
 *
 * The sections live in scripts/bench/; each starts its own Temporal server from the pinned binaries.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { join } from 'node:path';
import { machine, report } from './bench/report';
import { lifecycleSection } from './bench/lifecycle';
import { remindersSection } from './bench/reminders';
import { skippingSection } from './bench/skipping';
import { openSection } from './bench/open-visits';
import { registerSection } from './bench/register';
import { log, SECTIONS, type BenchOptions, type Section, type SectionName } from './bench/util';

function options(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      visits: { type: 'string' },
      lifecycle: { type: 'string' },
      open: { type: 'string' },
      concurrency: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const env = process.env;
  const num = (flag: string | undefined, name: string, quick: number, full: number) => {
    const text = flag ?? env[name];
    if (text === undefined) return values.quick ? quick : full;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a whole number, got ${text}`);
    return n;
  };
  const only = (values.only ?? env.BENCH_ONLY ?? SECTIONS.join(',')).split(',').map((x) => x.trim());
  const unknown = only.filter((x) => !(SECTIONS as readonly string[]).includes(x));
  if (unknown.length) throw new Error(`--only: unknown section ${unknown.join(', ')} (${SECTIONS.join(', ')})`);
  const visits = num(values.visits, 'BENCH_VISITS', 20, 1000);
  return {
    quick: values.quick ?? false,
    visits,
    lifecycle: num(values.lifecycle, 'BENCH_LIFECYCLE', visits, visits),
    open: num(values.open, 'BENCH_OPEN', 200, 10_000),
    concurrency: num(values.concurrency, 'BENCH_CONCURRENCY', 10, 20),
    runs: num(values.runs, 'BENCH_RUNS', 10, 50),
    budgetMs: values.quick ? 10_000 : 60_000,
    only: new Set(only as SectionName[]),
    out: values.out ?? env.BENCH_OUT ?? join(__dirname, '..', 'BENCHMARKS.md'),
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const o = options(argv);
  const started = new Date();
  const host = machine();
  const t0 = performance.now();
  log(
    `bench: ${o.lifecycle} visits through the lifecycle, ${o.visits} with reminders and in memory, ${o.open} open, ${o.concurrency} at a time, sections ${[...o.only].join(', ')} → ${o.out}`,
  );
  const runs: [SectionName, (o: BenchOptions) => Promise<Section>][] = [
    ['lifecycle', lifecycleSection],
    ['reminders', remindersSection],
    ['skipping', skippingSection],
    ['open', openSection],
    ['register', registerSection],
  ];
  const sections: Section[] = [];
  let failed = false;
  for (const [name, run] of runs) {
    if (!o.only.has(name)) continue;
    const t = performance.now();
    try {
      sections.push(await run(o));
    } catch (e) {
      console.error(e);
      failed = true;
      sections.push({
        title: `${name}: failed`,
        body: ['```', String(e instanceof Error ? (e.stack ?? e.message) : e), '```'],
        targets: [],
      });
    }
    log(`${name} done in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    // Written after each section, so a run cut short keeps what it measured.
    const text = report(o, argv, host, started, performance.now() - t0, sections);
    // Laid out as the repository's Prettier would (its tables aligned), so the file passes `prettier --check`.
    writeFileSync(o.out, await format(text, { ...(await resolveConfig(o.out)), filepath: o.out }));
  }
  log(`wrote ${o.out} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  // A section that failed half-way may leave its server, worker or API open: nothing more to wait for.
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** BENCHMARKS.md: the machine, the command, the targets met or not, and each section's figures. */
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { count, type BenchOptions, type Section } from './util';

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
  /** The 1-, 5- and 15-minute load averages when the run started: other work on the machine shows here. */
  load: number[];
}

export function machine(): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    ramGiB: totalmem() / 2 ** 30,
    os: `${osType()} ${release()}`,
    node: process.version,
    load: loadavg(),
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function report(
  o: BenchOptions,
  argv: string[],
  m: Machine,
  started: Date,
  elapsedMs: number,
  sections: Section[],
): string {
  const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  const targets = sections.flatMap((sec) => sec.targets);
  const notes = targets.filter((t) => !t.met && t.note);
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`scripts/bench.ts` and `scripts/bench/`); every figure below was measured in the ' +
      'run described here, on this machine. Run it again to replace this file.',
    '',
    `- **Command**: \`${command}\`${o.quick ? ' (quick mode: small counts, for development)' : ''}`,
    `- **Counts**: ${count(o.lifecycle)} visits through the lifecycle (a), ${count(o.visits)} for the reminder and ` +
      `memory figures (b, d), ${count(o.open)} open visits for the pages (e), ${o.concurrency} visits driven or ` +
      'started at a time',
    ...(o.lifecycle !== 1000 || o.visits !== 1000 || o.open !== 10_000
      ? [
          "- **Not the issue's counts** (1,000 visits through the lifecycle, 1,000 with reminders and in memory, " +
            '10,000 open; `npm run bench` with no options runs them): the targets below are judged at the counts ' +
            'of this run.',
        ]
      : []),
    `- **Date**: ${started.toISOString().replace(/\.\d+Z$/, 'Z')}, ${(elapsedMs / 60_000).toFixed(1)} minutes`,
    `- **Machine**: ${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.os}, Node.js ${m.node}`,
    `- **Load average** (1, 5, 15 minutes) when the run started: ${m.load.map((l) => l.toFixed(2)).join(', ')}; ` +
      `when this file was written: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')} (on ${m.cores} cores; anything above ${m.cores} means other work shared the CPU)`,
    '- **Temporal**: the pinned dev server (Temporal CLI) with its in-memory SQLite for the real-time sections, the ' +
      'pinned Java time-skipping test server for the 24-month lifecycle; one worker; the engine on its SQLite store.',
    '',
    '## Targets',
    '',
    '| | target | measured | met |',
    '| --- | --- | --- | --- |',
    ...targets.map(
      (t) => `| ${cell(t.what)} | ${cell(t.target)} | ${cell(t.measured)} | ${t.met ? 'met' : '**not met**'} |`,
    ),
    '',
    ...(notes.length
      ? ['### Where a target is not met', '', ...notes.map((t) => `- **${t.what}**: ${t.note}`), '']
      : []),
    ...sections.flatMap((sec) => [`## ${sec.title}`, '', ...sec.body, '']),
  ].join('\n');
}

/**
 * The CLI as a process in a shell pipeline: output longer than a pipe's buffer reaches a slow
 * reader whole (`followup … --json | jq`), `--help` answers on every command, and a usage error
 * exits 2 with a message.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'followup');
let dataDir: string;

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, FOLLOWUP_DATA_DIR: dataDir },
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'followup-cli-'));
  const outbox = join(dataDir, 'outbox');
  mkdirSync(outbox);
  for (let i = 0; i < 900; i++) {
    const name = `2026-11-28T00-00-00-000Z-${String(i).padStart(6, '0')}-abcdefabcdef.eml`;
    const subject = `Reminder: report on steps taken to implement the recommendations — visit ${i}-NOR`;
    writeFileSync(
      join(outbox, name),
      `To: focal.point.${i}@mission.example.org\nSubject: ${subject}\nDate: Sat, 28 Nov 2026 00:00:00 +0000\n\nbody\n`,
    );
  }
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the followup CLI in a pipeline', () => {
  it('writes every byte of a long --json output to a reader that starts late', async () => {
    // The reader sleeps first, as jq on a busy machine might: the CLI must not exit with output unwritten.
    const r = await run('sh', ['-c', `"${CLI}" outbox list --json | (sleep 2; cat)`]);
    expect(r.stderr).toBe('');
    expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(128 * 1024);
    const entries = JSON.parse(r.stdout) as { to: string }[];
    expect(entries).toHaveLength(900);
    expect(entries.at(-1)!.to).toBe('focal.point.899@mission.example.org');
  });

  it('lists every command in --help, and has --help on each', async () => {
    const top = await run(CLI, ['--help']);
    expect(top.code).toBe(0);
    for (const c of ['visits', 'policy', 'outbox', 'users', 'audit', 'digest', 'check'])
      expect(top.stdout).toContain(c);
    const visits = await run(CLI, ['visits', '--help']);
    for (const c of ['start', 'list', 'show', 'act', 'import', 'document', 'documents', 'withdraw-document'])
      expect(visits.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
    const act = await run(CLI, ['visits', 'act', '--help']);
    expect(act.code).toBe(0);
    expect(act.stdout).toContain('--field <key=value>');
  });

  it('refuses an unknown command or option with exit code 2 and says why', async () => {
    const r = await run(CLI, ['visits', 'lisst']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'lisst'");
    const o = await run(CLI, ['outbox', 'list', '--jsn']);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain("unknown option '--jsn'");
  });
});

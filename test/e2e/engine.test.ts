/**
 * The engine as its users run it: the real `npm start` (embedded dev server with its SQLite file,
 * worker, store), a real SMTP server on port 0, the `followup` CLI as a separate process, and a
 * policy whose clocks are seconds long. Stopped with Ctrl-C mid-stage and started again.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisitStatus } from '../../src/domain/visit';
import { eventually } from '../helpers';
import { startSmtp, type TestSmtp } from '../smtp';

const ROOT = resolve(__dirname, '..', '..');
let smtp: TestSmtp;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let engine: { child: ChildProcess; output: string[] } | undefined;

/**
 * A free port below the ephemeral range (32768 and up), which the engine takes again after its
 * restart: a port the system handed out could go to another test's server during the outage.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((r) => {
      server.once('error', () => r(false));
      server.listen(port, '127.0.0.1', () => r(true));
    });
    if (free) {
      await new Promise((r) => server.close(r));
      return port;
    }
  }
}

/** true once nothing listens on the port (undefined while something does). */
function portClosed(port: number): Promise<true | undefined> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(undefined);
    });
    socket.once('error', () => resolvePromise(true));
  });
}

async function startEngine(): Promise<void> {
  const output: string[] = [];
  // Its own process group, so Ctrl-C (SIGINT to the group) reaches npm, tsx and the dev server as in a terminal.
  const child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  engine = { child, output };
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output.join('').slice(-3000)}`))),
  );
  exited.catch(() => undefined);
  // Ready, or the reason it is not: npm start's own last words.
  await Promise.race([
    eventually(
      () => (output.join('').includes('Press Ctrl-C to stop.') ? true : undefined),
      'npm start to be ready',
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; its output ends:\n${output.join('').slice(-3000)}`, { cause: e });
    }),
    exited,
  ]);
}

async function stopEngine(): Promise<void> {
  if (!engine) return;
  const { child } = engine;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGINT');
  await exited;
  // Every child of the group is gone, and so is the dev server (which npm start stops itself).
  await eventually(
    () => {
      try {
        process.kill(-child.pid!, 0);
        return undefined;
      } catch {
        return true;
      }
    },
    'every process of npm start to exit',
    30_000,
  );
  await eventually(() => portClosed(Number(env.TEMPORAL_DEV_PORT)), 'the dev server to release its port', 30_000);
  engine = undefined;
}

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(join(ROOT, 'bin', 'followup'), args, { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolvePromise({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function show(id: string): Promise<VisitStatus> {
  const r = await cli('visits', 'show', id, '--json');
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as VisitStatus;
}

beforeAll(async () => {
  smtp = await startSmtp();
  dataDir = mkdtempSync(join(tmpdir(), 'followup-e2e-'));
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      name: 'e2e: clocks in seconds',
      clocks: { 'state-review': '210 seconds', finalizing: '1 hour' },
      reminders: {
        'state-review': { to: ['state-contact'], before: ['180 seconds', '60 seconds'] },
        pao: null,
        'ta-referral': null,
        drafting: null,
        finalizing: null,
      },
    }),
  );
  const directoryFile = join(dataDir, 'directory.json');
  writeFileSync(directoryFile, JSON.stringify({ secretariat: ['secretariat@un.example.org'] }));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FOLLOWUP_DATA_DIR: join(dataDir, 'var'),
    FOLLOWUP_POLICY: policyFile,
    FOLLOWUP_DIRECTORY: directoryFile,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'CTC follow-up <followup@un.example.org>',
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    PORT: String(await freePort()),
    FOLLOWUP_OPERATOR: 'operator@cted.example.org',
  };
  await startEngine();
});

afterAll(async () => {
  await stopEngine();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start, the CLI and real e-mail', () => {
  it('prints where Temporal, its UI and the mail go', () => {
    const out = engine!.output.join('');
    expect(out).toContain(`Temporal:    127.0.0.1:${env.TEMPORAL_DEV_PORT}`);
    expect(out).toContain(`Temporal UI: http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    expect(out).toContain(`Mail:        ${smtp.url}`);
    expect(out).toContain(`API:         http://127.0.0.1:${env.PORT} (OpenAPI at /openapi.json)`);
  });

  it('keeps its data folder and the databases in it for its own user', () => {
    const data = env.FOLLOWUP_DATA_DIR!;
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const file of ['temporal.sqlite', 'followup.sqlite', 'link-secret']) {
      expect(statSync(join(data, file)).mode & 0o077, file).toBe(0);
    }
  });

  it('runs a visit through the CLI, survives Ctrl-C and a restart mid-stage, and sends each e-mail once', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const started = await cli(
      'visits',
      'start',
      '--number',
      '500',
      '--state',
      'NOR',
      '--type',
      'comprehensive',
      '--start',
      today,
      '--end',
      today,
      '--case-officer',
      'officer@cted.example.org',
      '--state-contact',
      'mission@norway.example.org',
      '--state-name',
      'Norway',
    );
    expect(started).toMatchObject({ code: 0, stdout: '500-NOR\n' });

    expect(
      (
        await cli(
          'visits',
          'act',
          '500-NOR',
          'submit-draft',
          '--as',
          'officer@cted.example.org',
          '--field',
          'documentRef=DRAFT/500',
        )
      ).code,
    ).toBe(0);
    const dispatched = await cli(
      'visits',
      'act',
      '500-NOR',
      'dispatch-draft',
      '--as',
      'officer@cted.example.org',
      '--json',
    );
    expect(dispatched.code).toBe(0);
    const status = JSON.parse(dispatched.stdout) as VisitStatus;
    expect(status.stage).toBe('state-review');
    const deadline = status.openItems.find((o) => o.item === 'state-review')!.deadline!;
    const t0 = Date.parse(status.history.at(-1)!.at);
    expect(Date.parse(deadline) - t0).toBe(210_000);

    const mails = () => smtp.received.filter((m) => m.visitId === '500-NOR');
    await eventually(() => (mails().length === 1 ? true : undefined), 'the draft to reach the Permanent Mission');
    expect(mails()[0]).toMatchObject({ to: ['mission@norway.example.org'], topic: 'draft-dispatched' });
    expect(mails()[0]!.subject).toMatch(
      /^Draft report of visit 500-NOR for factual comments \(by \d{1,2} [A-Z][a-z]+ \d{4}\)$/,
    );
    // The body names the deadline's day and the close of business (quoted-printable lines joined).
    const day = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    }).format(new Date(deadline));
    expect(mails()[0]!.raw.replace(/=\r?\n/g, '')).toContain(`close of business, New York time, on ${day}`);

    await stopEngine();
    // Down across the first reminder (t0 + 30 s), back well before the second (t0 + 150 s).
    await eventually(
      () => (Date.now() > t0 + 32_000 ? true : undefined),
      'the outage to span the first reminder',
      45_000,
    );
    expect(mails()).toHaveLength(1);
    await startEngine();
    const restarted = Date.now();
    expect(restarted).toBeLessThan(t0 + 100_000);

    await eventually(
      () => (mails().some((m) => m.topic === 'no-comments-received') ? true : undefined),
      'the comment period to end',
      210_000,
    );
    const after = await show('500-NOR');
    expect(after.stage).toBe('finalizing');
    // The reminder that fell due during the outage is sent late, once; the second on time, once.
    expect(after.reminders.map((r) => [r.kind, r.status, r.at])).toEqual([
      ['before', 'sent', new Date(t0 + 30_000).toISOString()],
      ['before', 'sent', new Date(t0 + 150_000).toISOString()],
    ]);
    console.log(`engine back ${restarted - t0} ms after dispatch`);
    expect(mails().map((m) => `${m.topic} -> ${m.to.join(',')}`)).toEqual([
      'draft-dispatched -> mission@norway.example.org',
      'reminder:state-review -> mission@norway.example.org',
      'reminder:state-review -> mission@norway.example.org',
      'no-comments-received -> officer@cted.example.org',
    ]);
    expect(mails()[1]!.subject).toBe(
      `Reminder: factual comments on the draft report — visit 500-NOR (due ${/\(by (.+)\)$/.exec(mails()[0]!.subject)![1]})`,
    );
    expect(new Set(mails().map((m) => m.messageId)).size).toBe(4);
    expect(after.history.map((e) => [e.type, e.actor ?? null])).toEqual([
      ['visit-started', null],
      ['submit-draft', 'officer@cted.example.org'],
      ['dispatch-draft', 'officer@cted.example.org'],
      ['no-comments-received', null],
    ]);
    const listed = await cli('visits', 'list', '--stage', 'finalizing', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: '500-NOR', stage: 'finalizing' })]);
  }, 330_000);

  it('refuses bad input with a clear message and a non-zero exit, changing nothing', async () => {
    const unknown = await cli('visits', 'show', '999-XXX');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown visit');

    const today = new Date().toISOString().slice(0, 10);
    await cli(
      'visits',
      'start',
      '--number',
      '501',
      '--state',
      'CHL',
      '--type',
      'focused',
      '--start',
      today,
      '--end',
      today,
      '--case-officer',
      'officer@cted.example.org',
      '--state-contact',
      'mission@chile.example.org',
    );
    const notNow = await cli('visits', 'act', '501-CHL', 'transmit-report');
    expect(notNow.code).toBe(1);
    expect(notNow.stderr).toContain(
      'refused: transmit-report is not allowed while visit 501-CHL is at stage drafting; allowed now: record-pao, refer-ta, submit-draft, record-recommendations, withdraw',
    );

    const missing = await cli('visits', 'act', '501-CHL', 'withdraw');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('withdraw: reason:');

    const badDate = await cli(
      'visits',
      'start',
      '--number',
      '502',
      '--state',
      'PER',
      '--type',
      'focused',
      '--start',
      '2019-11-12',
      '--end',
      '2019-11-31',
      '--case-officer',
      'officer@cted.example.org',
      '--state-contact',
      'mission@peru.example.org',
    );
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('end: not a real calendar date');

    const csv = join(dataDir, 'visits.csv');
    writeFileSync(
      csv,
      'visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date\n503,Peru,PER,focused,,2019-11-12,2019-11-14\n504,Chile,chl,focused,,2019-11-12,2019-11-14\n',
    );
    const badRow = await cli(
      'visits',
      'import',
      csv,
      '--case-officer',
      'officer@cted.example.org',
      '--state-contact',
      'pm-{iso3}@example.org',
    );
    expect(badRow.code).toBe(1);
    expect(badRow.stderr).toContain(`${csv}:3: state: expected an ISO 3166-1 alpha-3 code`);
    expect(badRow.stderr).toContain('nothing imported');

    const all = JSON.parse((await cli('visits', 'list', '--json')).stdout) as { id: string }[];
    expect(all.map((v) => v.id).sort()).toEqual(['500-NOR', '501-CHL']);
    expect((await show('501-CHL')).history.map((e) => e.type)).toEqual(['visit-started']);
  });

  it('imports the 31 visits of 2018-2019 with their clocks computed from the real dates', async () => {
    const r = await cli(
      'visits',
      'import',
      join(ROOT, 'test', 'fixtures', 'ctc-visits-2018-2019.csv'),
      '--case-officer',
      'officer@cted.example.org',
      '--state-contact',
      'pm-{iso3}@mission.example.org',
      '--permanent-mission',
      'mission-{iso3}@un-missions.example.org',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).imported).toHaveLength(31);
    // Regional groups, ordinals, languages and Missions come from the file.
    for (const [id, group, language] of [
      ['144-ARM', 'south-caucasus-2018', 'en'],
      ['145-NZL', 'pacific-2018', 'en'],
      ['137-CHE', null, 'fr'],
    ] as const) {
      expect(await show(id)).toMatchObject({
        group,
        language,
        ordinal: id === '137-CHE' ? null : 'second',
        permanentMission: `mission-${id.slice(4).toLowerCase()}@un-missions.example.org`,
      });
    }
    const pol = await show('166-POL');
    expect(pol.stage).toBe('drafting');
    expect(pol.openItems.find((o) => o.item === 'drafting')).toMatchObject({
      deadline: '2020-02-12T04:59:59.999Z',
      overdue: true,
    });
    const overdue = await eventually(async () => {
      const l = JSON.parse((await cli('visits', 'list', '--overdue', '--json')).stdout) as unknown[];
      return l.length >= 31 ? l : undefined;
    }, 'the imported visits to be listed overdue');
    expect(overdue).toHaveLength(31);
    expect(smtp.received.filter((m) => m.visitId === '166-POL')).toEqual([]); // no storm of past reminders

    const drift = await cli('check', 'drift');
    expect(drift).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^no drift: the store agrees with Temporal on 33 visit\(s\)/),
    });
  });

  it('sends the weekly digest when triggered from the CLI, and keeps an intact audit trail of CLI actions', async () => {
    const sent = await cli('digest', 'send');
    expect(sent.code).toBe(0);
    const digestMail = await eventually(
      () => smtp.received.find((m) => m.topic === 'weekly-digest'),
      'the digest to reach the secretariat',
    );
    expect(digestMail.to).toEqual(['secretariat@un.example.org']);
    expect(digestMail.subject).toMatch(/^Visit follow-up: weekly digest, \d{4}-\d{2}-\d{2}$/);
    expect(digestMail.raw).toContain('166-POL Poland: drafting due 2020-02-11');

    const user = await cli(
      'users',
      'add',
      '--role',
      'state',
      '--state',
      'NOR',
      '--email',
      'focal@norway.example.org',
      '--json',
    );
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout).token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await cli('users', 'add', '--role', 'state', '--state', 'NOR', '--email', 'focal@norway.example.org');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const verify = await cli('audit', 'verify', '--json');
    expect(verify.code).toBe(0);
    const result = JSON.parse(verify.stdout) as { ok: boolean; entries: number };
    expect(result.ok).toBe(true);
    expect(result.entries).toBeGreaterThanOrEqual(5); // starts, CLI actions (accepted and refused), the import
  });
});

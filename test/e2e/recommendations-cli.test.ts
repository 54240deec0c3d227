/**
 * `followup recommendations …` as a separate process against the real dev server and a worker: a
 * visit's file imported (a bad one refused naming its line), the register listed as JSON and as a
 * table, progress reported and an assessment recorded; refusals with the CLI's exit codes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers';
import { startApiHarness, type Harness } from '../api-harness';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'followup');
const VISIT = '401-NOR';
let h: Harness;
let dir: string;
let env: NodeJS.ProcessEnv;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(CLI, args, { cwd: ROOT, env }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await cli(...args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return r.stdout;
}

/** `list --json` once `ready` accepts it (the register is fed after each step). */
function listed(args: string[], ready: (l: any[]) => boolean, what: string): Promise<any[]> {
  return eventually(
    async () => {
      const l = JSON.parse(await ok('recommendations', 'list', '--json', ...args)) as any[];
      return ready(l) ? l : undefined;
    },
    what,
    60_000,
  );
}

beforeAll(async () => {
  h = await startApiHarness();
  dir = mkdtempSync(join(tmpdir(), 'followup-recs-cli-'));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FOLLOWUP_DATA_DIR: join(dir, 'var'),
    TEMPORAL_ADDRESS: h.env.address,
    FOLLOWUP_OPERATOR: 'officer@cted.example.org',
  };
  writeFileSync(
    join(dir, 'good.csv'),
    [
      'number,text,theme,priority,ta_need',
      '1,"Adopt a comprehensive counter-terrorism law",legislation,yes,"Legislative drafting"',
      '2,Train border officers on API/PNR,border-management,no,',
      '3,"Set up a financial intelligence unit, with its own budget",counter-financing,yes,',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'bad.csv'),
    'number,text,theme,priority,ta_need\n1,A law,legislation,yes,\n2,Train,ict,maybe,\n',
  );
  const today = new Date().toISOString().slice(0, 10);
  await ok(
    ...['visits', 'start', '--number', '401', '--state', 'NOR', '--type', 'comprehensive'],
    ...['--start', today, '--end', today, '--case-officer', 'officer@cted.example.org'],
    ...['--state-contact', 'mission@norway.example.org'],
  );
}, 180_000);

afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('followup recommendations', () => {
  it('refuses a file with a bad row whole, naming file, line and field; exit 1', async () => {
    const r = await cli('recommendations', 'import', VISIT, join(dir, 'bad.csv'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'bad.csv')}:3: priority: expected yes or no`);
    expect(r.stderr).toContain('refused: nothing recorded: line 3: priority: expected yes or no');
    expect(r.stdout).toBe('');
  });

  it('imports a file, and after adoption lists it as JSON with the keys the issue names', async () => {
    const out = await ok('recommendations', 'import', VISIT, join(dir, 'good.csv'));
    expect(out).toMatch(/^401-NOR: recommendations recorded from .*good\.csv; stage drafting;/);
    for (const [action, ...fields] of [
      ['submit-draft'],
      ['dispatch-draft'],
      ['record-comments', 'onBehalfOf=NOR'],
      ['submit-final-draft'],
      ['object', 'reason=Paragraph 3'],
      ['record-adoption'],
      ['transmit-report'],
    ] as const) {
      await ok('visits', 'act', VISIT, action, ...fields.flatMap((f) => ['--field', f]));
    }
    const list = await listed(['--visit', VISIT], (l) => l.length === 3, 'the register to hold the visit');
    for (const key of [
      'id',
      'visit',
      'state',
      'text',
      'theme',
      'priority',
      'taNeed',
      'reportedStatus',
      'assessedStatus',
      'history',
    ])
      expect(list[0], key).toHaveProperty(key);
    expect(list[0]).toMatchObject({
      id: '401-NOR/R1',
      visit: VISIT,
      state: 'NOR',
      text: 'Adopt a comprehensive counter-terrorism law',
      theme: 'legislation',
      priority: true,
      taNeed: 'Legislative drafting',
      reportedStatus: null,
      assessedStatus: { status: 'insufficient-information' },
      history: [{ type: 'recommendations-adopted', by: 'officer@cted.example.org' }],
    });
    expect(list.map((r) => r.id)).toEqual(['401-NOR/R1', '401-NOR/R2', '401-NOR/R3']);
  });

  it('reports progress on the State’s behalf and records CTED’s assessment', async () => {
    const reported = await ok(
      'recommendations',
      'report',
      '401-NOR/R1',
      '--status',
      'in-progress',
      '--text',
      'Bill in parliament',
    );
    expect(reported).toMatch(/^401-NOR\/R1: progress reported \(in-progress\);/);
    expect(
      await ok('recommendations', 'assess', '401-NOR/R1', '--status', 'implemented', '--note', 'Law in force'),
    ).toMatch(/^401-NOR\/R1: assessed implemented;/);
    const closed = await listed(['--status', 'closed'], (l) => l.length === 1, 'R1 to be closed');
    expect(closed[0]).toMatchObject({
      id: '401-NOR/R1',
      status: 'closed',
      reportedStatus: { status: 'in-progress', text: 'Bill in parliament', onBehalfOf: 'NOR' },
      assessedStatus: { status: 'implemented', note: 'Law in force', by: 'officer@cted.example.org' },
    });
    expect(closed[0].history.map((e: { type: string }) => e.type)).toEqual([
      'recommendations-adopted',
      'progress-reported',
      'assessed',
    ]);
  });

  it('prints a table without --json, filtered by State and priority', async () => {
    const table = (await ok('recommendations', 'list', '--state', 'NOR', '--priority')).trimEnd().split('\n');
    expect(table[0]).toMatch(/^ID\s+STATUS\s+P\s+THEME\s+REPORTED\s+ASSESSED\s+TA\s+TEXT$/);
    expect(table.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['401-NOR/R1', 'closed', '*'],
      ['401-NOR/R3', 'open', '*'],
    ]);
    expect(await ok('recommendations', 'list', '--state', 'CHL')).toBe('no recommendations\n');
  });

  it('refuses as the other commands do: the workflow’s refusal and bad input exit 1, usage exits 2', async () => {
    const unknown = await cli('recommendations', 'report', '401-NOR/R9', '--status', 'implemented');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^refused: visit 401-NOR has no adopted recommendation 401-NOR\/R9/);
    const badId = await cli('recommendations', 'assess', '401-NOR-R1', '--status', 'implemented');
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/^invalid input: recommendation id: /);
    const badStatus = await cli('recommendations', 'assess', '401-NOR/R2', '--status', 'done');
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toMatch(/^invalid input: assessment: status: /);
    const noStatus = await cli('recommendations', 'report', '401-NOR/R2');
    expect(noStatus.code).toBe(2);
    expect(noStatus.stderr).toContain("required option '--status <S>' not specified");
    const missing = await cli('recommendations', 'import', VISIT, join(dir, 'nowhere.csv'));
    expect(missing.code).toBe(2);
  });
});

/**
 * `followup`: the operator's CLI on the server machine. Talks to Temporal directly; `--as` names
 * the person recorded as the actor. Every input is validated with zod before anything is sent.
 */
import {
  Connection,
  Client,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z, ZodError } from 'zod';
import { loadConfig } from './config';
import { ActRequest, VisitId } from './contract';
import { ACTION_FIELDS, ActionNameSchema, describeIssues } from './domain/actions';
import { STAGES } from './domain/vocabulary';
import { ROLES } from './domain/permissions';
import { Store } from './store';
import { triggerSchedule } from './schedules';
import { findDrift } from './drift';
import { loadLinkSecret, publicUrlOf } from './secrets';
import { feedSecret } from './web';
import type { VisitStatus } from './domain/visit';
import { readVisitsCsv } from './import-csv';
import { listOutbox } from './mail';
import { loadPolicy } from './policy-loader';
import { actOnVisit, listVisits, startVisit, visitStatus } from './visits';

const USAGE = `usage:
  followup visits start --number N --state ISO3 --type TYPE --start YYYY-MM-DD --end YYYY-MM-DD
                        --case-officer EMAIL --state-contact EMAIL [--permanent-mission EMAIL]
                        [--state-name NAME] [--group ID] [--language en|fr|es]
  followup visits list [--stage STAGE] [--overdue] [--json]
  followup visits show <id> [--json]
  followup visits act <id> <action> [--as EMAIL] [--field key=value ...] [--file payload.json]
  followup visits import <csv> --case-officer EMAIL --state-contact EMAIL|TEMPLATE-WITH-{iso3} [--json]
  followup policy show [--json]
  followup outbox list [--json]
  followup users add --role cted|secretariat|committee|chair|state|partner --email EMAIL
                     [--state ISO3] [--organisation ORG] [--json]
  followup users list [--json]
  followup users feed <email>          the user's personal calendar (.ics) subscription URL
  followup audit verify [--json]
  followup digest send [--annual]      trigger the weekly digest (or the annual list) now
  followup check drift [--json]        compare the store with Temporal's list of visits`;

class UsageError extends Error {}

async function client(): Promise<Client> {
  const config = loadConfig();
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
  const connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

const NewUser = z
  .object({
    role: z.enum(ROLES),
    email: z.email(),
    state: z
      .string()
      .regex(/^[A-Z]{3}$/, 'expected an ISO3 code such as NOR')
      .optional(),
    organisation: z
      .string()
      .regex(/^[A-Za-z0-9-]{2,30}$/, 'expected a short code such as UNODC')
      .optional(),
  })
  .strict()
  .refine((u) => (u.role === 'state') === (u.state !== undefined), {
    path: ['state'],
    message: 'a state user needs --state, and only a state user has one',
  })
  .refine((u) => (u.role === 'partner') === (u.organisation !== undefined), {
    path: ['organisation'],
    message: 'a partner needs --organisation, and only a partner has one',
  });

/** Who the CLI records as the actor when `--as` is not given. */
const operator = () => loadConfig().FOLLOWUP_OPERATOR;

/** Opens the store in the data folder for one operation. */
function withStore<T>(fn: (store: Store) => T): T {
  const store = new Store(join(loadConfig().dataDir, 'followup.sqlite'));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function fieldsFrom(action: z.infer<typeof ActionNameSchema>, pairs: string[]): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--field expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const spec = ACTION_FIELDS[action].find((f) => f.name === key);
    if (!spec)
      throw new UsageError(
        `${action} takes no field "${key}"; it takes: ${ACTION_FIELDS[action].map((f) => f.name).join(', ') || 'no fields'}`,
      );
    payload[key] =
      spec.type === 'string[]'
        ? value.split(',').map((s) => s.trim())
        : spec.type === 'boolean'
          ? value === 'true'
          : value;
  }
  return payload;
}

function printStatus(s: VisitStatus): void {
  console.log(`${s.id}  ${s.stateName ?? s.state}  ${s.type}  stage: ${s.stage}${s.overdue ? '  OVERDUE' : ''}`);
  console.log('open items:');
  for (const o of s.openItems)
    console.log(
      `  ${o.item.padEnd(28)} ${o.deadline ?? (o.paused ? '(clock stopped)' : '(no deadline)')}${o.overdue ? '  overdue' : ''}`,
    );
  console.log(`allowed now: ${s.allowedActions.map((a) => a.action).join(', ') || 'nothing'}`);
  console.log(`consent: ${s.consent.scope}${s.consent.sections.length ? ` (${s.consent.sections.join(', ')})` : ''}`);
  console.log('history:');
  for (const e of s.history) console.log(`  ${e.at}  ${e.type}${e.actor ? `  by ${e.actor}` : ''}`);
}

async function run(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === 'policy' && command === 'show') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
    const policy = loadPolicy(loadConfig().FOLLOWUP_POLICY);
    if (values.json) console.log(JSON.stringify(policy, null, 2));
    else {
      console.log(policy.name);
      for (const [k, v] of Object.entries(policy.clocks)) console.log(`  ${k.padEnd(30)} ${v}`);
      console.log(`  working days: ${policy.calendar.name}, ${policy.calendar.holidays.length} holidays`);
    }
    return 0;
  }
  if (group === 'outbox' && command === 'list') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
    const dir = join(loadConfig().dataDir, 'outbox');
    const entries = listOutbox(dir);
    if (values.json) console.log(JSON.stringify(entries, null, 2));
    else {
      for (const e of entries) console.log(`${e.date}  ${e.to}  ${e.subject}\n    ${join(dir, e.file)}`);
      if (!entries.length) console.log(`the outbox (${dir}) is empty`);
    }
    return 0;
  }
  if (group === 'users' && command === 'add') {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        role: { type: 'string' },
        email: { type: 'string' },
        state: { type: 'string' },
        organisation: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const user = NewUser.parse({
      role: values.role,
      email: values.email,
      state: values.state,
      organisation: values.organisation,
    });
    const token = randomBytes(32).toString('base64url');
    withStore((store) => store.addUser(user, token));
    // The token is shown once; only its hash is stored.
    if (values.json) console.log(JSON.stringify({ token }));
    else
      console.log(
        `user ${user.email} (${user.role}${user.state ? ` ${user.state}` : ''}${user.organisation ? ` ${user.organisation}` : ''}) added; API token (shown once):\n${token}`,
      );
    return 0;
  }
  if (group === 'users' && command === 'feed') {
    const { positionals } = parseArgs({ args: rest, strict: true, allowPositionals: true, options: {} });
    const email = z.email().parse(positionals[0]);
    if (!withStore((store) => store.users().some((u) => u.email === email)))
      throw new UsageError(`no user ${email}; add one with followup users add`);
    const config = loadConfig();
    console.log(`${publicUrlOf(config)}/feeds/${feedSecret(loadLinkSecret(config), email)}.ics`);
    return 0;
  }
  if (group === 'users' && command === 'list') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
    const users = withStore((store) => store.users());
    if (values.json) console.log(JSON.stringify(users, null, 2));
    else
      for (const u of users)
        console.log(
          `${u.email.padEnd(40)} ${u.role}${u.state ? ` ${u.state}` : ''}${u.organisation ? ` ${u.organisation}` : ''}`,
        );
    return 0;
  }
  if (group === 'digest' && command === 'send') {
    const { values } = parseArgs({ args: rest, options: { annual: { type: 'boolean' } }, strict: true });
    const id = values.annual ? 'annual-reporting-status' : 'weekly-digest';
    await triggerSchedule(await client(), id);
    console.log(`${id}: triggered; the secretariat receives it in a moment`);
    return 0;
  }
  if (group === 'check' && command === 'drift') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
    const c = await client();
    const report = withStore((store) => store.snapshots());
    const drift = findDrift(await listVisits(c), report);
    if (values.json) console.log(JSON.stringify(drift, null, 2));
    else if (!drift.length) console.log(`no drift: the store agrees with Temporal on ${report.length} visit(s)`);
    else for (const d of drift) console.log(`${d.id}: ${d.problem}`);
    return drift.length ? 1 : 0;
  }
  if (group === 'audit' && command === 'verify') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
    const result = withStore((store) => store.verifyAudit());
    if (values.json) console.log(JSON.stringify(result));
    else
      console.log(
        result.ok
          ? `audit trail intact: ${result.entries} entries`
          : `audit trail BROKEN at entry ${result.brokenAt}: ${result.reason}`,
      );
    return result.ok ? 0 : 1;
  }
  if (group !== 'visits') throw new UsageError(USAGE);
  if (command === 'start') {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        number: { type: 'string' },
        state: { type: 'string' },
        type: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        'case-officer': { type: 'string' },
        'state-contact': { type: 'string' },
        'permanent-mission': { type: 'string' },
        'state-name': { type: 'string' },
        group: { type: 'string' },
        language: { type: 'string' },
      },
    });
    const request = {
      number: values.number === undefined ? undefined : Number(values.number),
      state: values.state,
      type: values.type,
      start: values.start,
      end: values.end,
      caseOfficer: values['case-officer'],
      stateContact: values['state-contact'],
      ...(values['permanent-mission'] ? { permanentMission: values['permanent-mission'] } : {}),
      ...(values['state-name'] ? { stateName: values['state-name'] } : {}),
      ...(values.group ? { groupId: values.group } : {}),
      ...(values.language ? { language: values.language } : {}),
    };
    const policy = loadPolicy(loadConfig().FOLLOWUP_POLICY);
    const { id } = await startVisit(await client(), request, policy);
    withStore((store) =>
      store.appendAudit({
        at: new Date().toISOString(),
        actor: operator(),
        role: 'operator',
        door: 'cli',
        visitId: id,
        action: 'start-visit',
        payload: request,
        outcome: 'accepted',
      }),
    );
    console.log(id);
    return 0;
  }
  if (command === 'list') {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: { stage: { type: 'string' }, overdue: { type: 'boolean' }, json: { type: 'boolean' } },
    });
    const stage = values.stage === undefined ? undefined : z.enum(STAGES).parse(values.stage);
    const visits = await listVisits(await client(), {
      ...(stage ? { stage } : {}),
      ...(values.overdue ? { overdue: true } : {}),
    });
    if (values.json) console.log(JSON.stringify(visits, null, 2));
    else
      for (const v of visits)
        console.log(`${v.id.padEnd(10)} ${v.stage.padEnd(17)} ${v.nextDeadline ?? '-'}${v.overdue ? '  OVERDUE' : ''}`);
    return 0;
  }
  if (command === 'show') {
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    const id = VisitId.parse(positionals[0]);
    const status = await visitStatus(await client(), id);
    if (values.json) console.log(JSON.stringify(status, null, 2));
    else printStatus(status);
    return 0;
  }
  if (command === 'act') {
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        as: { type: 'string' },
        field: { type: 'string', multiple: true },
        file: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 2) throw new UsageError(USAGE);
    const id = VisitId.parse(positionals[0]);
    const action = ActionNameSchema.parse(positionals[1]);
    const fromFile = values.file ? (JSON.parse(readFileSync(values.file, 'utf8')) as Record<string, unknown>) : {};
    const req = ActRequest.parse({
      action,
      payload: { ...fromFile, ...fieldsFrom(action, values.field ?? []) },
      actor: { email: values.as ?? operator() },
      door: 'cli',
    });
    const audit = (outcome: 'accepted' | 'refused', detail?: string) =>
      withStore((store) =>
        store.appendAudit({
          at: new Date().toISOString(),
          actor: req.actor.email,
          role: 'operator',
          door: 'cli',
          visitId: id,
          action,
          payload: req.payload,
          outcome,
          ...(detail ? { detail } : {}),
        }),
      );
    let status: VisitStatus;
    try {
      status = await actOnVisit(await client(), id, req);
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError)
        audit('refused', (e.cause as Error | undefined)?.message ?? e.message);
      throw e;
    }
    audit('accepted');
    if (values.json) console.log(JSON.stringify(status, null, 2));
    else
      console.log(
        `${id}: ${action} recorded; stage ${status.stage}; allowed now: ${status.allowedActions.map((a) => a.action).join(', ') || 'nothing'}`,
      );
    return 0;
  }
  if (command === 'import') {
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: { 'case-officer': { type: 'string' }, 'state-contact': { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UsageError(USAGE);
    return importVisits(positionals[0]!, values['case-officer'], values['state-contact'], values.json ?? false);
  }
  throw new UsageError(USAGE);
}

function progress(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
  );
}

async function importVisits(
  file: string,
  caseOfficer: string | undefined,
  stateContact: string | undefined,
  json: boolean,
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const { rows, problems } = readVisitsCsv(text, {
    ...(caseOfficer ? { caseOfficer } : {}),
    ...(stateContact ? { stateContact } : {}),
  });
  if (problems.length) {
    for (const p of problems) console.error(`${file}:${p.line}: ${p.message}`);
    console.error(`nothing imported: ${problems.length} bad row(s)`);
    return 1;
  }
  const policy = loadPolicy(loadConfig().FOLLOWUP_POLICY);
  const c = await client();
  // Clocks run from the real dates, so old visits show as overdue; reminders already past are not sent.
  const remindersFrom = new Date();
  const imported: string[] = [];
  const existing: string[] = [];
  for (const [i, row] of rows.entries()) {
    try {
      imported.push((await startVisit(c, row.request, policy, { remindersFrom })).id);
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      existing.push(`${row.request.number}-${row.request.state}`);
    }
    progress(i + 1, rows.length);
  }
  withStore((store) =>
    store.appendAudit({
      at: new Date().toISOString(),
      actor: operator(),
      role: 'operator',
      door: 'cli',
      action: 'import-visits',
      payload: { file, imported, alreadyImported: existing },
      outcome: 'accepted',
    }),
  );
  if (json) console.log(JSON.stringify({ imported, alreadyImported: existing }, null, 2));
  else
    console.log(
      `imported ${imported.length} visit(s)${existing.length ? `; ${existing.length} already imported: ${existing.join(', ')}` : ''}`,
    );
  return 0;
}

run(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    if (e instanceof UsageError) console.error(e.message);
    else if (e instanceof ZodError) console.error(`invalid input: ${describeIssues(e)}`);
    else if (e instanceof WorkflowNotFoundError) console.error('unknown visit: no such visit is being followed up');
    else if (e instanceof WorkflowExecutionAlreadyStartedError)
      console.error('refused: this visit is already being followed up');
    else if (e instanceof WorkflowUpdateFailedError)
      console.error(`refused: ${(e.cause as Error | undefined)?.message ?? e.message}`);
    else console.error((e as Error).message);
    process.exit(e instanceof UsageError ? 2 : 1);
  });

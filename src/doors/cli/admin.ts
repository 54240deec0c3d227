/** `followup policy|outbox|users|audit|digest|check …`: the operator's other tools. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { z } from 'zod';
import { EXIT, type Services } from '../../services';
import { parseOr } from '../../services/errors';
import { print, type Io } from './output';

/** Sets the exit code a command ends with when it succeeded but found a problem (drift, a broken chain). */
export type ExitWith = (code: number) => void;

interface AdminCli {
  program: Command;
  services: Services;
  io: Io;
  exitWith: ExitWith;
}

const json = ['--json', 'JSON output'] as const;

function policyCommands({ program, services, io }: AdminCli): void {
  program
    .command('policy')
    .description('the follow-up policy')
    .command('show')
    .description('the effective policy (what FOLLOWUP_POLICY accepts back, edited or not)')
    .option(...json)
    .action((o: { json?: boolean }) => {
      const policy = services.policy;
      print(io, o.json, policy, () =>
        [
          policy.name,
          ...Object.entries(policy.clocks).map(([k, v]) => `  ${k.padEnd(30)} ${v}`),
          `  working days: ${policy.calendar.name}, ${policy.calendar.holidays.length} holidays` +
            (policy.calendar.coveredUntil ? `, known until ${policy.calendar.coveredUntil}` : ''),
          `  calendar-day deadlines on a closed day: ${policy.deadlinesOnClosedDays ?? 'keep'}`,
        ].join('\n'),
      );
    });
}

function outboxCommands({ program, services, io }: AdminCli): void {
  program
    .command('outbox')
    .description('messages written to the outbox folder (no SMTP_URL)')
    .command('list')
    .description('every message in the outbox, oldest first: date, language, to, subject, file')
    .option(...json)
    .action((o: { json?: boolean }) => {
      const { dir, entries } = services.monitoring.outbox();
      print(io, o.json, entries, () =>
        entries.length
          ? entries
              .map(
                (e) => `${e.date}  ${(e.language || '-').padEnd(5)}  ${e.to}  ${e.subject}\n    ${join(dir, e.file)}`,
              )
              .join('\n')
          : `the outbox (${dir}) is empty`,
      );
    });
}

function usersCommands({ program, services, io }: AdminCli): void {
  const users = program.command('users').description('people with an account (API and dashboard)');
  users
    .command('add')
    .description('add a user; its API token is shown once (only a hash is stored)')
    .requiredOption('--role <role>', 'cted, secretariat, committee, chair, state or partner')
    .requiredOption('--email <email>', "the user's e-mail")
    .option('--state <ISO3>', "a State focal point's State")
    .option('--organisation <ORG>', "a partner's organisation, e.g. UNODC")
    .option(...json)
    .action(async (o: { role: string; email: string; state?: string; organisation?: string; json?: boolean }) => {
      const { user, token } = await services.users.add({
        role: o.role,
        email: o.email,
        ...(o.state !== undefined ? { state: o.state } : {}),
        ...(o.organisation !== undefined ? { organisation: o.organisation } : {}),
      });
      const who = `${user.email} (${user.role}${user.state ? ` ${user.state}` : ''}${user.organisation ? ` ${user.organisation}` : ''})`;
      print(io, o.json, { token }, () => `user ${who} added; API token (shown once):\n${token}`);
    });
  users
    .command('list')
    .description('every user and its role')
    .option(...json)
    .action(async (o: { json?: boolean }) => {
      const list = await services.users.list();
      print(io, o.json, list, () =>
        list
          .map(
            (u) =>
              `${u.email.padEnd(40)} ${u.role}${u.state ? ` ${u.state}` : ''}${u.organisation ? ` ${u.organisation}` : ''}${u.revokedAt ? ` (revoked ${u.revokedAt})` : ''}`,
          )
          .join('\n'),
      );
    });
  users
    .command('revoke')
    .description("stop a user's token and every dashboard session at once (rotate gives a new token)")
    .argument('<email>', "the user's e-mail")
    .option(...json)
    .action(async (email: string, o: { json?: boolean }) => {
      const r = await services.users.revoke(email);
      print(
        io,
        o.json,
        r,
        () => `user ${r.email} revoked: its token and ${r.sessionsEnded} session(s) stop working now`,
      );
    });
  users
    .command('rotate')
    .description('give a user a new API token, shown once; the old one and its sessions stop working')
    .argument('<email>', "the user's e-mail")
    .option(...json)
    .action(async (email: string, o: { json?: boolean }) => {
      const { token } = await services.users.rotate(email);
      print(
        io,
        o.json,
        { token },
        () => `new API token for ${email} (shown once; the old one no longer works):\n${token}`,
      );
    });
  users
    .command('feed')
    .description("the user's personal calendar (.ics) subscription URL")
    .argument('<email>', "the user's e-mail")
    .action(async (email: string) => io.out(await services.users.feedUrl(parseOr(z.email(), email, 'email'))));
}

/** What `audit verify` adds about the anchor (the chain's head kept in Temporal). */
const ANCHOR_NOTE = {
  checked: '; the newest matches the anchor in Temporal',
  none: ' (no anchor in Temporal yet)',
  unavailable: ' (the anchor in Temporal could not be read: entries dropped from the end would not show)',
  unchecked: '',
} as const;

function auditCommands({ program, services, io, exitWith }: AdminCli): void {
  program
    .command('audit')
    .description('the hash-chained audit trail')
    .command('verify')
    .description('check that no entry was changed, removed or reordered (exit 1 when broken)')
    .option(...json)
    .action(async (o: { json?: boolean }) => {
      const r = await services.audit.verify();
      io.out(
        o.json
          ? JSON.stringify(r)
          : r.ok
            ? `audit trail intact: ${r.entries} entries${ANCHOR_NOTE[r.anchor]}`
            : `audit trail BROKEN at entry ${r.brokenAt}: ${r.reason}`,
      );
      if (!r.ok) exitWith(EXIT.refused);
    });
}

function digestCommands({ program, services, io }: AdminCli): void {
  program
    .command('digest')
    .description("the secretariat's scheduled mail")
    .command('send')
    .description('trigger the weekly digest (or, with --annual, the annual reporting-status list) now')
    .option('--annual', 'the annual reporting-status list')
    .action(async (o: { annual?: boolean }) => {
      const id = o.annual ? 'annual-reporting-status' : 'weekly-digest';
      await services.monitoring.triggerDigest(id);
      io.out(`${id}: triggered; the secretariat receives it in a moment`);
    });
}

function checkCommands({ program, services, io, exitWith }: AdminCli): void {
  program
    .command('check')
    .description('consistency checks')
    .command('drift')
    .description("compare the store's read model with Temporal's list of visits (exit 1 when they disagree)")
    .option(...json)
    .action(async (o: { json?: boolean }) => {
      const { drift, inStore } = await services.monitoring.drift();
      print(io, o.json, drift, () =>
        drift.length
          ? drift.map((d) => `${d.id}: ${d.problem}`).join('\n')
          : `no drift: the store agrees with Temporal on ${inStore} visit(s)`,
      );
      if (drift.length) exitWith(EXIT.refused);
    });
}

function backupCommands({ program, services, io }: AdminCli): void {
  const summary = (verb: string, r: { file: string; schemaVersion: number; rows: Record<string, number> }) =>
    `${verb} ${r.file} (schema version ${r.schemaVersion}): ` +
    Object.entries(r.rows)
      .map(([table, n]) => `${n} ${table}`)
      .join(', ');
  program
    .command('backup')
    .description(
      'write the whole store (events, snapshots, messages, users, sessions, audit trail, links) to a new file',
    )
    .argument('<file>', 'the file to create (never overwritten; readable by its owner only)')
    .option(...json)
    .action(async (file: string, o: { json?: boolean }) => {
      const r = await services.operations.backup(file);
      print(io, o.json, r, () => summary('backed up to', r));
    });
  program
    .command('restore')
    .description('restore a backup into an empty store (SQLite or PostgreSQL, whichever the configuration names)')
    .argument('<file>', 'a file `followup backup` wrote')
    .option(...json)
    .action(async (file: string, o: { json?: boolean }) => {
      const r = await services.operations.restore(file);
      print(io, o.json, r, () => summary('restored from', r));
    });
}

export function adminCommands(program: Command, services: Services, io: Io, exitWith: ExitWith): void {
  for (const add of [
    policyCommands,
    outboxCommands,
    usersCommands,
    auditCommands,
    digestCommands,
    checkCommands,
    backupCommands,
  ])
    add({ program, services, io, exitWith });
}

/** `followup calendar show|publish`: the UN Headquarters holiday calendar, and publishing a corrected one to running visits. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError, EXIT, type Operator, type Services } from '../../services';
import { parseOr } from '../../services/errors';
import type { CalendarView, PublishResult } from '../../services/calendar';
import { print, type Io } from './output';

/** A holiday file's JSON, or undefined for the engine's own; an unreadable file is a usage error. */
function readCalendarFile(file: string | undefined): unknown {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('usage', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError('invalid-request', `${file}: not JSON: ${(e as Error).message}`);
  }
}

function showText(v: CalendarView): string {
  const lines = [
    v.calendar,
    `official lists cover working days until ${v.coveredUntil}; past it, weekends only (deadlines there are provisional)`,
    'years:',
    ...v.years.map((y) => {
      const source = [y.circular, y.url].filter(Boolean).join('  ');
      const none = y.status === 'expected' ? '(no list published yet)' : '(circular not found)';
      return `  ${y.year}  ${y.status.padEnd(10)}  ${source || none}`;
    }),
  ];
  if (!v.year) return [...lines, `${v.requestedYear}: not in the file`].join('\n');
  const y = v.year;
  lines.push(`${y.number} (${y.status}): the nine official holidays (closures)`);
  lines.push(...y.closures.map((c) => `  ${c.date}  ${c.name}`));
  lines.push(`${y.number}: floating holidays (the office is open; the Committee avoids meeting)`);
  lines.push(
    ...(y.floating.length
      ? y.floating.map((f) => `  ${f.date}  ${f.name}${f.expected ? '  (expected)' : ''}`)
      : ['  none listed']),
  );
  if (y.source.note) lines.push(`source: ${y.source.note}`);
  return lines.join('\n');
}

function publishText(r: PublishResult): string {
  return [
    `calendar ${r.version} (covered until ${r.coveredUntil}) published to ${r.visits} of ${r.open} open visit(s); ${r.moved} deadline(s) moved`,
    ...(r.already.length ? [`  already on this version: ${r.already.join(', ')}`] : []),
    ...r.failed.map((f) => `  ${f.id}: not taken: ${f.message}`),
  ].join('\n');
}

export function calendarCommands(
  program: Command,
  services: Services,
  io: Io,
  operator: string,
  exitWith: (code: number) => void,
) {
  const calendar = program
    .command('calendar')
    .description('the UN Headquarters working-day calendar: official holidays, floating holidays, coveredUntil');
  calendar
    .command('show')
    .description("the years a holiday file covers, its coveredUntil, and one year's closures and floating days")
    .option('--file <F>', 'a holiday file (default: the engine’s src/infra/policy/un-holidays.json)')
    .option('--year <YYYY>', 'the year to list (default: this year)')
    .option('--json', 'JSON output')
    .action((o: { file?: string; year?: string; json?: boolean }) => {
      const year =
        o.year === undefined ? undefined : parseOr(z.coerce.number().int().min(1900).max(2199), o.year, '--year');
      const view = services.calendar.show(readCalendarFile(o.file), year);
      print(io, o.json, view, () => showText(view));
    });
  calendar
    .command('publish')
    .description(
      'send the calendar to every open visit: each recomputes its working-day deadlines, records that it did and tells anyone whose deadline moved (exit 1 when a visit did not take it)',
    )
    .option('--file <F>', 'a holiday file laid out as src/infra/policy/un-holidays.json (default: that file)')
    .option('--as <email>', 'the person publishing (default FOLLOWUP_OPERATOR)')
    .option('--json', 'JSON output')
    .action(async (o: { file?: string; as?: string; json?: boolean }) => {
      const caller: Operator = { email: parseOr(z.email(), o.as ?? operator, '--as'), role: 'operator' };
      const r = await services.calendar.publish(caller, readCalendarFile(o.file), 'cli', o.file);
      print(io, o.json, r, () => publishText(r));
      if (r.failed.length) exitWith(EXIT.refused);
    });
}

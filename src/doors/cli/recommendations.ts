/**
 * `followup recommendations …`: a visit's file of recommendations, the States' registers, and
 * progress and assessment of one recommendation, as the operator (recorded under `--as`).
 */
import type { Command } from 'commander';
import { z } from 'zod';
import type { VisitStatus } from '../../domain/visit';
import { RecommendationId, stateOfRecommendation } from '../../domain/recommendations/model';
import type { RecommendationView } from '../../domain/recommendations/views';
import { AppError, type Operator, type Services } from '../../services';
import { parseOr } from '../../services/errors';
import { print, type Io } from './output';
import { readText } from './visits';

interface RecommendationsCli {
  recs: Command;
  services: Services;
  io: Io;
  as: (email: string | undefined) => Operator;
}

interface Problem {
  line?: number;
  row?: number;
  field?: string;
  message: string;
}

/** `file:line: field: message` (or `file: row n: …` for JSON), as compilers write it. */
function problemLine(file: string, p: Problem): string {
  const where = p.line !== undefined ? `${file}:${p.line}` : p.row !== undefined ? `${file}: row ${p.row}` : file;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

const after = (s: VisitStatus) =>
  `stage ${s.stage}; allowed now: ${s.allowedActions.map((a) => a.action).join(', ') || 'nothing'}`;

function importCommand({ recs, services, io, as }: RecommendationsCli): void {
  recs
    .command('import')
    .description('record a visit’s recommendations from a file (record-recommendations, with the final draft)')
    .argument('<visit-id>', 'the visit, e.g. 166-POL')
    .argument(
      '<file>',
      'CSV with number,text,theme,priority,ta_need (priority yes/no; optional supersedes), or a JSON array',
    )
    .option('--format <csv|json>', 'the file’s format (default: JSON when it starts with [, else CSV)')
    .option('--note <text>', 'a note for the record')
    .option('--as <email>', 'the person acting (default FOLLOWUP_OPERATOR)')
    .option('--json', 'JSON output: the visit after the action')
    .action(async (visit: string, file: string, o: { format?: string; note?: string; as?: string; json?: boolean }) => {
      const format = o.format === undefined ? undefined : parseOr(z.enum(['csv', 'json']), o.format, '--format');
      const text = readText(file);
      try {
        const s = (await services.recommendations.importFile(as(o.as), 'cli', visit, text, {
          file,
          ...(format ? { format } : {}),
          ...(o.note ? { note: o.note } : {}),
        })) as VisitStatus;
        print(io, o.json, s, () => `${s.id}: recommendations recorded from ${file}; ${after(s)}`);
      } catch (e) {
        if (e instanceof AppError && e.code === 'bad-rows') {
          for (const p of e.extra.problems as Problem[]) io.err(problemLine(file, p));
        }
        throw e;
      }
    });
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** One line per recommendation: id, open/closed, priority, theme, both statuses, TA, the text. */
function table(list: RecommendationView[]): string {
  if (!list.length) return 'no recommendations';
  const head = `${'ID'.padEnd(14)} ${'STATUS'.padEnd(6)} P ${'THEME'.padEnd(28)} ${'REPORTED'.padEnd(21)} ${'ASSESSED'.padEnd(24)} ${'TA'.padEnd(10)} TEXT`;
  const rows = list.map((r) => {
    const whole = 'history' in r ? r : undefined;
    return [
      r.id.padEnd(14),
      (whole?.status ?? '-').padEnd(6),
      r.priority ? '*' : ' ',
      r.theme.padEnd(28),
      (whole?.reportedStatus?.status ?? '-').padEnd(21),
      (whole?.assessedStatus.status ?? '-').padEnd(24),
      (r.ta?.status ?? '-').padEnd(10),
      cut(r.text ?? '', 60),
    ].join(' ');
  });
  return [head, ...rows].join('\n');
}

function listCommand({ recs, services, io, as }: RecommendationsCli): void {
  recs
    .command('list')
    .description('the recommendations of the States’ registers, by visit then number')
    .option('--state <ISO3>', 'only this State’s register')
    .option('--visit <id>', 'only this visit’s recommendations')
    .option('--status <open|closed>', 'only open (or closed) recommendations')
    .option('--priority', 'only priority recommendations')
    .option(
      '--json',
      'JSON output (id, visit, state, text, theme, priority, taNeed, reportedStatus, assessedStatus, history, …)',
    )
    .action(async (o: { state?: string; visit?: string; status?: string; priority?: boolean; json?: boolean }) => {
      const list = await services.recommendations.list(as(undefined), {
        ...(o.state !== undefined ? { state: o.state } : {}),
        ...(o.visit !== undefined ? { visit: o.visit } : {}),
        ...(o.status !== undefined ? { status: o.status } : {}),
        ...(o.priority ? { priority: true } : {}),
      });
      print(io, o.json, list, () => table(list));
    });
}

function reportCommand({ recs, services, io, as }: RecommendationsCli): void {
  recs
    .command('report')
    .description('record the State’s progress on one recommendation (report-progress, on the State’s behalf)')
    .argument('<rec-id>', 'the recommendation, e.g. 166-POL/R12')
    .requiredOption('--status <S>', 'implemented, partially-implemented, in-progress, not-started or not-applicable')
    .option('--text <T>', 'what the State says it did')
    .option('--reference <symbol>', 'the note verbale that carried the report')
    .option('--received-on <YYYY-MM-DD>', 'the day the note verbale was received')
    .option('--as <email>', 'the person acting (default FOLLOWUP_OPERATOR)')
    .option('--json', 'JSON output: the visit after the action')
    .action(
      async (
        rec: string,
        o: { status: string; text?: string; reference?: string; receivedOn?: string; as?: string; json?: boolean },
      ) => {
        const id = parseOr(RecommendationId, rec, 'recommendation id');
        // The operator records the State's word: always on its behalf.
        const s = (await services.recommendations.report(as(o.as), 'cli', id, {
          status: o.status,
          ...(o.text !== undefined ? { text: o.text } : {}),
          onBehalfOf: stateOfRecommendation(id),
          ...(o.reference !== undefined ? { reference: o.reference } : {}),
          ...(o.receivedOn !== undefined ? { receivedOn: o.receivedOn } : {}),
        })) as VisitStatus;
        print(io, o.json, s, () => `${id}: progress reported (${o.status}); ${after(s)}`);
      },
    );
}

function assessCommand({ recs, services, io, as }: RecommendationsCli): void {
  recs
    .command('assess')
    .description('record CTED’s assessment of one recommendation (assess-recommendation)')
    .argument('<rec-id>', 'the recommendation, e.g. 166-POL/R12')
    .requiredOption(
      '--status <S>',
      'implemented, largely-implemented, partially-implemented, not-implemented, no-longer-relevant or insufficient-information',
    )
    .option('--note <N>', 'CTED’s note')
    .option('--as <email>', 'the person acting (default FOLLOWUP_OPERATOR)')
    .option('--json', 'JSON output: the visit after the action')
    .action(async (rec: string, o: { status: string; note?: string; as?: string; json?: boolean }) => {
      const id = parseOr(RecommendationId, rec, 'recommendation id');
      const s = (await services.recommendations.assess(as(o.as), 'cli', id, {
        status: o.status,
        ...(o.note !== undefined ? { note: o.note } : {}),
      })) as VisitStatus;
      print(io, o.json, s, () => `${id}: assessed ${o.status}; ${after(s)}`);
    });
}

export function recommendationsCommand(program: Command, services: Services, io: Io, operator: string): void {
  const recs = program
    .command('recommendations')
    .description('import a visit’s recommendations, list the registers, report progress, assess');
  const as = (email: string | undefined): Operator => ({
    email: parseOr(z.email(), email ?? operator, '--as'),
    role: 'operator',
  });
  for (const add of [importCommand, listCommand, reportCommand, assessCommand]) add({ recs, services, io, as });
}

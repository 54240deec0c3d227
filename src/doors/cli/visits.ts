/** `followup visits …`: start, list, show, act on and import visits, as the operator. */
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import { VisitId } from '../../contract';
import { ACTION_FIELDS, ActionNameSchema } from '../../domain/actions';
import type { VisitStatus } from '../../domain/visit';
import { STAGES, type ActionName } from '../../domain/vocabulary';
import { AppError, type Operator, type Services } from '../../services';
import { MAX_DOCUMENT_BYTES } from '../../services/documents';
import { parseOr } from '../../services/errors';
import { print, progressBar, statusText, type Io } from './output';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `--field key=value` pairs as an action's payload, each field typed as the action declares it. */
export function fieldsFrom(action: ActionName, pairs: string[]): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new AppError('usage', `--field expects key=value, got "${pair}"`);
    const [key, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
    const spec = ACTION_FIELDS[action].find((f) => f.name === key);
    if (!spec) {
      const takes = ACTION_FIELDS[action].map((f) => f.name).join(', ') || 'no fields';
      throw new AppError('usage', `${action} takes no field "${key}"; it takes: ${takes}`);
    }
    payload[key] =
      spec.type === 'string[]'
        ? value.split(',').map((s) => s.trim())
        : spec.type === 'boolean'
          ? value === 'true'
          : spec.type === 'records'
            ? jsonField(key, value)
            : value;
  }
  return payload;
}

/** A list of objects given as JSON on the command line. */
function jsonField(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new AppError(
      'usage',
      `--field ${key} expects a JSON array, e.g. ${key}='[{"recommendation":"166-POL/R1","status":"in-progress"}]'`,
    );
  }
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('usage', `cannot read ${file}: ${(e as Error).message}`);
  }
}

function payloadFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  try {
    return z.record(z.string(), z.unknown()).parse(JSON.parse(readText(file)));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('invalid-request', `${file}: expected a JSON object of the action's fields`);
  }
}

/** What each `visits` subcommand is built with. */
interface VisitsCli {
  visits: Command;
  services: Services;
  io: Io;
  /** The operator recorded as the actor: `--as`, or FOLLOWUP_OPERATOR. */
  as: (email: string | undefined) => Operator;
}

function startCommand({ visits, services, io, as }: VisitsCli): void {
  visits
    .command('start')
    .description('start following up a visit (one Member State)')
    .requiredOption('--number <n>', 'visit number, e.g. 166')
    .requiredOption('--state <ISO3>', 'the Member State, e.g. POL')
    .requiredOption('--type <type>', 'comprehensive, focused, follow-up, regional, …')
    .requiredOption('--start <YYYY-MM-DD>', 'first day of the visit')
    .requiredOption('--end <YYYY-MM-DD>', 'last day of the visit (its physical part): the clocks start here')
    .requiredOption('--case-officer <email>', "CTED's case officer")
    .requiredOption('--state-contact <email>', "the State's focal point")
    .option('--permanent-mission <email>', 'the Permanent Mission (escalations)')
    .option('--state-name <name>', "the State's name")
    .option('--group <id>', 'regional visits: the group id shared by its States')
    .option('--language <code>', 'the official language the State corresponds in: ar, zh, en, fr, ru or es')
    .option('--ordinal <text>', 'which visit to the State this is, e.g. second')
    .option('--partner <ORG>', 'a UN partner in the delegation (repeatable)', collect, [])
    .option('--follows-up <visit-id>', 'the earlier visit to the State this one follows up, e.g. 101-POL')
    .action(async (o: Record<string, string | undefined> & { partner?: string[] }) => {
      const request = {
        number: Number(o.number),
        state: o.state,
        type: o.type,
        start: o.start,
        end: o.end,
        caseOfficer: o.caseOfficer,
        stateContact: o.stateContact,
        ...(o.permanentMission ? { permanentMission: o.permanentMission } : {}),
        ...(o.stateName ? { stateName: o.stateName } : {}),
        ...(o.group ? { groupId: o.group } : {}),
        ...(o.language ? { language: o.language } : {}),
        ...(o.ordinal ? { ordinal: o.ordinal } : {}),
        ...(o.partner?.length ? { partners: o.partner } : {}),
        ...(o.followsUp ? { followsUp: o.followsUp } : {}),
      };
      const { id } = await services.visits.start(as(undefined), 'cli', request);
      io.out(id);
      // The visit starts from the State's recommendations still open: say which.
      const earlier = (await services.visits.status(id)).earlier ?? [];
      if (earlier.length) io.out(`# starts from ${earlier.length} open recommendation(s) of earlier visits:`);
      for (const e of earlier) io.out(`#   ${e.id}${e.priority ? ' (priority)' : ''} [${e.theme}] ${e.text}`);
    });
}

function listCommand({ visits, services, io, as }: VisitsCli): void {
  visits
    .command('list')
    .description('the visits Temporal follows up, from its list of workflows')
    .option('--stage <stage>', `only visits at this stage (${STAGES.join(', ')})`)
    .option('--overdue', 'only visits with something overdue')
    .option('--json', 'JSON output')
    .action(async (o: { stage?: string; overdue?: boolean; json?: boolean }) => {
      const stage = o.stage === undefined ? undefined : parseOr(z.enum(STAGES), o.stage, '--stage');
      const list = await services.visits.list(as(undefined), {
        ...(stage ? { stage } : {}),
        ...(o.overdue ? { overdue: true } : {}),
      });
      print(io, o.json, list, () =>
        list
          .map((v) => {
            const e = v as { id: string; stage: string; nextDeadline: string | null; overdue: boolean };
            return `${e.id.padEnd(10)} ${e.stage.padEnd(17)} ${e.nextDeadline ?? '-'}${e.overdue ? '  OVERDUE' : ''}`;
          })
          .join('\n'),
      );
    });
}

function showCommand({ visits, services, io }: VisitsCli): void {
  visits
    .command('show')
    .description('a visit: stage, open items and deadlines, allowed actions, history')
    .argument('<id>', 'the visit, e.g. 166-POL')
    .option('--json', 'JSON output (id, stage, openItems, allowedActions, history, reminders, …)')
    .action(async (id: string, o: { json?: boolean }) => {
      const status = await services.visits.status(parseOr(VisitId, id, 'visit id'));
      print(io, o.json, status, () => statusText(status));
    });
}

function actCommand({ visits, services, io, as }: VisitsCli): void {
  visits
    .command('act')
    .description('take an action on a visit (recorded with --as as the actor)')
    .argument('<id>', 'the visit, e.g. 166-POL')
    .argument('<action>', 'the action, e.g. submit-draft')
    .option('--as <email>', 'the person acting (default FOLLOWUP_OPERATOR)')
    .option('--field <key=value>', "one of the action's fields (repeatable; lists comma-separated)", collect, [])
    .option('--file <payload.json>', "the action's fields from a JSON file")
    .option('--json', 'JSON output: the visit after the action')
    .action(async (id: string, name: string, o: { as?: string; field: string[]; file?: string; json?: boolean }) => {
      const visitId = parseOr(VisitId, id, 'visit id');
      const action = parseOr(ActionNameSchema, name, 'action');
      const payload = { ...payloadFile(o.file), ...fieldsFrom(action, o.field) };
      const after = (await services.visits.act(as(o.as), 'cli', visitId, action, payload)) as VisitStatus;
      print(io, o.json, after, () => {
        const allowed = after.allowedActions.map((a) => a.action).join(', ') || 'nothing';
        return `${visitId}: ${action} recorded; stage ${after.stage}; allowed now: ${allowed}`;
      });
    });
}

function importCommand({ visits, services, io, as }: VisitsCli): void {
  visits
    .command('import')
    .description('import visits from a CSV (the columns of ../shared/data/ctc-visits-2018-2019.csv)')
    .argument('<csv>', 'the CSV file')
    .option('--case-officer <email>', 'case officer of rows without a case_officer column')
    .option('--state-contact <email>', 'State contact of rows without one; {iso3} is replaced by the State')
    .option('--permanent-mission <email>', 'Permanent Mission of rows without one; {iso3} is replaced by the State')
    .option('--json', 'JSON output: imported and alreadyImported')
    .action(
      async (
        file: string,
        o: { caseOfficer?: string; stateContact?: string; permanentMission?: string; json?: boolean },
      ) => {
        const req = {
          csv: readText(file),
          file,
          ...(o.caseOfficer ? { caseOfficer: o.caseOfficer } : {}),
          ...(o.stateContact ? { stateContact: o.stateContact } : {}),
          ...(o.permanentMission ? { permanentMission: o.permanentMission } : {}),
        };
        try {
          const r = await services.imports.importCsv(as(undefined), 'cli', req, progressBar(io));
          print(io, o.json, r, () => {
            const already = r.alreadyImported.length
              ? `; ${r.alreadyImported.length} already imported: ${r.alreadyImported.join(', ')}`
              : '';
            return `imported ${r.imported.length} visit(s)${already}`;
          });
        } catch (e) {
          if (e instanceof AppError && e.code === 'bad-rows') {
            for (const p of e.extra.problems as { line: number; message: string }[])
              io.err(`${file}:${p.line}: ${p.message}`);
          }
          throw e;
        }
      },
    );
}

/** The media type of a document's file, from its extension. */
const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.rtf': 'application/rtf',
  '.txt': 'text/plain',
  '.zip': 'application/zip',
};

function documentCommand({ visits, services, io, as }: VisitsCli): void {
  visits
    .command('document')
    .description('give the engine a document a step carries: its messages attach it (or link to it when big)')
    .argument('<id>', 'the visit, e.g. 166-POL')
    .argument('<kind>', 'pao, draft (the draft report) or report (the adopted report)')
    .argument('<file>', `the file (at most ${MAX_DOCUMENT_BYTES} bytes)`)
    .option('--as <email>', 'the person giving it (default FOLLOWUP_OPERATOR)')
    .option('--name <file-name>', "the name recipients see (default: the file's)")
    .option('--media-type <type>', "its media type (default: from the file's extension)")
    .option('--json', 'JSON output: id, kind, fileName, size, sha256')
    .action(
      async (
        id: string,
        kind: string,
        file: string,
        o: { as?: string; name?: string; mediaType?: string; json?: boolean },
      ) => {
        const visitId = parseOr(VisitId, id, 'visit id');
        let content: Buffer;
        try {
          // Refused before it is read: a document is at most MAX_DOCUMENT_BYTES.
          if (statSync(file).size > MAX_DOCUMENT_BYTES)
            throw new AppError('invalid-request', `${file}: a document is limited to ${MAX_DOCUMENT_BYTES} bytes`);
          content = readFileSync(file);
        } catch (e) {
          if (e instanceof AppError) throw e;
          throw new AppError('usage', `cannot read ${file}: ${(e as Error).message}`);
        }
        const body = {
          kind,
          fileName: o.name ?? basename(file),
          mediaType: o.mediaType ?? MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          contentBase64: content.toString('base64'),
        };
        const added = await services.documents.add(as(o.as), 'cli', visitId, body);
        print(
          io,
          o.json,
          added,
          () =>
            `${visitId}: ${added.kind} ${added.fileName} kept (${added.size} bytes, sha256 ${added.sha256}), id ${added.id}`,
        );
      },
    );
}

function documentsCommand({ visits, services, io, as }: VisitsCli): void {
  visits
    .command('documents')
    .description("list a visit's documents, oldest first, with their ids and any withdrawal")
    .argument('<id>', 'the visit, e.g. 166-POL')
    .option('--as <email>', 'the person asking (default FOLLOWUP_OPERATOR)')
    .option('--json', 'JSON output: one object per document')
    .action(async (id: string, o: { as?: string; json?: boolean }) => {
      const visitId = parseOr(VisitId, id, 'visit id');
      const docs = await services.documents.list(as(o.as), visitId);
      print(io, o.json, docs, () =>
        docs.length === 0
          ? `${visitId}: no documents`
          : docs
              .map(
                (d) =>
                  `${d.id}  ${d.kind.padEnd(6)} ${d.fileName} (${d.size} bytes) added ${d.addedAt} by ${d.addedBy}` +
                  (d.withdrawn ? ` — withdrawn ${d.withdrawn.at} by ${d.withdrawn.by}: ${d.withdrawn.reason}` : ''),
              )
              .join('\n'),
      );
    });
}

function withdrawDocumentCommand({ visits, services, io, as }: VisitsCli): void {
  visits
    .command('withdraw-document')
    .description('withdraw a document: its download links stop working and messages no longer carry it')
    .argument('<id>', 'the visit, e.g. 166-POL')
    .argument('<document-id>', 'the document, as `followup visits documents` lists it')
    .requiredOption('--reason <text>', 'why it is withdrawn (kept in the audit trail)')
    .option('--as <email>', 'the person withdrawing it (default FOLLOWUP_OPERATOR)')
    .option('--json', 'JSON output: the document with its withdrawal')
    .action(async (id: string, documentId: string, o: { as?: string; reason: string; json?: boolean }) => {
      const visitId = parseOr(VisitId, id, 'visit id');
      const doc = await services.documents.withdraw(as(o.as), 'cli', visitId, documentId, { reason: o.reason });
      print(
        io,
        o.json,
        doc,
        () => `${visitId}: ${doc.kind} ${doc.fileName} withdrawn ${doc.withdrawn?.at ?? ''}; its links no longer work`,
      );
    });
}

export function visitsCommand(program: Command, services: Services, io: Io, operator: string): void {
  const visits = program
    .command('visits')
    .description('start, list, show, act on and import visits, and give them their documents');
  const as = (email: string | undefined): Operator => ({
    email: parseOr(z.email(), email ?? operator, '--as'),
    role: 'operator',
  });
  for (const add of [
    startCommand,
    listCommand,
    showCommand,
    actCommand,
    importCommand,
    documentCommand,
    documentsCommand,
    withdrawDocumentCommand,
  ])
    add({ visits, services, io, as });
}

/**
 * Activities: the only place the follow-up touches the world. Built by a factory from their
 * dependencies, so tests give them a real store and a real SMTP server, and only the worker entry
 * builds the production ones.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { registerChangeSignal, registerWorkflowIdOf, TASK_QUEUE } from '../src/contract';
import { RegisterChange } from '../src/domain/recommendations/model';
import { correspondentsFor, emailsOf, type Directory } from '../src/infra/directory';
import { newYorkDate } from '../src/domain/calendar';
import { calendarText, recipientsOf, renderNotice } from '../src/i18n/correspondence';
import { noticeCalendar } from '../src/infra/ics';
import { documentFor } from './documents';
import {
  annualReportingStatus,
  annualStateProgress,
  annualText,
  digest,
  digestText,
  type Snapshot,
} from '../src/domain/monitoring';
import type { Notice } from '../src/domain/visit';
import type { Language, Recipient } from '../src/domain/vocabulary';
import { LINK_ACTIONS, linkLabel, type DocumentLinkIssuer, type LinkIssuer } from '../src/infra/links';
import { messageIdFor, type MailAttachment, type Mailer } from '../src/infra/mail';
import type { EventBatch, Store, StoredDocument } from '../src/infra/store/store';
import { recordsOfStates } from '../src/infra/temporal/register-records';

export interface ActivityDeps {
  store: Store;
  mailer: Mailer;
  directory: Directory;
  /** The From address of every message (MAIL_FROM). */
  from: string;
  clock?: () => Date;
  log?: (message: string) => void;
  /** Signed links for State contacts ("submit your comments"); none when the API is not served. */
  links?: LinkIssuer;
  /** Signed links to the documents a message carries when they are too big to attach (see ./documents). */
  documentLinks?: DocumentLinkIssuer;
  /** The effective policy's calendar: the weekly digest warns when it ends within 12 months of an open deadline. */
  calendar?: { coveredUntil?: string | undefined };
  /** The worker's client: visits feed their State's register (a workflow) through it. */
  temporal?: Client;
  /** Told of each message the mail server did not take (the activity then fails and is retried). */
  onSendFailure?: (kind: string, error: unknown) => void;
}

export interface NotifyResult {
  sent: string[];
  alreadySent: string[];
  /** Recipient roles with no address (e.g. no Permanent Mission on file, or an unknown partner). */
  unresolved: string[];
}

type Clock = () => Date;
type Digest = { kind: 'weekly-digest' | 'annual-reporting-status'; key: string };

/** One message, sent once: a key already in the store is not sent again. */
interface Delivery {
  key: string;
  noticeKey: string;
  visitId: string;
  topic: string;
  kind: string;
  to: string;
  rendered: { subject: string; text: string; html: string };
  headers: Record<string, string>;
  /** The language it is written in (its Content-Language). */
  language?: string;
  attachments?: MailAttachment[];
}

/** Sends a message unless its key was sent before, then records it; true when it was sent now. */
async function deliverOnce(deps: ActivityDeps, clock: Clock, d: Delivery): Promise<boolean> {
  if (await deps.store.wasSent(d.key)) return false;
  const messageId = messageIdFor(d.key);
  try {
    await deps.mailer.send({
      from: deps.from,
      to: d.to,
      ...d.rendered,
      messageId,
      headers: d.headers,
      ...(d.language ? { language: d.language } : {}),
      ...(d.attachments?.length ? { attachments: d.attachments } : {}),
    });
  } catch (e) {
    deps.onSendFailure?.(d.kind, e);
    throw e;
  }
  const record = {
    key: d.key,
    noticeKey: d.noticeKey,
    visitId: d.visitId,
    topic: d.topic,
    kind: d.kind,
    recipient: d.to,
    subject: d.rendered.subject,
    messageId,
    sentAt: clock().toISOString(),
  };
  // The message is out: a store that is briefly away (a database restart) must not make the retry
  // send it again, so the record is retried here first, within a bound, before the activity fails.
  const giveUpAt = Date.now() + RECORD_RETRY_MS;
  for (let delay = 200; ; delay = Math.min(delay * 2, 4_000)) {
    try {
      await deps.store.recordSent(record);
      return true;
    } catch (e) {
      if (Date.now() + delay > giveUpAt) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * How long a sent message's record is retried before its activity fails: well inside the activity's
 * one-minute timeout (a timed-out attempt that goes on would race its own retry).
 */
const RECORD_RETRY_MS = 20_000;

/** The annual list's text; with a client, each State's register counted too (recommendations, TA needs). */
async function annualListText(deps: ActivityDeps, snapshots: Snapshot[], now: number): Promise<string> {
  const listed = annualReportingStatus(snapshots, now);
  if (!deps.temporal) return annualText(listed, now);
  const records = await recordsOfStates(
    deps.temporal,
    listed.map((r) => r.state),
  );
  const rows = annualReportingStatus(snapshots, now, undefined, records);
  return annualText(rows, now, annualStateProgress(rows, records));
}

/** The weekly digest or the annual list, from the read model, to the secretariat, once per scheduled run. */
async function sendDigest(deps: ActivityDeps, clock: Clock, req: Digest): Promise<string[]> {
  const now = clock().getTime();
  const snapshots = await deps.store.snapshots();
  const [subject, text] =
    req.kind === 'weekly-digest'
      ? [
          `Visit follow-up: weekly digest, ${newYorkDate(now)}`,
          digestText(digest(snapshots, now, 14, deps.calendar), now),
        ]
      : [`Reporting status of visited States, ${newYorkDate(now)}`, await annualListText(deps, snapshots, now)];
  const html = `<!doctype html><html lang="en"><body><pre>${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre></body></html>`;
  const secretariat = emailsOf(deps.directory.secretariat);
  for (const to of secretariat) {
    const headers = { 'X-Follow-Up-Topic': req.kind };
    const delivery = { key: `${req.key}|${to}`, noticeKey: req.key, visitId: '-', topic: req.kind, kind: 'digest' };
    await deliverOnce(deps, clock, { ...delivery, to, rendered: { subject, text, html }, headers });
  }
  if (!secretariat.length) deps.log?.(`${req.kind}: no secretariat address in the directory`);
  return secretariat;
}

const stateFacing = (role: Recipient) => role === 'state-contact' || role === 'permanent-mission';

/** The signed links a State-facing message carries ("Submit your comments"), in the reader's language; none for anyone else. */
function linksFor(deps: ActivityDeps, notice: Notice, role: Recipient, address: string, language: Language) {
  if (!stateFacing(role) || !deps.links) return [];
  const issuer = deps.links;
  return (LINK_ACTIONS[notice.topic] ?? []).map((l) => ({
    label: linkLabel(l.action, language),
    url: issuer.forState(notice.visit.id, notice.visit.state, address, l.action, language),
  }));
}

/** One message of a notice, to one person, in its language and register. */
async function compose(
  deps: ActivityDeps,
  notice: Notice,
  role: Recipient,
  to: { email: string; language: Language },
  read: Map<string, Promise<StoredDocument | undefined>>,
) {
  // The deadline travels as a calendar event: the feed's, so an extension moves the same event.
  const calendar =
    notice.item && notice.deadline ? noticeCalendar(notice, calendarText(notice, to.language)) : undefined;
  // The step's document: attached, behind a signed link, or named by its reference; never claimed otherwise.
  const document = await documentFor({ ...deps, read }, notice, to.email, role);
  const {
    language,
    register,
    sender: _sender,
    ...rendered
  } = renderNotice(notice, {
    language: to.language,
    role,
    links: linksFor(deps, notice, role, to.email, to.language),
    ...(calendar ? { calendarFile: calendar.filename } : {}),
    ...(document.line ? { document: document.line } : {}),
  });
  const headers = {
    'X-Visit-Id': notice.visit.id,
    'X-Follow-Up-Topic': notice.topic,
    'X-Follow-Up-Register': register,
  };
  return { rendered, headers, language, attachments: [...(calendar ? [calendar] : []), ...document.attachments] };
}

/**
 * Sends a notice: one message per address, each in its reader's language (the State's people read
 * the visit's; the directory says everyone else's) and register (a note verbale to a Permanent
 * Mission, an e-mail to a person). Each message is keyed by notice key and address; a key already in
 * the store is not sent again, so at-least-once execution never doubles a reminder.
 */
async function notify(deps: ActivityDeps, clock: Clock, notice: Notice): Promise<NotifyResult> {
  const result: NotifyResult = { sent: [], alreadySent: [], unresolved: [] };
  const seen = new Set<string>();
  const read = new Map<string, Promise<StoredDocument | undefined>>();
  for (const role of recipientsOf(notice)) {
    const people = correspondentsFor(role, notice.visit, deps.directory);
    if (people.length === 0) result.unresolved.push(role);
    // Addresses compare without case: one person, one message.
    for (const person of people.filter((p) => !seen.has(p.email.toLowerCase()))) {
      seen.add(person.email.toLowerCase());
      const key = `${notice.key}|${person.email}`;
      if (await deps.store.wasSent(key)) {
        result.alreadySent.push(person.email);
        continue;
      }
      const message = await compose(deps, notice, role, person, read);
      await deliverOnce(deps, clock, {
        ...message,
        key,
        noticeKey: notice.key,
        visitId: notice.visit.id,
        topic: notice.topic,
        kind: notice.kind,
        to: person.email,
      });
      result.sent.push(person.email);
    }
  }
  if (result.unresolved.length) deps.log?.(`notice ${notice.key}: no address for ${result.unresolved.join(', ')}`);
  return result;
}

/**
 * Sends a visit's change to its State's register, starting the register if it has none yet. The
 * register applies each key once, so a retry (after a worker crash, say) changes nothing. It runs
 * on the task queue of the worker feeding it (the visits' queue).
 */
async function feedRegister(deps: ActivityDeps, req: { state: string; change: RegisterChange }): Promise<void> {
  if (!deps.temporal) {
    throw ApplicationFailure.nonRetryable(
      'feedRegister: this worker was built without a Temporal client (ActivityDeps.temporal), so it cannot reach the register',
      'NoTemporalClient',
    );
  }
  const change = RegisterChange.safeParse(req.change);
  if (!/^[A-Z]{3}$/.test(req.state) || !change.success) {
    const why = change.success ? `state ${JSON.stringify(req.state)} is not an ISO3 code` : change.error.message;
    throw ApplicationFailure.nonRetryable(`feedRegister: ${why}`, 'InvalidRegisterChange');
  }
  const taskQueue = asyncLocalStorage.getStore()?.info.taskQueue ?? TASK_QUEUE;
  await deps.temporal.workflow.signalWithStart('stateRegister', {
    workflowId: registerWorkflowIdOf(req.state),
    taskQueue,
    args: [{ state: req.state }],
    signal: registerChangeSignal,
    signalArgs: [change.data],
  });
}

export function createActivities(deps: ActivityDeps) {
  const clock: Clock = deps.clock ?? (() => new Date());
  return {
    /** Appends a workflow's events to the store; idempotent on retries and replays. */
    async recordEvents(batch: EventBatch): Promise<number> {
      return deps.store.appendEvents(batch, clock());
    },
    /** The secretariat's scheduled mail, keyed by the scheduled run: a retry never sends it twice. */
    sendDigest: (req: Digest): Promise<string[]> => sendDigest(deps, clock, req),
    /** A notice to the people it names, each message once. */
    notify: (notice: Notice): Promise<NotifyResult> => notify(deps, clock, notice),
    /** One change to a State's register, applied there once. */
    feedRegister: (req: { state: string; change: RegisterChange }): Promise<void> => feedRegister(deps, req),
  };
}

export type VisitActivities = ReturnType<typeof createActivities>;

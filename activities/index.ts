/**
 * Activities: the only place the follow-up touches the world. Built by a factory from their
 * dependencies, so tests give them a real store and a real SMTP server, and only the worker entry
 * builds the production ones.
 */
import { addressesFor, type Directory } from '../src/infra/directory';
import { newYorkDate } from '../src/domain/calendar';
import { renderNotice } from '../src/domain/messages';
import { annualReportingStatus, annualText, digest, digestText } from '../src/domain/monitoring';
import type { Notice } from '../src/domain/visit';
import type { Language } from '../src/domain/vocabulary';
import { LINK_ACTIONS, type LinkIssuer } from '../src/infra/links';
import { messageIdFor, type Mailer } from '../src/infra/mail';
import type { EventBatch, Store } from '../src/infra/store/store';

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
}

export interface NotifyResult {
  sent: string[];
  alreadySent: string[];
  /** Recipient roles with no address (e.g. no Permanent Mission on file, or an unknown partner). */
  unresolved: string[];
}

export function createActivities(deps: ActivityDeps) {
  const sendOnce = async (key: string, visitId: string, topic: string, to: string, subject: string, text: string) => {
    const messageKey = `${key}|${to}`;
    if (deps.store.wasSent(messageKey)) return false;
    const messageId = messageIdFor(messageKey);
    const html = `<!doctype html><html lang="en"><body><pre>${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre></body></html>`;
    await deps.mailer.send({
      from: deps.from,
      to,
      subject,
      text,
      html,
      messageId,
      headers: { 'X-Follow-Up-Topic': topic },
    });
    deps.store.recordSent({
      key: messageKey,
      noticeKey: key,
      visitId,
      topic,
      kind: 'digest',
      recipient: to,
      subject,
      messageId,
      sentAt: clock().toISOString(),
    });
    return true;
  };
  const clock = deps.clock ?? (() => new Date());
  return {
    /** Appends a workflow's events to the store; idempotent on retries and replays. */
    async recordEvents(batch: EventBatch): Promise<number> {
      return deps.store.appendEvents(batch, clock());
    },

    /**
     * The weekly digest or the annual reporting-status list, from the read model, to the
     * secretariat. Keyed by the scheduled run: a retry never sends it twice.
     */
    async sendDigest(req: { kind: 'weekly-digest' | 'annual-reporting-status'; key: string }): Promise<string[]> {
      const now = clock().getTime();
      const snapshots = deps.store.snapshots();
      const [subject, text] =
        req.kind === 'weekly-digest'
          ? [`Visit follow-up: weekly digest, ${newYorkDate(now)}`, digestText(digest(snapshots, now), now)]
          : [
              `Reporting status of visited States, ${newYorkDate(now)}`,
              annualText(annualReportingStatus(snapshots, now), now),
            ];
      const sent: string[] = [];
      for (const to of deps.directory.secretariat) {
        await sendOnce(req.key, '-', req.kind, to, subject, text);
        sent.push(to);
      }
      if (!sent.length) deps.log?.(`${req.kind}: no secretariat address in the directory`);
      return sent;
    },

    /**
     * Sends a notice: one message per address, in the recipient's language (State contacts get the
     * visit's language). Each message is keyed by notice key and address; a key already in the
     * store is not sent again, so at-least-once execution never doubles a reminder.
     */
    async notify(notice: Notice): Promise<NotifyResult> {
      const result: NotifyResult = { sent: [], alreadySent: [], unresolved: [] };
      const seen = new Set<string>();
      for (const role of notice.to) {
        const addresses = addressesFor(role, notice.visit.contacts, deps.directory);
        if (addresses.length === 0) result.unresolved.push(role);
        const language: Language =
          role === 'state-contact' || role === 'permanent-mission' ? notice.visit.language : 'en';
        for (const address of addresses) {
          if (seen.has(address)) continue;
          seen.add(address);
          const key = `${notice.key}|${address}`;
          if (deps.store.wasSent(key)) {
            result.alreadySent.push(address);
            continue;
          }
          const stateFacing = role === 'state-contact' || role === 'permanent-mission';
          const links =
            stateFacing && deps.links
              ? (LINK_ACTIONS[notice.topic] ?? []).map((l) => ({
                  label: l.label,
                  url: deps.links!.forState(notice.visit.id, notice.visit.state, address, l.action),
                }))
              : [];
          const rendered = renderNotice(notice, language, links);
          const messageId = messageIdFor(key);
          await deps.mailer.send({
            from: deps.from,
            to: address,
            ...rendered,
            messageId,
            headers: { 'X-Visit-Id': notice.visit.id, 'X-Follow-Up-Topic': notice.topic },
          });
          deps.store.recordSent({
            key,
            noticeKey: notice.key,
            visitId: notice.visit.id,
            topic: notice.topic,
            kind: notice.kind,
            recipient: address,
            subject: rendered.subject,
            messageId,
            sentAt: clock().toISOString(),
          });
          result.sent.push(address);
        }
      }
      if (result.unresolved.length) deps.log?.(`notice ${notice.key}: no address for ${result.unresolved.join(', ')}`);
      return result;
    },
  };
}

export type VisitActivities = ReturnType<typeof createActivities>;

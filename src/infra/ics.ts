/** iCalendar (RFC 5545) files, on ical-generator: escaping and line folding come from the library. */
import ical, { ICalCalendarMethod } from 'ical-generator';
import type { Notice } from '../domain/visit';
import type { MailAttachment } from './mail';

/** One deadline as a calendar event. */
export interface CalendarEvent {
  /** Stable across fetches, so a moved deadline updates the same event in the subscriber's calendar. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  /** Grows when the event changes, so clients take the newer version. */
  sequence: number;
}

/** What makes a deadline's event: the visit, the item, the deadline (an ISO instant), and its words. */
export interface DeadlineEventInput {
  visitId: string;
  item: string;
  deadline: string;
  summary: string;
  description: string;
}

/** The event's length: it ends at the deadline. */
const EVENT_MS = 3_600_000;

/**
 * The one place a deadline becomes a calendar event, for the feed and for the `.ics` a message
 * carries alike: the same UID for the visit's item whatever the deadline, an hour ending at the
 * deadline, and a SEQUENCE that grows when the deadline moves later.
 */
export function deadlineEvent({ visitId, item, deadline, summary, description }: DeadlineEventInput): CalendarEvent {
  const due = Date.parse(deadline);
  return {
    uid: `${visitId}-${item}@visit-follow-up`,
    start: new Date(due - EVENT_MS),
    end: new Date(due),
    summary,
    description,
    // Minutes since 2020: grows when a deadline moves later, fits the 32-bit field for millennia.
    sequence: Math.max(0, Math.floor((due - Date.UTC(2020, 0, 1)) / 60_000)),
  };
}

/**
 * A published calendar (METHOD:PUBLISH) of events, stamped at `now`. A feed has a name
 * (X-WR-CALNAME); a single event sent with a message has none, so clients add the event to the
 * calendar the person uses instead of offering a new calendar.
 */
export function calendarFile(name: string | null, events: CalendarEvent[], now: Date): string {
  const calendar = ical({
    ...(name !== null ? { name } : {}),
    prodId: '//CTC visit follow-up//Visit follow-up engine//EN',
    method: ICalCalendarMethod.PUBLISH,
    scale: 'gregorian',
  });
  for (const e of events) {
    calendar.createEvent({
      id: e.uid,
      stamp: now,
      start: e.start,
      end: e.end,
      summary: e.summary,
      description: e.description,
      sequence: e.sequence,
    });
  }
  // RFC 5545 ends every content line with CRLF, the last one too.
  return `${calendar.toString().replace(/\r\n$/, '')}\r\n`;
}

/** The content type of a message's `.ics`: a published event, not an invitation to answer. */
export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8; method=PUBLISH';

/** The feed's English words for a notice's deadline when the caller gives none. */
function englishText(notice: Notice, item: string, deadline: string): { summary: string; description: string } {
  const v = notice.visit;
  return {
    summary: `${v.id} ${v.stateName ?? v.state}: ${item} due`,
    description: `Visit ${v.id} (${v.type}). Deadline ${deadline}.`,
  };
}

/**
 * The `.ics` a message about a deadline carries: one event, the very event of the calendar feed
 * for the visit's item (same UID, start, end and SEQUENCE), in the words the caller gives (the
 * recipient's language). None for a notice without an item or a deadline. Stamped at the notice's
 * time, so a retried send attaches the same bytes.
 */
export function noticeCalendar(
  notice: Notice,
  text?: { summary: string; description: string },
): MailAttachment | undefined {
  const { item, deadline } = notice;
  if (!item || !deadline) return undefined;
  const words = text ?? englishText(notice, item, deadline);
  const event = deadlineEvent({
    visitId: notice.visit.id,
    item,
    deadline,
    summary: words.summary,
    description: words.description,
  });
  const stamp = Number.isNaN(Date.parse(notice.at)) ? new Date() : new Date(notice.at);
  return {
    filename: 'deadline.ics',
    content: calendarFile(null, [event], stamp),
    contentType: ICS_CONTENT_TYPE,
  };
}

/** iCalendar (RFC 5545) files, on ical-generator: escaping and line folding come from the library. */
import ical, { ICalCalendarMethod } from 'ical-generator';

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

/** A published calendar (METHOD:PUBLISH) of events, stamped at `now`. */
export function calendarFile(name: string, events: CalendarEvent[], now: Date): string {
  const calendar = ical({
    name,
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

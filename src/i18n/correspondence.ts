/**
 * The words of every notice, in the recipient's language and in the register its recipient
 * expects: a note verbale, in the third person, to a Permanent Mission; a courteous e-mail to
 * people (focal points, Committee members, partners, staff). Every word comes from the catalogue
 * (`src/i18n/messages/<language>.json`); this module only chooses the messages and their values.
 * Pure: no I/O, so a snapshot test reads exactly what a recipient reads.
 */
import { calendarRange, direction, format, hasKey, listOf, type Values } from './catalogue';
import { missionOf, stateName } from './states';
import type { Notice } from '../domain/visit';
import type { Language, Recipient } from '../domain/vocabulary';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** The two registers: the note verbale (to a Permanent Mission) and the e-mail (to a person). */
export type Register = 'note-verbale' | 'email';

/** Who writes: CTED, the Chair (what the Chair transmits), or the Committee's secretariat. */
export type Sender = 'cted' | 'chair' | 'secretariat';

/** How a reminder speaks to its reader: the ladder climbs in tone as well as in recipients. */
export type Audience = 'state' | 'mission' | 'partner' | 'internal' | 'escalated';

/** A link the recipient can follow to take the step the message asks for. */
export interface MessageLink {
  label: string;
  url: string;
}

/** The document a step carries, as the message may honestly describe it. */
export type DocumentLine =
  | { mode: 'attached'; name: string }
  | { mode: 'link'; name: string; url: string; expires: string }
  | { mode: 'reference'; reference: string };

export interface RenderOptions {
  language: Language;
  /** The recipient's role: it chooses the register and the tone. */
  role: Recipient;
  links?: MessageLink[];
  document?: DocumentLine;
  /** The name of the attached `.ics`, when the message carries one. */
  calendarFile?: string;
}

/** What the Chair transmits; what the secretariat runs (the Committee's procedure). The rest is CTED's. */
const CHAIR_TOPICS = new Set(['report-transmitted', 'briefing-invitation']);
const SECRETARIAT_TOPICS = new Set([
  'no-objection-procedure',
  'hold-placed',
  'hold-lifted',
  'objection-raised',
  'report-adopted',
  'consent-recorded',
]);

export const senderOf = (topic: string): Sender =>
  CHAIR_TOPICS.has(topic) ? 'chair' : SECRETARIAT_TOPICS.has(topic) ? 'secretariat' : 'cted';

/**
 * Formal correspondence with the State: these go to its Permanent Mission too (as a note verbale),
 * when the visit has one on file, besides the focal point's e-mail.
 */
export const FORMAL_TOPICS: ReadonlySet<string> = new Set([
  'draft-dispatched',
  'extension-granted',
  'extension-refused',
  'report-transmitted',
  'implementation-report-requested',
  'briefing-invitation',
]);

/** The roles a notice is written to: the Mission joins the focal point on formal correspondence. */
export function recipientsOf(n: Notice): Recipient[] {
  const formal = n.kind === 'event' && FORMAL_TOPICS.has(n.topic) && n.to.includes('state-contact');
  return formal && n.visit.contacts.permanentMission && !n.to.includes('permanent-mission')
    ? [...n.to, 'permanent-mission']
    : n.to;
}

export const registerOf = (role: Recipient): Register => (role === 'permanent-mission' ? 'note-verbale' : 'email');

export function audienceOf(role: Recipient, n: Notice): Audience {
  if (role === 'permanent-mission') return 'mission';
  if (role === 'state-contact') return 'state';
  if (role === 'partners' || role.startsWith('partner:')) return 'partner';
  if (role === 'secretariat' || role === 'cted-management') return 'escalated';
  // A partner's silence reaches the case officer only by escalation.
  if (n.item === 'ta-response') return 'escalated';
  return 'internal';
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const instant = (iso: unknown): Date | undefined => (typeof iso === 'string' && iso ? new Date(iso) : undefined);
/** A calendar day (YYYY-MM-DD) as noon in New York, so `{x, date, long}` writes that day. */
const day = (d: unknown): Date | undefined =>
  typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T17:00:00Z`) : instant(d);
const yes = (b: unknown) => (b ? 'yes' : 'no');
/** A code as an ICU select case: keywords cannot hold hyphens, so `follow-up` is `follow_up` there. */
const sel = (code: unknown): string => str(code).replace(/-/g, '_') || 'other';
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** The values every message may use: the visit, the State, the deadline, who writes. */
function common(n: Notice, lang: Language, sender: Sender): Values {
  const state = stateName(n.visit.state, lang, n.visit.stateName);
  const t = (key: string, v: Values = {}) => format('messages', lang, key, v);
  return {
    visit: n.visit.id,
    state,
    dates: calendarRange(n.visit.start, n.visit.end, lang),
    kind: t('visit.kind', { type: sel(n.visit.type) }),
    item: t('item', { item: sel(n.item) }),
    deadline: instant(n.deadline),
    who: sender,
    mission: missionOf(n.visit.state, lang) ?? t('nv.missionFallback', { state }),
  };
}

/** The values only some topics use, from the notice's details, in the recipient's language. */
function topicValues(n: Notice, lang: Language): Values {
  const d = n.details ?? {};
  const t = (key: string, v: Values = {}) => format('messages', lang, key, v);
  const sections = asList(d.sections);
  // Sentences run on with a space, except in Chinese.
  const gap = lang === 'zh' ? '' : ' ';
  const extra =
    (sections.length ? `${t('consent.sections', { sections: listOf(sections, lang) })}${gap}` : '') +
    (d.priorityTaNeedsOnly ? `${t('consent.priorityOnly')}${gap}` : '');
  // Progress items arrive as "<id>: <status>"; the status is a code, written out in the language.
  const progress = asList(d.recommendations).map((r) => {
    const m = /^(.*): ([a-z-]+)$/.exec(r);
    return m ? t('progress.item', { recommendation: m[1], status: t('status.reported', { status: sel(m[2]) }) }) : r;
  });
  return {
    reason: str(d.reason) || '—',
    remaining: yes(n.topic === 'hold-lifted' && !n.deadline),
    followUp: yes(d.followUpReportDue),
    followUpDue: instant(d.followUpReportDue),
    scope: t('consent.scope', { scope: sel(d.scope) }),
    extra,
    needs: str(d.needs),
    answer: yes(n.deadline),
    recommendations: listOf(progress, lang),
    partner: str(d.partner),
    recommendation: str(d.recommendation),
    response: t('status.ta', { status: sel(d.response) }),
    status: t('status.ta', { status: sel(d.status) }),
    declined: yes(d.response === 'declined'),
    note: d.note ? `${t('quote', { text: str(d.note) })}${gap}` : '',
    text: str(d.text),
    hasDate: yes(d.date),
    date: day(d.date),
    from: instant(d.from),
  };
}

/** A reminder's body key: by audience, then by kind; the State never reads "overdue". */
function reminderKey(kind: Notice['kind'], audience: Audience, hasDeadline: boolean): string {
  const k = !hasDeadline || kind === 'follow-up' || kind === 'event' ? 'none' : kind;
  switch (audience) {
    case 'state':
      return `reminder.state.${k}`;
    case 'mission':
      return k === 'overdue' ? 'reminder.mission.overdue' : 'reminder.mission.other';
    case 'partner':
      return k === 'none' ? 'reminder.internal.none' : `reminder.partner.${k}`;
    case 'escalated':
      return k === 'overdue' ? 'reminder.escalated' : `reminder.internal.${k}`;
    default:
      return `reminder.internal.${k}`;
  }
}

function reminderSubject(kind: Notice['kind'], audience: Audience, hasDeadline: boolean): string {
  if (!hasDeadline) return 'subject.reminder';
  const internal = audience === 'internal' || audience === 'escalated';
  return internal && kind === 'overdue' ? 'subject.overdue' : 'subject.reminderDue';
}

/** The lines after the body: deadline, calendar file, document, links. */
function trailer(lang: Language, values: Values, o: RenderOptions): string[] {
  const t = (key: string, v: Values = {}) => format('messages', lang, key, { ...values, ...v });
  const lines: string[] = [];
  if (values.deadline) lines.push(t('deadline.line'));
  if (o.calendarFile && values.deadline) lines.push(t('calendar.line', { file: o.calendarFile }));
  const doc = o.document;
  if (doc) {
    const document = t('document.kind', { kind: DOCUMENT_KIND[String(values.topic)] ?? 'other' });
    if (doc.mode === 'attached') lines.push(t('document.attached', { document, file: doc.name }));
    else if (doc.mode === 'link')
      lines.push(t('document.link', { document, url: doc.url, expires: new Date(doc.expires) }));
    else lines.push(t('document.reference', { document, reference: doc.reference }));
  }
  return lines;
}

/** The document each topic carries. */
export const DOCUMENT_KIND: Record<string, 'draft' | 'report' | 'pao'> = {
  'draft-dispatched': 'draft',
  'reminder:state-review': 'draft',
  'report-transmitted': 'report',
  'pao-recorded': 'pao',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const squash = (s: string) => s.replace(/ {2,}/g, ' ').trim();

/**
 * The message of a notice for one recipient: in its language, in its register (a note verbale to a
 * Permanent Mission, an e-mail to anyone else), signed by the body that writes.
 */
export function renderNotice(
  n: Notice,
  o: RenderOptions,
): RenderedMessage & { language: Language; register: Register; sender: Sender } {
  const lang = o.language;
  const sender = senderOf(n.topic);
  const register = registerOf(o.role);
  const audience = audienceOf(o.role, n);
  const values: Values = { ...common(n, lang, sender), ...topicValues(n, lang), topic: n.topic };
  const t = (key: string) => squash(format('messages', lang, key, values));
  let subject: string;
  let body: string;
  if (n.kind === 'event') {
    const topic = `topic.${n.topic}`;
    subject = t(`${topic}.subject`);
    body = register === 'note-verbale' && hasNv(topic) ? t(`${topic}.nv`) : t(`${topic}.body`);
  } else {
    subject = t(reminderSubject(n.kind, audience, !!n.deadline));
    body = t(reminderKey(n.kind, audience, !!n.deadline));
  }
  const links = o.links ?? [];
  const linkLines = links.length
    ? [t('links.heading'), ...links.map((l) => format('messages', lang, 'links.line', { label: l.label, url: l.url }))]
    : [];
  const after = trailer(lang, values, o);
  let paragraphs: string[];
  if (register === 'note-verbale') {
    subject = format('messages', lang, 'subject.noteVerbale', { subject });
    paragraphs = [t('nv.title'), t('nv.opening'), body, ...after];
  } else {
    paragraphs = [t('email.greeting'), body, t('visit.line'), ...after];
  }
  // The note ends with its complimentary formula; the e-mail with a courteous close, signed by who writes.
  const closing = register === 'note-verbale' ? t('nv.closing') : `${t('email.closing')}\n${t('sender.signature')}`;
  const text = `${[...paragraphs, ...(linkLines.length ? [linkLines.join('\n')] : []), closing].join('\n\n')}\n`;
  const html = htmlOf(lang, paragraphs, links, linkLines[0], closing);
  return { subject, text, html, language: lang, register, sender };
}

const hasNv = (topic: string) => hasKey('messages', `${topic}.nv`);

function htmlOf(
  lang: Language,
  paragraphs: string[],
  links: MessageLink[],
  heading: string | undefined,
  closing: string,
): string {
  const p = (s: string) => `<p>${escapeHtml(s).replace(/\n/g, '<br>')}</p>`;
  const linkHtml = links.length
    ? `${p(heading ?? '')}${links.map((l) => `<p><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></p>`).join('')}`
    : '';
  return `<!doctype html><html lang="${lang}" dir="${direction(lang)}"><body>${paragraphs.map(p).join('')}${linkHtml}${p(closing)}</body></html>`;
}

/** The words of a notice's calendar event (the attached `.ics`), in the recipient's language. */
export function calendarText(n: Notice, lang: Language): { summary: string; description: string } {
  const values = common(n, lang, senderOf(n.topic));
  return {
    summary: format('messages', lang, 'calendar.summary', values),
    description: format('messages', lang, 'calendar.description', values),
  };
}

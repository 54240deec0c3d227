/**
 * The words of every notice, in the recipient's language: pure templates the notify activity
 * renders. State-facing messages exist in English, French and Spanish (Arabic, Chinese and Russian
 * fall back to English for now); internal ones in English. Every deadline is a written-out date
 * and the close of business in New York.
 */
import { newYorkDate } from './calendar';
import type { Notice } from './visit';
import type { Language } from './vocabulary';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

type Phrase = (n: Notice, d: string) => string;
type Table = Record<string, { subject: Phrase; body: Phrase }>;

const ITEM_LABEL: Record<string, string> = {
  pao: 'preliminary assessment and observations (PAO)',
  'ta-referral': 'referral of technical-assistance needs',
  'ta-response': 'answer to the technical-assistance needs referred to your organisation',
  drafting: 'draft report',
  'state-review': 'factual comments on the draft report',
  finalizing: 'final draft to the Committee',
  'committee-review': 'no-objection procedure',
  transmitting: 'transmission of the adopted report',
  receipt: 'confirmation of receipt of the adopted report',
  'sharing-consent': 'decision on sharing the report with UN partners',
  'state-implementation-report': 'report on steps taken to implement the recommendations',
  'cted-follow-up-report': 'CTED follow-up implementation report',
  briefing: 'briefing to the Committee',
};

function reminderLine(n: Notice, d: string): string {
  const label = ITEM_LABEL[n.item ?? ''] ?? n.item ?? '';
  switch (n.kind) {
    case 'before':
      return `This is a courteous reminder that the ${label} is due on ${d}.`;
    case 'due':
      return `The ${label} is due today, ${d}.`;
    case 'overdue':
      return `The ${label} was due on ${d} and has not yet been recorded. We would be grateful for your attention to it.`;
    default:
      return `The Committee would be grateful to receive the ${label}.`;
  }
}

const EN: Table = {
  reminder: {
    subject: (n, d) =>
      `${n.kind === 'overdue' ? 'Overdue' : 'Reminder'}: ${ITEM_LABEL[n.item ?? ''] ?? n.item} — visit ${n.visit.id}${d ? ` (due ${d})` : ''}`,
    body: reminderLine,
  },
  'draft-dispatched': {
    subject: (n, d) => `Draft report of visit ${n.visit.id} for your factual comments (by ${d})`,
    body: (_n, d) =>
      `The Counter-Terrorism Committee Executive Directorate transmits the draft report of the visit for the factual comments of your authorities. Comments received by ${d} will be incorporated; one extension may be requested.`,
  },
  'extension-requested': {
    subject: (n) => `Extension requested for comments on visit ${n.visit.id}`,
    body: (_n, d) => `The State has requested an extension of the comment period, which currently ends on ${d}.`,
  },
  'extension-granted': {
    subject: (n, d) => `Extension granted: comments on visit ${n.visit.id} now due ${d}`,
    body: (_n, d) => `An extension has been granted. Factual comments on the draft report are now due on ${d}.`,
  },
  'no-comments-received': {
    subject: (n) => `No comments received on the draft report of visit ${n.visit.id}`,
    body: (_n, d) =>
      `The comment period has ended with no comments received. The final draft is due to the Committee by ${d}.`,
  },
  'no-objection-procedure': {
    subject: (n, d) => `No-objection procedure: report of visit ${n.visit.id} (until ${d})`,
    body: (_n, d) =>
      `The final report of the visit is submitted to the Committee under the no-objection procedure. Unless a hold or an objection is received by ${d}, the report will be considered adopted.`,
  },
  'hold-placed': {
    subject: (n) => `Hold placed on the report of visit ${n.visit.id}`,
    body: () =>
      `A Committee member has placed a hold on the report. The no-objection period is suspended until the hold is lifted.`,
  },
  'hold-lifted': {
    subject: (n) => `Hold lifted on the report of visit ${n.visit.id}`,
    body: (_n, d) =>
      d
        ? `The hold has been lifted. The no-objection period now ends on ${d}.`
        : 'A hold has been lifted; other holds remain.',
  },
  'objection-raised': {
    subject: (n) => `Objection to the report of visit ${n.visit.id}`,
    body: (n) =>
      `A Committee member has objected to the report (${String(n.details?.reason ?? '')}). The report goes to a Committee meeting.`,
  },
  'report-adopted': {
    subject: (n) => `Report of visit ${n.visit.id} adopted`,
    body: (n, d) =>
      `The Committee has adopted the report. It is to be transmitted to the State by ${d}; the CTED follow-up report is due by ${longDate(n.details?.followUpReportDue as string | undefined, 'en')}.`,
  },
  'returned-to-cted': {
    subject: (n) => `Report of visit ${n.visit.id} returned to CTED`,
    body: (n, d) =>
      `The Committee has returned the report to CTED (${String(n.details?.reason ?? '')}). A revised final draft is due by ${d}.`,
  },
  'report-transmitted': {
    subject: (n) => `Adopted report of visit ${n.visit.id}: please confirm receipt`,
    body: (_n, d) =>
      `The Counter-Terrorism Committee transmits the adopted report of the visit. We would be grateful if you could confirm receipt by ${d}, and let us know whether the report may be shared with UN partners (in full, in part, or not at all).`,
  },
  'implementation-report-requested': {
    subject: (n, d) => `Steps taken on the recommendations of visit ${n.visit.id}: report due ${d}`,
    body: (_n, d) =>
      `The Committee would be grateful to receive, by ${d}, information on the steps taken to implement the recommendations of the report.`,
  },
  'report-shared': {
    subject: (n) => `Report of visit ${n.visit.id} shared with UN partners`,
    body: (n) => {
      const parts = [`Scope: ${String(n.details?.scope)}`];
      if (Array.isArray(n.details?.sections)) parts.push(`sections: ${n.details.sections.join(', ')}`);
      if (n.details?.priorityTaNeedsOnly) parts.push('priority technical-assistance needs only');
      return `With the consent of the State, the adopted report may be shared with UN partners. ${parts.join('; ')}. Confidential passages are always excluded.`;
    },
  },
  'sharing-withdrawn': {
    subject: (n) => `Report of visit ${n.visit.id}: sharing no longer authorised`,
    body: () => `The State has withdrawn its consent. From now on the report may not be shared with UN partners.`,
  },
  'ta-referral': {
    subject: (n) => `Technical-assistance needs identified during visit ${n.visit.id}`,
    body: (n, d) =>
      `CTED refers the following technical-assistance needs for your consideration: ${String(n.details?.needs ?? 'see attached assessment')}.` +
      (n.deadline ? ` We would be grateful to know by ${d} whether your organisation can take them up.` : ''),
  },
  'progress-reported': {
    subject: (n) => `Steps taken on recommendations reported: visit ${n.visit.id}`,
    body: (n) => `The State has reported on recommendations: ${list(n.details?.recommendations)}.`,
  },
  'ta-needs-agreed': {
    subject: (n) => `Technical-assistance needs agreed by the State: visit ${n.visit.id}`,
    body: (n) =>
      `The State has agreed the technical-assistance needs of ${list(n.details?.recommendations)}. They may now be referred to UN partners.`,
  },
  'ta-response-recorded': {
    subject: (n) =>
      `${String(n.details?.partner)} ${String(n.details?.response)} the TA need of ${String(n.details?.recommendation)}`,
    body: (n) =>
      `${String(n.details?.partner)} has ${String(n.details?.response)} the technical-assistance need of ${String(n.details?.recommendation)}` +
      (n.details?.note ? ` (${String(n.details.note)})` : '') +
      (n.details?.response === 'declined' ? '. The need may be referred to another partner.' : '.'),
  },
  'ta-delivery-recorded': {
    subject: (n) =>
      `Technical assistance ${String(n.details?.status)}: ${String(n.details?.recommendation)} (${String(n.details?.partner)})`,
    body: (n) =>
      `${String(n.details?.partner)} reports the technical assistance for ${String(n.details?.recommendation)} as ${String(n.details?.status)}` +
      (n.details?.text ? `: ${String(n.details.text)}` : '.'),
  },
  'implementation-report-received': {
    subject: (n) => `Implementation report received: visit ${n.visit.id}`,
    body: () => `The State has submitted its report on the steps taken to implement the recommendations.`,
  },
  'follow-up-report-submitted': {
    subject: (n) => `CTED follow-up report submitted: visit ${n.visit.id}`,
    body: () => `CTED has submitted its follow-up implementation report to the Committee.`,
  },
  'briefing-invitation': {
    subject: (n) => `Invitation to brief the Committee: visit ${n.visit.id}`,
    body: (n) =>
      `The Committee invites your authorities to brief it on the implementation of the recommendations${n.details?.date ? ` on ${String(n.details.date)}` : ''}.`,
  },
  'visit-withdrawn': {
    subject: (n) => `Follow-up of visit ${n.visit.id} withdrawn`,
    body: (n) =>
      `The follow-up of the visit has been withdrawn (${String(n.details?.reason ?? '')}). No further reminders will be sent.`,
  },
  'visit-closed': {
    subject: (n) => `Follow-up of visit ${n.visit.id} completed`,
    body: () => `Both implementation reports have been received; the follow-up of the visit is complete.`,
  },
  'pao-recorded': {
    subject: (n) => `Preliminary assessment and observations recorded: visit ${n.visit.id}`,
    body: () =>
      'CTED has recorded its preliminary assessment and observations (PAO) on the visit; they are available to the Committee.',
  },
  'consent-recorded': {
    subject: (n) => `Sharing of the report of visit ${n.visit.id} with UN partners: ${String(n.details?.scope)}`,
    body: (n) => {
      const sections = Array.isArray(n.details?.sections) ? ` (${n.details.sections.join(', ')})` : '';
      return `The State has decided how the adopted report may be shared with UN partners: ${String(n.details?.scope)}${sections}.`;
    },
  },
  'extension-refused': {
    subject: (n, d) => `Extension not granted: comments on visit ${n.visit.id} due ${d}`,
    body: (n, d) =>
      `The request for an extension of the comment period has not been granted (${String(n.details?.reason ?? '')}). Factual comments on the draft report were due by ${d}.`,
  },
  'deadline-moved': {
    subject: (n, d) => `Deadline moved: ${ITEM_LABEL[n.item ?? ''] ?? n.item} — visit ${n.visit.id} (now ${d})`,
    body: (n, d) =>
      `The United Nations Headquarters calendar of official holidays has been corrected. The ${ITEM_LABEL[n.item ?? ''] ?? n.item} is now due by ${d} (it was due by ${longDate(n.details?.from as string | undefined, 'en')}).`,
  },
};

const FR: Table = {
  reminder: {
    subject: (n, d) => `Rappel : visite ${n.visit.id}${d ? ` (échéance le ${d})` : ''}`,
    body: (n, d) =>
      n.kind === 'overdue'
        ? `L'échéance du ${d} est dépassée. Nous vous serions reconnaissants de bien vouloir y donner suite.`
        : d
          ? `Nous nous permettons de vous rappeler que l'échéance est fixée au ${d}.`
          : `Le Comité vous serait reconnaissant de bien vouloir faire connaître votre décision.`,
  },
  'draft-dispatched': {
    subject: (n, d) => `Projet de rapport de la visite ${n.visit.id} pour observations (d'ici le ${d})`,
    body: (_n, d) =>
      `La Direction exécutive du Comité contre le terrorisme vous transmet le projet de rapport de la visite pour les observations factuelles de vos autorités, d'ici le ${d}. Une prolongation peut être demandée.`,
  },
  'extension-granted': {
    subject: (n, d) => `Prolongation accordée : observations sur la visite ${n.visit.id} attendues le ${d}`,
    body: (_n, d) => `Une prolongation a été accordée. Les observations sont désormais attendues d'ici le ${d}.`,
  },
  'extension-refused': {
    subject: (n, d) => `Prolongation non accordée : observations sur la visite ${n.visit.id} attendues le ${d}`,
    body: (n, d) =>
      `La demande de prolongation n'a pas été accordée (${String(n.details?.reason ?? '')}). Les observations factuelles étaient attendues d'ici le ${d}.`,
  },
  'deadline-moved': {
    subject: (n, d) => `Échéance modifiée : visite ${n.visit.id} (désormais le ${d})`,
    body: (n, d) =>
      `Le calendrier des jours fériés officiels du Siège de l'Organisation des Nations Unies a été corrigé. L'échéance est désormais fixée au ${d} (au lieu du ${longDate(n.details?.from as string | undefined, 'fr')}).`,
  },
  'report-transmitted': {
    subject: (n) => `Rapport adopté de la visite ${n.visit.id} : accusé de réception`,
    body: (_n, d) =>
      `Le Comité contre le terrorisme vous transmet le rapport adopté. Nous vous serions reconnaissants d'en accuser réception d'ici le ${d} et de nous indiquer s'il peut être communiqué aux partenaires des Nations Unies.`,
  },
  'implementation-report-requested': {
    subject: (n, d) => `Mesures prises suite à la visite ${n.visit.id} : rapport attendu le ${d}`,
    body: (_n, d) =>
      `Le Comité vous serait reconnaissant de lui faire connaître, d'ici le ${d}, les mesures prises pour mettre en œuvre les recommandations.`,
  },
  'briefing-invitation': {
    subject: (n) => `Invitation à un exposé devant le Comité : visite ${n.visit.id}`,
    body: (n) =>
      `Le Comité invite vos autorités à lui présenter un exposé sur la mise en œuvre des recommandations${n.details?.date ? `, le ${String(n.details.date)}` : ''}.`,
  },
};

const ES: Table = {
  reminder: {
    subject: (n, d) => `Recordatorio: visita ${n.visit.id}${d ? ` (plazo: ${d})` : ''}`,
    body: (n, d) =>
      n.kind === 'overdue'
        ? `El plazo del ${d} ha vencido. Le agradeceríamos que atendiera este asunto.`
        : d
          ? `Nos permitimos recordarle que el plazo vence el ${d}.`
          : `El Comité agradecería conocer su decisión.`,
  },
  'draft-dispatched': {
    subject: (n, d) => `Proyecto de informe de la visita ${n.visit.id} para observaciones (antes del ${d})`,
    body: (_n, d) =>
      `La Dirección Ejecutiva del Comité contra el Terrorismo transmite el proyecto de informe de la visita para las observaciones fácticas de sus autoridades, antes del ${d}. Puede solicitarse una prórroga.`,
  },
  'extension-granted': {
    subject: (n, d) => `Prórroga concedida: observaciones sobre la visita ${n.visit.id} antes del ${d}`,
    body: (_n, d) => `Se ha concedido una prórroga. Las observaciones se esperan antes del ${d}.`,
  },
  'extension-refused': {
    subject: (n, d) => `Prórroga no concedida: observaciones sobre la visita ${n.visit.id} antes del ${d}`,
    body: (n, d) =>
      `La solicitud de prórroga no ha sido concedida (${String(n.details?.reason ?? '')}). Las observaciones fácticas se esperaban antes del ${d}.`,
  },
  'deadline-moved': {
    subject: (n, d) => `Plazo modificado: visita ${n.visit.id} (ahora el ${d})`,
    body: (n, d) =>
      `Se ha corregido el calendario de días feriados oficiales de la Sede de las Naciones Unidas. El plazo vence ahora el ${d} (antes, el ${longDate(n.details?.from as string | undefined, 'es')}).`,
  },
  'report-transmitted': {
    subject: (n) => `Informe aprobado de la visita ${n.visit.id}: acuse de recibo`,
    body: (_n, d) =>
      `El Comité contra el Terrorismo transmite el informe aprobado. Le agradeceríamos que acusara recibo antes del ${d} e indicara si puede compartirse con los asociados de las Naciones Unidas.`,
  },
  'implementation-report-requested': {
    subject: (n, d) => `Medidas adoptadas tras la visita ${n.visit.id}: informe antes del ${d}`,
    body: (_n, d) =>
      `El Comité agradecería recibir, antes del ${d}, información sobre las medidas adoptadas para aplicar las recomendaciones.`,
  },
  'briefing-invitation': {
    subject: (n) => `Invitación a informar al Comité: visita ${n.visit.id}`,
    body: (n) =>
      `El Comité invita a sus autoridades a informarle sobre la aplicación de las recomendaciones${n.details?.date ? ` el ${String(n.details.date)}` : ''}.`,
  },
};

/** The languages messages are written in so far; the others of the six fall back to English. */
type Written = 'en' | 'fr' | 'es';
export const WRITTEN_LANGUAGES: readonly Language[] = ['en', 'fr', 'es'];
const TABLES: Record<Written, Table> = { en: EN, fr: FR, es: ES };
const GREETING: Record<Written, string> = { en: 'Dear colleague,', fr: 'Madame, Monsieur,', es: 'Estimado/a colega:' };
const CLOSING: Record<Written, string> = {
  en: 'With the assurances of our highest consideration,\nCounter-Terrorism Committee follow-up',
  fr: 'Veuillez agréer l’assurance de notre haute considération.\nSuivi du Comité contre le terrorisme',
  es: 'Con el testimonio de nuestra más alta consideración,\nSeguimiento del Comité contra el Terrorismo',
};

/** A list from a notice's details, comma-separated. */
const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));

const MONTHS: Record<Written, string[]> = {
  en: 'January February March April May June July August September October November December'.split(' '),
  fr: 'janvier février mars avril mai juin juillet août septembre octobre novembre décembre'.split(' '),
  es: 'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre'.split(' '),
};

/** The New York date of an instant, written out: "3 December 2025", "1er décembre 2025", "3 de diciembre de 2025". */
export function longDate(isoInstant: string | null | undefined, lang: Written): string {
  if (!isoInstant) return '';
  const [y, m, d] = newYorkDate(Date.parse(isoInstant)).split('-').map(Number) as [number, number, number];
  const month = MONTHS[lang][m - 1]!;
  if (lang === 'es') return `${d} de ${month} de ${y}`;
  return `${lang === 'fr' && d === 1 ? '1er' : d} ${month} ${y}`;
}

/** The line every message with a deadline ends with: its day, and the close of business in New York. */
const DEADLINE_LINE: Record<Written, (d: string) => string> = {
  en: (d) => `Deadline: close of business, New York time, on ${d}.`,
  fr: (d) => `Échéance : heure de fermeture des bureaux, heure de New York, le ${d}.`,
  es: (d) => `Plazo: cierre de las oficinas, hora de Nueva York, el ${d}.`,
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A link the recipient can follow to take the step the message asks for. */
export interface MessageLink {
  label: string;
  url: string;
}

/**
 * The message of a notice in the recipient's language. `language` says which language it was
 * written in: English where the recipient's has no templates yet (Arabic, Chinese, Russian).
 */
export function renderNotice(
  n: Notice,
  language: Language,
  links: MessageLink[] = [],
): RenderedMessage & { language: Language } {
  const topic = n.kind === 'event' ? n.topic : 'reminder';
  const asked = WRITTEN_LANGUAGES.includes(language) ? (language as Written) : 'en';
  const lang: Written = TABLES[asked][topic] ? asked : 'en';
  const template = TABLES[lang][topic];
  if (!template) throw new Error(`no message template for topic ${topic}`);
  const d = longDate(n.deadline, lang);
  const subject = template.subject(n, d);
  const visitLine = `Visit ${n.visit.id}: ${n.visit.stateName ?? n.visit.state}, ${n.visit.type} visit, ${n.visit.start} to ${n.visit.end}.`;
  const paragraphs = [GREETING[lang], template.body(n, d), visitLine];
  if (n.deadline) paragraphs.push(DEADLINE_LINE[lang](d));
  const linkText = links.map((l) => `${l.label}: ${l.url}`);
  const text = `${[...paragraphs, ...linkText].join('\n\n')}\n\n${CLOSING[lang]}\n`;
  const linkHtml = links.map((l) => `<p><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></p>`).join('');
  const html = `<!doctype html><html lang="${lang}"><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${linkHtml}<p>${escapeHtml(CLOSING[lang]).replace('\n', '<br>')}</p></body></html>`;
  return { subject, text, html, language: lang };
}

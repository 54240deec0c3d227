/** Notices rendered in the recipient's language: subjects, bodies, New York deadline dates, HTML. */
import { describe, expect, it } from 'vitest';
import { renderNotice } from '../../src/domain/messages';
import { applyAction, initialState, type Notice, type VisitSummary } from '../../src/domain/visit';
import { resolvePolicy } from '../../src/infra/policy/loader';

const VISIT: VisitSummary = {
  id: '166-POL',
  number: 166,
  state: 'POL',
  stateName: 'Poland',
  type: 'comprehensive',
  start: '2026-11-16',
  end: '2026-11-20',
  contacts: { caseOfficer: 'officer@cted.example.org', stateContact: 'focal.point@mission.example.org' },
  language: 'en',
};

/** 2026-12-08T04:59:59.999Z is the end of 7 December in New York: messages show 7 December 2026. */
const PAO_DUE = '2026-12-08T04:59:59.999Z';
/** The state-review deadline of a draft dispatched Tuesday 2027-01-12 10:00 EST. */
const REVIEW_DUE = '2027-02-11T15:00:00.000Z';

function event(topic: string, extra: Partial<Notice> = {}): Notice {
  return {
    key: `166-POL:event:9:${topic}`,
    topic,
    kind: 'event',
    to: ['state-contact'],
    at: '2027-01-12T15:00:00.000Z',
    visit: VISIT,
    ...extra,
  };
}

function reminder(kind: Notice['kind'], item: Notice['item'], deadline: string | null): Notice {
  return {
    key: `166-POL:reminder:${item}`,
    topic: `reminder:${item}`,
    kind,
    item,
    to: ['case-officer'],
    at: '2026-12-15T04:59:59.999Z',
    deadline,
    visit: VISIT,
  };
}

describe('renderNotice: deadlines as New York dates', () => {
  it('shows a deadline at the end of a New York day as that day, not the next UTC day', () => {
    const m = renderNotice(reminder('overdue', 'pao', PAO_DUE), 'en');
    expect(m.subject).toBe(
      'Overdue: preliminary assessment and observations (PAO) — visit 166-POL (due 7 December 2026)',
    );
    expect(m.text).toContain(
      'The preliminary assessment and observations (PAO) was due on 7 December 2026 and has not yet been recorded. We would be grateful for your attention to it.',
    );
    expect(m.text).toContain('Deadline: close of business, New York time, on 7 December 2026.');
    expect(m.subject).not.toContain('8 December');
  });

  it('uses the summer offset for a deadline in daylight time', () => {
    // 2027-07-01T03:30Z is 30 June 23:30 EDT.
    const m = renderNotice(event('implementation-report-requested', { deadline: '2027-07-01T03:30:00.000Z' }), 'en');
    expect(m.subject).toBe('Steps taken on the recommendations of visit 166-POL: report due 30 June 2027');
  });

  it('renders the English reminder kinds', () => {
    expect(renderNotice(reminder('before', 'drafting', '2027-01-20T04:59:59.999Z'), 'en')).toMatchObject({
      subject: 'Reminder: draft report — visit 166-POL (due 19 January 2027)',
    });
    expect(renderNotice(reminder('before', 'drafting', '2027-01-20T04:59:59.999Z'), 'en').text).toContain(
      'This is a courteous reminder that the draft report is due on 19 January 2027.',
    );
    expect(renderNotice(reminder('due', 'state-review', REVIEW_DUE), 'en').text).toContain(
      'The factual comments on the draft report is due today, 11 February 2027.',
    );
  });

  it('renders a reminder with no deadline (sharing consent) without a date', () => {
    const m = renderNotice(reminder('follow-up', 'sharing-consent', null), 'en');
    expect(m.subject).toBe('Reminder: decision on sharing the report with UN partners — visit 166-POL');
    expect(m.text).toContain(
      'The Committee would be grateful to receive the decision on sharing the report with UN partners.',
    );
    expect(m.text).not.toContain('Deadline:');
  });
});

describe('renderNotice: English events', () => {
  it('draft-dispatched: subject and body carry the visit id and the comment deadline', () => {
    const m = renderNotice(event('draft-dispatched', { item: 'state-review', deadline: REVIEW_DUE }), 'en');
    expect(m.subject).toBe('Draft report of visit 166-POL for your factual comments (by 11 February 2027)');
    expect(m.text).toContain(
      'Comments received by 11 February 2027 will be incorporated; one extension may be requested.',
    );
    expect(m.text).toContain('Visit 166-POL: Poland, comprehensive visit, 2026-11-16 to 2026-11-20.');
    expect(m.text.startsWith('Dear colleague,\n\n')).toBe(true);
    expect(
      m.text.endsWith('With the assurances of our highest consideration,\nCounter-Terrorism Committee follow-up\n'),
    ).toBe(true);
  });

  it('report-adopted shows the transmission deadline and the CTED follow-up report date', () => {
    const m = renderNotice(
      event('report-adopted', {
        to: ['case-officer', 'chair', 'secretariat'],
        deadline: '2027-03-18T14:00:00.000Z',
        details: { followUpReportDue: '2028-03-12T03:59:59.999Z' },
      }),
      'en',
    );
    expect(m.subject).toBe('Report of visit 166-POL adopted');
    expect(m.text).toContain(
      'It is to be transmitted to the State by 18 March 2027; the CTED follow-up report is due by 11 March 2028.',
    );
  });

  it('hold-lifted says whether the period restarts', () => {
    expect(renderNotice(event('hold-lifted', { deadline: '2027-03-26T14:00:00.000Z' }), 'en').text).toContain(
      'The hold has been lifted. The no-objection period now ends on 26 March 2027.',
    );
    const still = renderNotice(event('hold-lifted', { deadline: null }), 'en');
    expect(still.text).toContain('A hold has been lifted; other holds remain.');
    expect(still.text).not.toContain('Deadline:');
  });

  it('report-shared lists the scope, the sections and the priority TA needs', () => {
    const m = renderNotice(
      event('report-shared', {
        to: ['partners'],
        details: { scope: 'partial', sections: ['I', 'III'], priorityTaNeedsOnly: true },
      }),
      'en',
    );
    expect(m.subject).toBe('Report of visit 166-POL shared with UN partners');
    expect(m.text).toContain(
      'Scope: partial; sections: I, III; priority technical-assistance needs only. Confidential passages are always excluded.',
    );
  });

  it('renders the notices the state machine produces', () => {
    const policy = resolvePolicy();
    const { state } = initialState(VISIT, policy, Date.parse('2026-11-21T12:00:00.000Z'));
    const actor = { email: 'officer@cted.example.org' };
    applyAction(
      state,
      { action: 'submit-draft', payload: {}, actor, door: 'api' },
      Date.parse('2027-01-11T15:00:00.000Z'),
      policy,
    );
    const fx = applyAction(
      state,
      { action: 'dispatch-draft', payload: {}, actor, door: 'api' },
      Date.parse('2027-01-12T15:00:00.000Z'),
      policy,
    );
    const m = renderNotice(fx.notices[0]!, 'en');
    expect(m.subject).toBe('Draft report of visit 166-POL for your factual comments (by 11 February 2027)');
  });

  it('refuses a topic with no template', () => {
    expect(() => renderNotice(event('coffee-served'), 'en')).toThrow('no message template for topic coffee-served');
    expect(() => renderNotice(event('coffee-served'), 'fr')).toThrow('no message template for topic coffee-served');
  });
});

describe('renderNotice: French and Spanish for the State', () => {
  it('draft-dispatched in French', () => {
    const m = renderNotice(event('draft-dispatched', { deadline: REVIEW_DUE }), 'fr');
    expect(m.subject).toBe("Projet de rapport de la visite 166-POL pour observations (d'ici le 11 février 2027)");
    expect(m.text.startsWith('Madame, Monsieur,\n\n')).toBe(true);
    expect(m.text).toContain("pour les observations factuelles de vos autorités, d'ici le 11 février 2027.");
    expect(m.text).toContain('Veuillez agréer l’assurance de notre haute considération.');
    expect(m.html).toContain('<html lang="fr">');
  });

  it('draft-dispatched in Spanish', () => {
    const m = renderNotice(event('draft-dispatched', { deadline: REVIEW_DUE }), 'es');
    expect(m.subject).toBe(
      'Proyecto de informe de la visita 166-POL para observaciones (antes del 11 de febrero de 2027)',
    );
    expect(m.text.startsWith('Estimado/a colega:\n\n')).toBe(true);
    expect(m.text).toContain('de sus autoridades, antes del 11 de febrero de 2027.');
    expect(m.html).toContain('<html lang="es">');
  });

  it.each([
    [
      'fr',
      'extension-granted',
      'Prolongation accordée : observations sur la visite 166-POL attendues le 26 février 2027',
    ],
    [
      'es',
      'extension-granted',
      'Prórroga concedida: observaciones sobre la visita 166-POL antes del 26 de febrero de 2027',
    ],
    ['fr', 'report-transmitted', 'Rapport adopté de la visite 166-POL : accusé de réception'],
    ['es', 'report-transmitted', 'Informe aprobado de la visita 166-POL: acuse de recibo'],
    [
      'fr',
      'implementation-report-requested',
      'Mesures prises suite à la visite 166-POL : rapport attendu le 26 février 2027',
    ],
    [
      'es',
      'implementation-report-requested',
      'Medidas adoptadas tras la visita 166-POL: informe antes del 26 de febrero de 2027',
    ],
    ['fr', 'briefing-invitation', 'Invitation à un exposé devant le Comité : visite 166-POL'],
    ['es', 'briefing-invitation', 'Invitación a informar al Comité: visita 166-POL'],
  ] as const)('%s %s subject', (lang, topic, subject) => {
    const m = renderNotice(event(topic, { deadline: '2027-02-26T15:00:00.000Z' }), lang);
    expect(m.subject).toBe(subject);
    expect(m.html).toContain(`<html lang="${lang}">`);
  });

  it('report-transmitted bodies ask for receipt by the New York date', () => {
    const deadline = '2027-03-23T03:59:59.999Z'; // end of 22 March, New York
    expect(renderNotice(event('report-transmitted', { deadline }), 'fr').text).toContain(
      "d'en accuser réception d'ici le 22 mars 2027",
    );
    expect(renderNotice(event('report-transmitted', { deadline }), 'es').text).toContain(
      'acusara recibo antes del 22 de marzo de 2027',
    );
    expect(renderNotice(event('report-transmitted', { deadline }), 'en').text).toContain(
      'confirm receipt by 22 March 2027',
    );
  });

  it('reminders in French and Spanish: before, overdue, and no deadline', () => {
    const before = reminder('before', 'state-review', REVIEW_DUE);
    expect(renderNotice(before, 'fr').subject).toBe('Rappel : visite 166-POL (échéance le 11 février 2027)');
    expect(renderNotice(before, 'fr').text).toContain(
      "Nous nous permettons de vous rappeler que l'échéance est fixée au 11 février 2027.",
    );
    expect(renderNotice(before, 'es').subject).toBe('Recordatorio: visita 166-POL (plazo: 11 de febrero de 2027)');
    expect(renderNotice(before, 'es').text).toContain(
      'Nos permitimos recordarle que el plazo vence el 11 de febrero de 2027.',
    );

    const overdue = reminder('overdue', 'state-implementation-report', PAO_DUE);
    expect(renderNotice(overdue, 'fr').text).toContain("L'échéance du 7 décembre 2026 est dépassée.");
    expect(renderNotice(overdue, 'es').text).toContain('El plazo del 7 de diciembre de 2026 ha vencido.');

    const consent = reminder('follow-up', 'sharing-consent', null);
    expect(renderNotice(consent, 'fr').subject).toBe('Rappel : visite 166-POL');
    expect(renderNotice(consent, 'fr').text).toContain(
      'Le Comité vous serait reconnaissant de bien vouloir faire connaître votre décision.',
    );
    expect(renderNotice(consent, 'es').subject).toBe('Recordatorio: visita 166-POL');
    expect(renderNotice(consent, 'es').text).toContain('El Comité agradecería conocer su decisión.');
  });

  it('falls back to English, with an English greeting, for internal topics', () => {
    const m = renderNotice(
      event('no-comments-received', { to: ['case-officer'], deadline: '2027-02-26T15:00:00.000Z' }),
      'fr',
    );
    expect(m.subject).toBe('No comments received on the draft report of visit 166-POL');
    expect(m.text.startsWith('Dear colleague,\n\n')).toBe(true);
    expect(m.text).toContain('The final draft is due to the Committee by 26 February 2027.');
    expect(m.html).toContain('<html lang="en">');
    expect(renderNotice(event('visit-withdrawn', { details: { reason: 'Cancelled' } }), 'es').subject).toBe(
      'Follow-up of visit 166-POL withdrawn',
    );
  });
});

describe('renderNotice: HTML', () => {
  it('escapes what people typed and the State name', () => {
    const visit = { ...VISIT, id: '150-CIV', state: 'CIV', stateName: "Côte d'Ivoire" };
    const m = renderNotice(event('objection-raised', { visit, details: { reason: '<b>Para 12</b> & "annex"' } }), 'en');
    expect(m.html).toContain('(&#60;b&#62;Para 12&#60;/b&#62; &#38; &#34;annex&#34;)');
    expect(m.html).toContain('Visit 150-CIV: Côte d&#39;Ivoire, comprehensive visit, 2026-11-16 to 2026-11-20.');
    expect(m.html).not.toContain('<b>');
    // The plain text keeps the characters as typed.
    expect(m.text).toContain('(<b>Para 12</b> & "annex")');
    expect(m.subject).toBe('Objection to the report of visit 150-CIV');
  });

  it('is one paragraph per block, the closing with a line break', () => {
    const m = renderNotice(event('draft-dispatched', { deadline: REVIEW_DUE }), 'en');
    expect(m.html.startsWith('<!doctype html><html lang="en"><body><p>Dear colleague,</p><p>')).toBe(true);
    expect(m.html).toContain('<p>Deadline: close of business, New York time, on 11 February 2027.</p>');
    expect(
      m.html.endsWith(
        '<p>With the assurances of our highest consideration,<br>Counter-Terrorism Committee follow-up</p></body></html>',
      ),
    ).toBe(true);
    expect(m.html.match(/<p>/g)).toHaveLength(5);
  });

  it('uses the State code when there is no State name', () => {
    const { stateName: _n, ...visit } = VISIT;
    expect(renderNotice(event('visit-closed', { visit }), 'en').text).toContain(
      'Visit 166-POL: POL, comprehensive visit, 2026-11-16 to 2026-11-20.',
    );
  });
});

describe('renderNotice: every deadline names its day and the close of business in New York', () => {
  it.each([
    ['en', 'Deadline: close of business, New York time, on 1 December 2025.'],
    ['fr', 'Échéance : heure de fermeture des bureaux, heure de New York, le 1er décembre 2025.'],
    ['es', 'Plazo: cierre de las oficinas, hora de Nueva York, el 1 de diciembre de 2025.'],
  ] as const)('%s', (lang, line) => {
    const m = renderNotice(event('draft-dispatched', { deadline: '2025-12-02T04:59:59.999Z' }), lang);
    expect(m.text).toContain(line);
    expect(m.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('writes to Arabic, Chinese and Russian correspondents in English until their messages exist, and says so', () => {
    for (const lang of ['ar', 'zh', 'ru'] as const) {
      const m = renderNotice(event('draft-dispatched', { deadline: '2025-12-02T04:59:59.999Z' }), lang);
      expect(m.language).toBe('en');
      expect(m.subject).toBe('Draft report of visit 166-POL for your factual comments (by 1 December 2025)');
    }
  });

  it.each(['pao-recorded', 'consent-recorded', 'extension-refused', 'deadline-moved'])(
    'has a message for %s',
    (topic) => {
      const m = renderNotice(
        event(topic, {
          item: 'pao',
          deadline: '2025-12-02T04:59:59.999Z',
          details: { scope: 'full', reason: 'x', from: '2025-12-01T04:59:59.999Z' },
        }),
        'en',
      );
      expect(m.subject).toContain('166-POL');
      expect(m.text).not.toContain('undefined');
    },
  );
});

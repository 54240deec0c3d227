/**
 * Every notice in every official language: the words all come from the catalogue, no English is
 * left in another language, deadlines are New York days written as each language writes them, the
 * register fits the recipient, and one snapshot file per topic and language is committed for review.
 */
import { describe, expect, it } from 'vitest';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { FORMAL_TOPICS, recipientsOf, renderNotice } from '../../src/i18n/correspondence';
import { CATALOGUE } from '../../src/i18n/catalogue';
import { LANGUAGES, type Language, type Recipient } from '../../src/domain/vocabulary';
import type { Notice } from '../../src/domain/visit';
import { DEADLINE, DEADLINE_WRITTEN, EVENTS, notice, REMINDERS } from '../fixtures/notices';

const LINKS = [{ label: 'x', url: 'https://followup.example.org/links/abc.def' }];

/** Each message the engine can write: every event for its first recipient, the notes verbales, the reminders. */
function cases(lang: Language): { name: string; n: Notice; role: Recipient }[] {
  const out = EVENTS.map((c) => ({ name: c.topic, n: notice(c, lang), role: c.to[0]! }));
  for (const c of EVENTS.filter((e) => FORMAL_TOPICS.has(e.topic))) {
    out.push({ name: `${c.topic}.note-verbale`, n: notice(c, lang), role: 'permanent-mission' });
  }
  for (const r of REMINDERS) out.push({ name: `reminder.${r.name}`, n: notice(r, lang), role: r.role });
  return out;
}

const render = (c: { n: Notice; role: Recipient }, lang: Language) =>
  renderNotice(c.n, { language: lang, role: c.role });

/** Each pair of neighbouring English words in the catalogue's literal text (not placeholders nor select keys). */
function englishPairs(): Set<string> {
  const pairs = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.literal) {
        const words = el.value.toLowerCase().match(/\p{L}+/gu) ?? [];
        for (let i = 1; i < words.length; i++) pairs.add(`${words[i - 1]} ${words[i]}`);
      }
      if (el.type === TYPE.select || el.type === TYPE.plural) for (const o of Object.values(el.options)) walk(o.value);
    }
  };
  for (const message of Object.values(CATALOGUE.messages.en)) walk(parse(message, { ignoreTag: true }));
  // Names the UN writes alike in French and Spanish, and acronyms.
  for (const shared of ['new york', 'nations unies', 'note verbale']) pairs.delete(shared);
  return pairs;
}
const ENGLISH_PAIRS = englishPairs();

/** English words no French or Spanish sentence uses. */
const ENGLISH_WORDS = new Set(
  (
    'the and of to is was has have been your you we our by on due dear deadline reminder overdue kind regards please ' +
    'visit report draft link sent this that with for from which will are not yet its it be any may'
  ).split(' '),
);

/** The text a reader reads: without addresses and the visit's codes, which are not words of any language. */
const prose = (s: string) =>
  s
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\b166-POL(\/R\d+)?\b/g, ' ')
    .replace(/\bREF\/\d{4}\/\d+\b/g, ' ')
    .replace(/\b(UNODC|II|IV)\b/g, ' ');

describe('every message in every language', () => {
  it('knows the English phrases to look for', () => {
    for (const p of ['dear colleague', 'close of', 'of business', 'kind regards']) {
      expect(ENGLISH_PAIRS.has(p), p).toBe(true);
    }
  });

  for (const lang of LANGUAGES) {
    describe(lang, () => {
      for (const c of cases(lang)) {
        it(`${c.name}: no English left, no raw timestamp, the deadline as ${lang} writes it`, async () => {
          const m = render(c, lang);
          const all = `${m.subject}\n${m.text}`;
          expect(m.language).toBe(lang);
          expect(all).not.toMatch(/\d{4}-\d{2}-\d{2}/);
          expect(all).not.toMatch(/T\d{2}:\d{2}/);
          if (c.n.deadline) expect(all).toContain(DEADLINE_WRITTEN[lang]);
          expect(m.html).toContain(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`);
          if (lang !== 'en') {
            const words =
              prose(all)
                .toLowerCase()
                .match(/\p{L}+/gu) ?? [];
            const english = [
              ...words.filter((w) => ENGLISH_WORDS.has(w)),
              ...words
                .slice(1)
                .map((w, i) => `${words[i]} ${w}`)
                .filter((p) => ENGLISH_PAIRS.has(p)),
            ];
            expect(english, `English in the ${lang} message ${c.name}`).toEqual([]);
            // Arabic, Chinese and Russian carry no Latin letter at all.
            if (['ar', 'zh', 'ru'].includes(lang)) expect(prose(all)).not.toMatch(/[A-Za-z]/);
          }
          await expect(`Subject: ${m.subject}\n\n${m.text}`).toMatchFileSnapshot(
            `../snapshots/messages/${lang}/${c.name}.txt`,
          );
        });
      }
    });
  }
});

/** The complimentary formula that closes a note verbale, and the courteous close of an e-mail, per language. */
const FORMULA: Record<Language, { note: string; email: string }> = {
  en: { note: 'the assurances of its highest consideration.', email: 'Kind regards,' },
  fr: { note: 'les assurances de sa très haute considération.', email: 'Avec nos salutations distinguées,' },
  es: { note: 'el testimonio de su consideración más distinguida.', email: 'Atentamente,' },
  ru: { note: 'уверения в своем весьма высоком уважении.', email: 'С уважением,' },
  zh: { note: '重申最崇高的敬意。', email: '此致' },
  ar: { note: 'عن أسمى آيات تقديرها.', email: 'مع أطيب التحيات،' },
};

describe('registers', () => {
  const draft = EVENTS.find((e) => e.topic === 'draft-dispatched')!;

  for (const lang of LANGUAGES) {
    it(`${lang}: a note verbale to the Permanent Mission closes with the complimentary formula; an e-mail with a courteous close`, () => {
      const note = renderNotice(notice(draft, lang), { language: lang, role: 'permanent-mission' });
      const mail = renderNotice(notice(draft, lang), { language: lang, role: 'state-contact' });
      expect(note.register).toBe('note-verbale');
      expect(note.text.trimEnd().endsWith(FORMULA[lang].note)).toBe(true);
      expect(mail.register).toBe('email');
      expect(mail.text).toContain(FORMULA[lang].email);
      expect(mail.text).not.toContain(FORMULA[lang].note);
    });
  }

  it('writes the note verbale in the third person, from CTED, naming the Mission as the UN does', () => {
    const note = renderNotice(notice(draft), { language: 'en', role: 'permanent-mission' });
    expect(note.text).toContain(
      'The Counter-Terrorism Committee Executive Directorate presents its compliments to the Permanent Mission of Poland to the United Nations and has the honour to refer to the comprehensive assessment visit',
    );
    expect(note.text).not.toMatch(/\b(you|your)\b/i);
    expect(note.sender).toBe('cted');
    const fr = renderNotice(notice(draft, 'fr'), { language: 'fr', role: 'permanent-mission' });
    expect(fr.text).toContain('la Mission permanente de la Pologne auprès de l’Organisation des Nations Unies');
    const ru = renderNotice(notice(draft, 'ru'), { language: 'ru', role: 'permanent-mission' });
    expect(ru.text).toContain('Постоянному представительству Польши при Организации Объединенных Наций');
  });

  it('has the Chair write what the Chair transmits, and the secretariat what it runs', () => {
    const transmitted = EVENTS.find((e) => e.topic === 'report-transmitted')!;
    const note = renderNotice(notice(transmitted), { language: 'en', role: 'permanent-mission' });
    expect(note.sender).toBe('chair');
    expect(note.text).toMatch(
      /^Note verbale\n\nThe Chair of the Security Council Committee established pursuant to resolution 1373/,
    );
    const mail = renderNotice(notice(transmitted), { language: 'en', role: 'state-contact' });
    expect(mail.text.trimEnd().endsWith('Kind regards,\nChair of the Counter-Terrorism Committee')).toBe(true);
    const silence = EVENTS.find((e) => e.topic === 'no-objection-procedure')!;
    expect(renderNotice(notice(silence), { language: 'en', role: 'committee' }).text.trimEnd()).toMatch(
      /Secretariat of the Counter-Terrorism Committee$/,
    );
  });

  it('copies formal correspondence to the Permanent Mission when the visit has one, and only then', () => {
    const draftNotice = notice(draft);
    expect(recipientsOf(draftNotice)).toEqual(['state-contact', 'permanent-mission']);
    const noMission = {
      ...draftNotice,
      visit: { ...draftNotice.visit, contacts: { ...draftNotice.visit.contacts, permanentMission: undefined } },
    };
    expect(recipientsOf(noMission)).toEqual(['state-contact']);
    const internal = notice(EVENTS.find((e) => e.topic === 'hold-placed')!);
    expect(recipientsOf(internal)).toEqual(internal.to);
  });
});

describe('reminders climb the ladder in tone', () => {
  const overdue = REMINDERS.find((r) => r.name === 'overdue.state')!;

  for (const lang of LANGUAGES) {
    it(`${lang}: a State never reads "overdue" in a subject; staff do`, () => {
      const words = {
        en: /overdue/i,
        fr: /retard|dépass/i,
        es: /venc|atras/i,
        ru: /просроч|истек/i,
        zh: /逾期/,
        ar: /تجاوز|متأخر/,
      }[lang];
      for (const role of ['state-contact', 'permanent-mission'] as const) {
        expect(renderNotice(notice(overdue, lang), { language: lang, role }).subject).not.toMatch(words);
      }
      expect(renderNotice(notice(overdue, lang), { language: lang, role: 'case-officer' }).subject).toMatch(words);
    });
  }

  it('asks the focal point courteously, draws the Mission’s attention formally, and tells the secretariat it is outstanding', () => {
    const as = (role: Recipient) => renderNotice(notice(overdue), { language: 'en', role }).text;
    expect(as('state-contact')).toContain(
      'We would be grateful to receive the following, which was due on 11 February 2027',
    );
    expect(as('permanent-mission')).toContain('wishes to draw the attention of the Permanent Mission');
    expect(as('secretariat')).toContain('still outstanding after the reminders sent to those responsible');
  });
});

describe('deadlines and documents', () => {
  it('writes a deadline at the end of a New York day as that day, with the close of business', () => {
    const c = { ...EVENTS[0]!, deadline: '2026-12-08T04:59:59.999Z' };
    const m = renderNotice(notice(c), { language: 'en', role: 'state-contact' });
    expect(m.text).toContain('Deadline: close of business, New York time, on 7 December 2026.');
    expect(m.text).not.toContain('8 December');
  });

  it('writes the first of a month "1er" in French, and the summer offset', () => {
    const c = { ...EVENTS[0]!, deadline: '2027-07-01T03:30:00.000Z' };
    expect(renderNotice(notice(c, 'fr'), { language: 'fr', role: 'state-contact' }).text).toContain('30 juin 2027');
    const first = { ...EVENTS[0]!, deadline: '2027-03-01T17:00:00.000Z' };
    expect(renderNotice(notice(first, 'fr'), { language: 'fr', role: 'state-contact' }).text).toContain(
      '1er mars 2027',
    );
  });

  const ATTACHED: Record<Language, RegExp> = {
    en: /attach|enclos|herewith/i,
    fr: /joint|annex/i,
    es: /adjunt|anex/i,
    ru: /прилага|приложен/i,
    zh: /附件|随附|附上/,
    ar: /مرفق/,
  };

  for (const lang of LANGUAGES) {
    it(`${lang}: claims no attachment unless one is attached`, () => {
      for (const c of cases(lang)) {
        const bare = render(c, lang);
        expect(bare.text, `${c.name} claims an attachment`).not.toMatch(ATTACHED[lang]);
      }
      const draft = notice(EVENTS[0]!, lang);
      const withFile = renderNotice(draft, {
        language: lang,
        role: 'state-contact',
        calendarFile: '166-POL.ics',
        document: { mode: 'attached', name: 'draft.pdf' },
        links: LINKS,
      });
      expect(withFile.text).toMatch(ATTACHED[lang]);
      expect(withFile.text).toContain('draft.pdf');
      expect(withFile.text).toContain(LINKS[0]!.url);
      const linked = renderNotice(draft, {
        language: lang,
        role: 'state-contact',
        document: {
          mode: 'link',
          name: 'draft.pdf',
          url: 'https://followup.example.org/documents/t',
          expires: DEADLINE,
        },
      });
      expect(linked.text).toContain('https://followup.example.org/documents/t');
      expect(linked.text).toContain(DEADLINE_WRITTEN[lang]);
    });
  }
});

/**
 * The link page's words in each of the six languages, for every action a State takes by link: the
 * form (labels, help, choices, the progress table with its statuses and themes), the confirmation
 * and the refusals come from the catalogue, with nothing left in English and the codes kept as the
 * values posted; the catalogue has every field the link page shows, in every language.
 */
import { describe, expect, it } from 'vitest';
import { ACTION_FIELDS } from '../../src/domain/actions';
import { PERMISSIONS } from '../../src/domain/permissions';
import { REPORTED_STATUSES } from '../../src/domain/recommendations/model';
import { LANGUAGES, type ActionName, type Language } from '../../src/domain/vocabulary';
import {
  acceptedLanguage,
  LinkDone,
  LinkForm,
  LinkRefused,
  LIST_SEPARATOR,
  refusalWords,
} from '../../src/doors/web/link-page';
import { payloadFromForm } from '../../src/doors/web/fields';
import { format, hasKey } from '../../src/i18n/catalogue';
import { LINK_ACTIONS, linkLabel } from '../../src/infra/links';
import { AppError } from '../../src/services';
import { RECORDER_FIELDS } from '../../src/services/links';

type Link = Parameters<typeof LinkForm>[0]['link'];

/** Every action a State may take for itself: any of them may be given a link (`POST /api/visits/{id}/links`). */
const STATE_ACTIONS = (Object.entries(PERMISSIONS.state) as [ActionName, string][])
  .filter(([, scope]) => scope === 'own-state')
  .map(([action]) => action);
const ACTIONS_BY_LINK = [
  ...new Set([...Object.values(LINK_ACTIONS).flatMap((l) => l.map((a) => a.action)), ...STATE_ACTIONS]),
];

const RECOMMENDATIONS = [
  {
    id: '166-POL/R1',
    text: '…',
    theme: 'border-management',
    priority: true,
    taNeed: '…',
    reported: { status: 'in-progress', at: '2027-01-10T15:00:00.000Z', onBehalf: false },
    assessed: { status: 'largely-implemented', at: '2027-02-01T15:00:00.000Z' },
  },
  { id: '166-POL/R2', text: '…', theme: 'counter-financing', priority: false },
] as unknown as Link['recommendations'];

const link = (action: ActionName, language: Language): Link => ({
  visitId: '166-POL',
  action,
  email: 'focal@mission.example',
  fields: ACTION_FIELDS[action].filter((f) => !RECORDER_FIELDS.has(f.name)),
  expiresAt: '2027-03-02T03:00:00.000Z',
  label: linkLabel(action, language),
  recommendations: RECOMMENDATIONS,
  language,
  state: 'POL',
  stateName: 'POL',
});

/** Words of the English page that no other page may show (whole words, in any script). */
const ENGLISH = [
  'Submit',
  'This link',
  'Visit',
  'until',
  'Confirm receipt',
  'Recorded',
  'Summary',
  'Reference',
  'Date of',
  'required',
  'Committee',
  'Please',
  'Government',
  'comments',
  'Sharing',
  'Recommendation',
  'Status',
  'Steps taken',
  'priority',
  'Implemented',
  'In progress',
  'Not started',
  'Not applicable',
  'assessed',
  'Border management',
  'report',
  'Yes',
  'JSON',
  'comma-separated',
  'not reported yet',
  'no report',
];
const englishIn = (text: string) =>
  ENGLISH.filter((p) => new RegExp(`(?<![\\p{L}\\p{N}])${p}(?![\\p{L}\\p{N}])`, 'iu').test(text));
function readable(html: string): string {
  const attributes = [...html.matchAll(/\s(?:aria-label|placeholder|title|alt)="([^"]*)"/g)].map((m) => m[1]);
  return [html.replace(/<[^>]*>/g, ' '), ...attributes].join(' ');
}

describe('the link page’s words', () => {
  it('has a label for every field a State fills in by link, in every language', () => {
    for (const action of ACTIONS_BY_LINK) {
      expect(hasKey('pages', `action.${action}`), action).toBe(true);
      expect(hasKey('pages', `legend.${action}`), action).toBe(true);
      for (const f of ACTION_FIELDS[action].filter((f) => !RECORDER_FIELDS.has(f.name)))
        expect(hasKey('pages', `field.${action}.${f.name}`), `${action}.${f.name}`).toBe(true);
    }
    // The English page has the words the other pages must not.
    const en = englishIn(readable(String(LinkForm({ token: 't', link: link('report-progress', 'en') }))));
    expect(en).toEqual(expect.arrayContaining(['Submit', 'This link', 'Visit', 'until', 'Status', 'In progress']));
    for (const v of REPORTED_STATUSES) expect(hasKey('pages', `option.status.${v}`), v).toBe(true);
    for (const v of ACTION_FIELDS['record-consent'].find((f) => f.name === 'scope')!.values!)
      expect(hasKey('pages', `option.scope.${v}`), v).toBe(true);
  });

  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    it(`leaves no English on the forms, confirmations and refusals in ${lang}`, () => {
      for (const action of ACTIONS_BY_LINK) {
        const l = link(action, lang);
        const form = String(LinkForm({ token: 't', link: l }));
        expect(form).toContain(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`);
        expect(englishIn(readable(form)), `${action} in ${lang}`).toEqual([]);
        expect(form).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
        // The choices read in the language; the values posted stay the codes.
        if (action === 'record-consent') {
          expect(form).toContain(`<option value="partial">${format('pages', lang, 'option.scope.partial')}</option>`);
        }
        if (action === 'report-progress') {
          expect(form).toContain(`<option value="in-progress">${format('pages', lang, 'option.status.in-progress')}`);
          expect(form).toContain(format('pages', lang, 'theme.border-management'));
        }

        const payload =
          action === 'record-consent'
            ? { scope: 'partial', sections: ['A', 'B'], priorityTaNeedsOnly: true }
            : action === 'report-progress'
              ? { items: [{ recommendation: '166-POL/R1', status: 'implemented', text: '…' }] }
              : {};
        const done = String(LinkDone({ link: l, payload, at: '2027-01-15T12:00:00.000Z' }));
        expect(englishIn(readable(done)), `${action} done in ${lang}`).toEqual([]);
        expect(done).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      }
      const refused = String(
        LinkForm({
          token: 't',
          link: link('record-consent', lang),
          refusal: new AppError('invalid-request', 'record-consent: sections: …', {
            issues: [{ path: ['sections'], message: 'partial consent names the sections or sets priorityTaNeedsOnly' }],
          }),
        }),
      );
      expect(refused).toContain(format('pages', lang, 'error.consent-partial').replace(/"/g, '&quot;'));
      expect(englishIn(readable(refused))).toEqual([]);
      for (const code of ['link-invalid', 'link-expired', 'link-used'] as const)
        expect(englishIn(readable(String(LinkRefused({ code, lang }))))).toEqual([]);
    });
  }

  it('says why an action was refused in the link’s language, naming the field in question', () => {
    const e = new AppError('invalid-request', 'record-comments: receivedOn: not a real calendar date', {
      issues: [
        { path: ['receivedOn'], message: 'not a real calendar date' },
        { path: [], message: 'Unrecognized key: "x"' },
      ],
      fields: ACTION_FIELDS['record-comments'],
    });
    expect(refusalWords(e, { action: 'record-comments', language: 'fr' })).toEqual({
      lead: format('pages', 'fr', 'error.invalid'),
      items: ['Date de la note verbale : veuillez vérifier cette entrée.'],
    });
    expect(
      refusalWords(new AppError('not-allowed-now', 'not now'), { action: 'record-comments', language: 'es' }).lead,
    ).toBe(format('pages', 'es', 'error.not-now'));
  });

  it('reads lists typed with Arabic and Chinese commas on the link page', () => {
    const form = new URLSearchParams({ scope: 'partial', sections: 'أ، ب', partners: 'UNODC，UNOCT、INTERPOL' });
    expect(payloadFromForm('record-consent', form, LIST_SEPARATOR)).toEqual({
      scope: 'partial',
      sections: ['أ', 'ب'],
      partners: ['UNODC', 'UNOCT', 'INTERPOL'],
    });
  });

  it('takes an invalid link’s language from the browser, if it is one of the six', () => {
    expect(acceptedLanguage('de-CH, fr;q=0.8, en;q=0.5')).toBe('fr');
    expect(acceptedLanguage('en;q=0.2, zh-Hans-CN')).toBe('zh');
    expect(acceptedLanguage('ar;q=0, de')).toBe('en');
    expect(acceptedLanguage(undefined)).toBe('en');
  });
});

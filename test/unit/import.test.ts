/** Reading the visits CSV: the reference file's columns, each optional but the first seven; every bad row named. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVisitsCsv } from '../../src/services/import';

const REFERENCE = readFileSync(join(__dirname, '..', 'fixtures', 'ctc-visits-2018-2019.csv'), 'utf8');
const DEFAULTS = {
  caseOfficer: 'officer@cted.example.org',
  stateContact: 'focal-{iso3}@mission.example.org',
  permanentMission: 'mission-{iso3}@un-missions.example.org',
};
const FIRST_SEVEN = 'visit_number,member_state,iso3,visit_type,ordinal,start_date,end_date';

describe('readVisitsCsv on the reference file (../shared/data/ctc-visits-2018-2019.csv)', () => {
  const { rows, problems } = readVisitsCsv(REFERENCE, DEFAULTS);
  const byId = new Map(rows.map((r) => [`${r.request.number}-${r.request.state}`, r.request]));

  it('reads all 31 visits with no problem', () => {
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(31);
  });

  it('takes regional groups from the data, not from start dates: Armenia with Georgia and Azerbaijan, New Zealand with Australia', () => {
    const group = (id: string) => byId.get(id)?.groupId;
    expect(['144-ARM', '146-GEO', '148-AZE'].map(group)).toEqual(Array(3).fill('south-caucasus-2018'));
    expect(['145-NZL', '147-AUS'].map(group)).toEqual(['pacific-2018', 'pacific-2018']);
    // Armenia and New Zealand started the same day, in different groups.
    expect(byId.get('144-ARM')?.start).toBe(byId.get('145-NZL')?.start);
    expect(rows.filter((r) => r.request.groupId).map((r) => r.request.type)).toEqual(Array(5).fill('regional'));
  });

  it('keeps the ordinal, the language (all six official codes occur) and the State name; fills the Permanent Mission from the template', () => {
    expect(byId.get('136-GRC')).toMatchObject({
      ordinal: 'second',
      language: 'en',
      stateName: 'Greece',
      permanentMission: 'mission-grc@un-missions.example.org',
      stateContact: 'focal-grc@mission.example.org',
      caseOfficer: 'officer@cted.example.org',
    });
    expect(byId.get('137-CHE')).toMatchObject({ language: 'fr' });
    expect(byId.get('137-CHE')).not.toHaveProperty('ordinal');
    expect(new Set(rows.map((r) => r.request.language))).toEqual(new Set(['ar', 'zh', 'en', 'fr', 'ru', 'es']));
  });
});

describe('readVisitsCsv, the optional columns', () => {
  it('needs only the first seven columns; the rest are taken when present', () => {
    const minimal = readVisitsCsv(`${FIRST_SEVEN}\n503,Peru,PER,focused,,2019-11-12,2019-11-14\n`, DEFAULTS);
    expect(minimal.problems).toEqual([]);
    expect(minimal.rows[0]?.request).toMatchObject({ number: 503, state: 'PER', stateName: 'Peru', language: 'en' });
    expect(minimal.rows[0]?.request).not.toHaveProperty('groupId');

    const full = readVisitsCsv(
      `${FIRST_SEVEN},group,language,state_name,permanent_mission,case_officer,state_contact\n` +
        '170,Türkiye,TUR,follow-up,third,2019-10-01,2019-10-03,,ar,Türkiye,pm@tur.example.org,o2@cted.example.org,fp@tur.example.org\n',
      DEFAULTS,
    );
    expect(full.problems).toEqual([]);
    expect(full.rows[0]?.request).toMatchObject({
      ordinal: 'third',
      language: 'ar',
      stateName: 'Türkiye',
      permanentMission: 'pm@tur.example.org',
      caseOfficer: 'o2@cted.example.org',
      stateContact: 'fp@tur.example.org',
    });
  });

  it('refuses a language that is not one of the six official codes, and a missing required column, naming the line', () => {
    const bad = readVisitsCsv(`${FIRST_SEVEN},language\n503,Peru,PER,focused,,2019-11-12,2019-11-14,de\n`, DEFAULTS);
    expect(bad.rows).toEqual([]);
    expect(bad.problems).toEqual([{ line: 2, message: expect.stringContaining('language') }]);
    const missing = readVisitsCsv('visit_number,member_state,iso3,visit_type,start_date,end_date\n', DEFAULTS);
    expect(missing.problems).toEqual([{ line: 1, message: 'missing column(s): ordinal' }]);
  });
});

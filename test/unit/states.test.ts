/** The States' names and Permanent Missions in the six official languages (src/i18n/states.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/domain/vocabulary';
import { parseCsv } from '../../src/infra/csv';
import { knownStates, missionOf, stateName } from '../../src/i18n/states';

const [header, ...records] = parseCsv(
  readFileSync(join(__dirname, '..', 'fixtures', 'ctc-visits-2018-2019.csv'), 'utf8'),
);
const column = (name: string) => header!.indexOf(name);
const visited = new Map(records.map((r) => [r[column('iso3')]!, r[column('state_name')]!]));

const ARABIC = /[\u0600-\u06FF]/;
const LATIN = /[A-Za-z\u00C0-\u024F]/;
const CJK = /[\u4E00-\u9FFF]/;

describe('the table', () => {
  it('names every State of the 2018–2019 visits, and Poland, in all six languages', () => {
    expect(visited.size).toBeGreaterThanOrEqual(29);
    for (const iso3 of [...visited.keys(), 'POL']) {
      expect(knownStates()).toContain(iso3);
      for (const lang of LANGUAGES) {
        expect(stateName(iso3, lang), `${iso3} ${lang}`).not.toBe(iso3);
        expect(missionOf(iso3, lang), `${iso3} ${lang}`).toBeTruthy();
      }
    }
  });

  it('writes the English name on file for the States visited', () => {
    for (const [iso3, name] of visited) expect(stateName(iso3, 'en')).toBe(name);
  });

  it('writes Arabic in Arabic letters only, Chinese in CJK, Russian in Cyrillic', () => {
    for (const iso3 of knownStates()) {
      for (const text of [stateName(iso3, 'ar'), missionOf(iso3, 'ar')!]) {
        expect(text, iso3).toMatch(ARABIC);
        expect(text, iso3).not.toMatch(LATIN);
      }
      expect(stateName(iso3, 'zh'), iso3).toMatch(CJK);
      expect(missionOf(iso3, 'zh'), iso3).toMatch(/^[\u4E00-\u9FFF（）]+常驻联合国代表团$/);
      expect(missionOf(iso3, 'ru'), iso3).toMatch(
        /^Постоянному представительству [А-Яа-я].* при Организации Объединенных Наций$/,
      );
      expect(missionOf(iso3, 'ru'), iso3).not.toMatch(LATIN);
    }
  });

  it('puts the name inside the Mission, as the language writes it', () => {
    for (const iso3 of knownStates()) {
      expect(missionOf(iso3, 'en'), iso3).toMatch(/^the Permanent Mission of .+ to the United Nations$/);
      expect(missionOf(iso3, 'en'), iso3).toContain(stateName(iso3, 'en'));
      expect(missionOf(iso3, 'fr'), iso3).toMatch(
        /^la Mission permanente (de la |de l’|du |des |de |d’).+ auprès de l’Organisation des Nations Unies$/,
      );
      expect(missionOf(iso3, 'fr'), iso3).toContain(stateName(iso3, 'fr'));
      expect(missionOf(iso3, 'es'), iso3).toMatch(
        /^la Misión Permanente (de la |de los |de las |del |de ).+ ante las Naciones Unidas$/,
      );
      expect(missionOf(iso3, 'es'), iso3).toContain(stateName(iso3, 'es'));
      expect(missionOf(iso3, 'zh'), iso3).toBe(`${stateName(iso3, 'zh')}常驻联合国代表团`);
      expect(missionOf(iso3, 'ar'), iso3).toMatch(/^البعثة الدائمة ل.+ لدى الأمم المتحدة$/);
    }
  });
});

describe('Poland', () => {
  it('in the six languages', () => {
    const names = Object.fromEntries(LANGUAGES.map((l) => [l, stateName('POL', l)]));
    expect(names).toEqual({ ar: 'بولندا', zh: '波兰', en: 'Poland', fr: 'Pologne', ru: 'Польша', es: 'Polonia' });
    const missions = Object.fromEntries(LANGUAGES.map((l) => [l, missionOf('POL', l)]));
    expect(missions).toEqual({
      ar: 'البعثة الدائمة لبولندا لدى الأمم المتحدة',
      zh: '波兰常驻联合国代表团',
      en: 'the Permanent Mission of Poland to the United Nations',
      fr: 'la Mission permanente de la Pologne auprès de l’Organisation des Nations Unies',
      ru: 'Постоянному представительству Польши при Организации Объединенных Наций',
      es: 'la Misión Permanente de Polonia ante las Naciones Unidas',
    });
  });
});

describe('names the UN has changed or writes its own way', () => {
  it('Türkiye in English, French and Spanish; Турция, تركيا, 土耳其 in the others', () => {
    expect(['en', 'fr', 'es'].map((l) => stateName('TUR', l as 'en'))).toEqual(['Türkiye', 'Türkiye', 'Türkiye']);
    expect(stateName('TUR', 'ru')).toBe('Турция');
    expect(stateName('TUR', 'ar')).toBe('تركيا');
    expect(stateName('TUR', 'zh')).toBe('土耳其');
    expect(missionOf('TUR', 'en')).toBe('the Permanent Mission of Türkiye to the United Nations');
    expect(missionOf('TUR', 'ru')).toBe('Постоянному представительству Турции при Организации Объединенных Наций');
  });

  it("Côte d'Ivoire in every Latin-script language (French with its own apostrophe)", () => {
    expect(stateName('CIV', 'en')).toBe("Côte d'Ivoire");
    expect(stateName('CIV', 'fr')).toBe('Côte d’Ivoire');
    expect(stateName('CIV', 'es')).toBe("Côte d'Ivoire");
    expect(missionOf('CIV', 'fr')).toBe(
      'la Mission permanente de la Côte d’Ivoire auprès de l’Organisation des Nations Unies',
    );
    expect(missionOf('CIV', 'ru')).toBe(
      "Постоянному представительству Кот-д'Ивуара при Организации Объединенных Наций",
    );
    expect(stateName('CIV', 'zh')).toBe('科特迪瓦');
  });

  it('French contractions and English articles', () => {
    expect(missionOf('CHE', 'fr')).toBe(
      'la Mission permanente de la Suisse auprès de l’Organisation des Nations Unies',
    );
    expect(missionOf('MAR', 'fr')).toContain('Mission permanente du Maroc auprès');
    expect(missionOf('ARM', 'fr')).toContain('Mission permanente de l’Arménie auprès');
    expect(missionOf('PHL', 'fr')).toContain('Mission permanente des Philippines auprès');
    expect(missionOf('PHL', 'en')).toBe('the Permanent Mission of the Philippines to the United Nations');
    expect(missionOf('USA', 'en')).toBe('the Permanent Mission of the United States of America to the United Nations');
    expect(missionOf('NER', 'es')).toBe('la Misión Permanente del Níger ante las Naciones Unidas');
    expect(missionOf('KGZ', 'ru')).toBe('Постоянному представительству Кыргызстана при Организации Объединенных Наций');
    expect(missionOf('CHN', 'ar')).toBe('البعثة الدائمة للصين لدى الأمم المتحدة');
  });
});

describe('a State the table lacks', () => {
  it('takes the name on file, then the code; has no Mission wording', () => {
    expect(stateName('XKX', 'fr', 'Somewhere')).toBe('Somewhere');
    expect(stateName('XKX', 'fr')).toBe('XKX');
    expect(stateName('XKX', 'fr', '  ')).toBe('XKX');
    expect(missionOf('XKX', 'ru')).toBeUndefined();
  });

  it('prefers the table to the name on file, and reads the code in any case', () => {
    expect(stateName('TUR', 'en', 'Turkey')).toBe('Türkiye');
    expect(stateName('pol', 'fr')).toBe('Pologne');
    expect(missionOf('toString', 'en')).toBeUndefined();
    expect(stateName('constructor', 'en')).toBe('constructor');
  });
});

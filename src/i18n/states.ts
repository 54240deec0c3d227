/**
 * The States' names as the United Nations writes them today, in the six official languages
 * (`states.json`, by ISO 3166-1 alpha-3 code): per language, the short name (`name`) and the
 * Permanent Mission as a note verbale names it (`mission`) — in English and French with the
 * article the name takes, in Russian in the dative that follows «свидетельствует свое уважение»,
 * in Arabic after «إلى». A State the table lacks falls back to the name on file (`stateName`)
 * or to a generic wording chosen by the caller (`missionOf` gives `undefined`).
 *
 * Names follow UNTERM and the UN Statistics Division's M49 list in each language (Türkiye in
 * English, French and Spanish since 2022; Турция, تركيا, 土耳其 otherwise); English, French and
 * Spanish take the article UNTERM gives the name ("the Philippines", "de la Suisse", "du Maroc",
 * "del Perú"). Left out on purpose, until a translator writes them: the names UNTERM inverts
 * (Bolivia, Iran, Micronesia, Venezuela), the Kingdom of the Netherlands, Papua New Guinea,
 * Saint Kitts and Nevis, Saint Vincent and the Grenadines, and the observer States.
 */
import { z } from 'zod';
import { LANGUAGES, type Language } from '../domain/vocabulary';
import table from './states.json';

const Wording = z.object({ name: z.string().trim().min(1), mission: z.string().trim().min(1) }).strict();
const Entry = z
  .object(Object.fromEntries(LANGUAGES.map((l) => [l, Wording])) as Record<Language, typeof Wording>)
  .strict();
const Table = z.record(z.string().regex(/^[A-Z]{3}$/, 'an ISO 3166-1 alpha-3 code'), Entry);

const STATES: Readonly<Record<string, z.infer<typeof Entry>>> = Table.parse(table);

const entry = (iso3: string) => (Object.hasOwn(STATES, iso3.toUpperCase()) ? STATES[iso3.toUpperCase()] : undefined);

/** The State's name in a language; falls back to `fallback` (the name on file), then the ISO3 code. */
export function stateName(iso3: string, lang: Language, fallback?: string): string {
  return entry(iso3)?.[lang].name ?? (fallback?.trim() ? fallback : iso3);
}

/** The Permanent Mission as a note verbale names it, or undefined when the table lacks the State (the caller then uses a generic wording). */
export function missionOf(iso3: string, lang: Language): string | undefined {
  return entry(iso3)?.[lang].mission;
}

/** The ISO3 codes the table names, sorted. */
export function knownStates(): string[] {
  return Object.keys(STATES).sort();
}

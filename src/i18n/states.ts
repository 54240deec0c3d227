/** Stand-in until the table of UN State names lands: the name on file, else the code. */
import type { Language } from '../domain/vocabulary';

export function stateName(iso3: string, _lang: Language, fallback?: string): string {
  return fallback ?? iso3;
}

export function missionOf(_iso3: string, _lang: Language): string | undefined {
  return undefined;
}

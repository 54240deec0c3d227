/** A Member State's name as the UN writes it, in a language. Stand-in: the name on file, else the code. */
import type { Language } from '../domain/vocabulary';

export function stateName(iso3: string, lang: Language, fallback?: string): string {
  void lang;
  return fallback ?? iso3;
}

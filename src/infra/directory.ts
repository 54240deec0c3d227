/**
 * The directory of people who are not part of one visit: the Committee secretariat, CTED
 * management, Committee members, the Chair, and partner organisations. Loaded from config, never
 * written in code. Each entry is an address, or an address with the language its owner reads:
 * `"ctc-secretariat@un.example.org"` or `{ "email": "...", "language": "fr" }`.
 */
import { z } from 'zod';
import { readJsonFile } from './json-file';
import { LANGUAGES, type Language, type Recipient } from '../domain/vocabulary';
import type { VisitSummary } from '../domain/visit';

/** One person: an address, and the language written to it (English unless the entry says). */
export interface Correspondent {
  email: string;
  language?: Language;
}

const Entry = z
  .union([
    z.email(),
    z.strictObject({
      email: z.email(),
      language: z.enum(LANGUAGES, { error: `language must be one of ${LANGUAGES.join(', ')}` }),
    }),
  ])
  .transform((e): Correspondent => (typeof e === 'string' ? { email: e } : e));
const Entries = z.array(Entry).default([]);

export const Directory = z
  .object({
    secretariat: Entries,
    ctedManagement: Entries,
    committee: Entries,
    chair: Entries,
    /** Partner organisations by short name (UNODC, UNOCT, INTERPOL, ...). */
    partners: z
      .record(z.string().regex(/^[A-Za-z0-9-]{2,30}$/, 'partner names are short codes such as UNODC'), Entries)
      .default({}),
  })
  .strict();
export type Directory = z.infer<typeof Directory>;

export function loadDirectory(file: string): Directory {
  return readJsonFile('FOLLOWUP_DIRECTORY', file, Directory);
}

/** The directory's entries for a role (none for the visit's own contacts). */
function entriesFor(to: Recipient, directory: Directory): Correspondent[] {
  switch (to) {
    case 'secretariat':
      return directory.secretariat;
    case 'cted-management':
      return directory.ctedManagement;
    case 'committee':
      return directory.committee;
    case 'chair':
      return directory.chair;
    case 'partners':
      return Object.values(directory.partners).flat();
    default:
      return to.startsWith('partner:') ? (directory.partners[to.slice('partner:'.length)] ?? []) : [];
  }
}

/** The language the directory gives an address anywhere (a case officer listed there too), if any. */
function listedLanguage(email: string, directory: Directory): Language | undefined {
  const all = [
    ...directory.secretariat,
    ...directory.ctedManagement,
    ...directory.committee,
    ...directory.chair,
    ...Object.values(directory.partners).flat(),
  ];
  return all.find((c) => c.email.toLowerCase() === email.toLowerCase() && c.language)?.language;
}

/**
 * The people a recipient role stands for, each with the language written to it: the State's focal
 * point and Permanent Mission read the visit's language; everyone else the directory's, else English.
 */
export function correspondentsFor(
  to: Recipient,
  visit: Pick<VisitSummary, 'contacts' | 'language'>,
  directory: Directory,
): { email: string; language: Language }[] {
  const { contacts } = visit;
  switch (to) {
    case 'state-contact':
      return [{ email: contacts.stateContact, language: visit.language }];
    case 'permanent-mission':
      return contacts.permanentMission ? [{ email: contacts.permanentMission, language: visit.language }] : [];
    case 'case-officer':
      return [{ email: contacts.caseOfficer, language: listedLanguage(contacts.caseOfficer, directory) ?? 'en' }];
    default:
      // One person reads one language, whichever role the directory lists it under.
      return entriesFor(to, directory).map((c) => ({
        email: c.email,
        language: c.language ?? listedLanguage(c.email, directory) ?? 'en',
      }));
  }
}

/** The addresses for one recipient role: from the visit's contacts or the directory. */
export function addressesFor(to: Recipient, contacts: VisitSummary['contacts'], directory: Directory): string[] {
  return correspondentsFor(to, { contacts, language: 'en' }, directory).map((c) => c.email);
}

/** The addresses of a directory role (the digests go to the secretariat's). */
export const emailsOf = (entries: readonly Correspondent[]): string[] => entries.map((c) => c.email);

/**
 * The directory of people who are not part of one visit: the Committee secretariat, CTED
 * management, Committee members, the Chair, and partner organisations. Loaded from config, never
 * written in code.
 */
import { z } from 'zod';
import { readJsonFile } from './json-file';
import type { Recipient } from '../domain/vocabulary';
import type { VisitContacts } from '../domain/visit';

const Emails = z.array(z.email()).default([]);

export const Directory = z
  .object({
    secretariat: Emails,
    ctedManagement: Emails,
    committee: Emails,
    chair: Emails,
    /** Partner organisations by short name (UNODC, UNOCT, INTERPOL, ...). */
    partners: z
      .record(z.string().regex(/^[A-Za-z0-9-]{2,30}$/, 'partner names are short codes such as UNODC'), Emails)
      .default({}),
  })
  .strict();
export type Directory = z.infer<typeof Directory>;

export function loadDirectory(file: string): Directory {
  return readJsonFile('FOLLOWUP_DIRECTORY', file, Directory);
}

/** The addresses for one recipient role: from the visit's contacts or the directory. */
export function addressesFor(to: Recipient, contacts: VisitContacts, directory: Directory): string[] {
  switch (to) {
    case 'case-officer':
      return [contacts.caseOfficer];
    case 'state-contact':
      return [contacts.stateContact];
    case 'permanent-mission':
      return contacts.permanentMission ? [contacts.permanentMission] : [];
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
      return directory.partners[to.slice('partner:'.length)] ?? [];
  }
}

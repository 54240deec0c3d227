/** The directory: each entry an address, or an address with the language its owner reads. */
import { describe, expect, it } from 'vitest';
import { correspondentsFor, Directory, emailsOf } from '../../src/infra/directory';

const VISIT = {
  language: 'ar' as const,
  contacts: {
    caseOfficer: 'officer@cted.example.org',
    stateContact: 'focal.point@mission.example.org',
    permanentMission: 'mission@mission.example.org',
  },
};

const DIRECTORY = Directory.parse({
  secretariat: ['ctc-secretariat@un.example.org', { email: 'desk.fr@un.example.org', language: 'fr' }],
  committee: [{ email: 'member.ru@mission.example.org', language: 'ru' }, 'member@mission.example.org'],
  chair: [{ email: 'chair@mission.example.org', language: 'es' }],
  ctedManagement: [{ email: 'officer@cted.example.org', language: 'fr' }],
  partners: { UNODC: [{ email: 'ta@unodc.example.org', language: 'zh' }], UNOCT: ['ta@unoct.example.org'] },
});

describe('the directory', () => {
  it('takes bare addresses and addresses with a language, and gives each its language (English by default)', () => {
    expect(correspondentsFor('secretariat', VISIT, DIRECTORY)).toEqual([
      { email: 'ctc-secretariat@un.example.org', language: 'en' },
      { email: 'desk.fr@un.example.org', language: 'fr' },
    ]);
    expect(correspondentsFor('committee', VISIT, DIRECTORY).map((c) => c.language)).toEqual(['ru', 'en']);
    expect(correspondentsFor('chair', VISIT, DIRECTORY)).toEqual([
      { email: 'chair@mission.example.org', language: 'es' },
    ]);
    expect(correspondentsFor('partner:UNODC', VISIT, DIRECTORY)).toEqual([
      { email: 'ta@unodc.example.org', language: 'zh' },
    ]);
    expect(correspondentsFor('partners', VISIT, DIRECTORY).map((c) => c.language)).toEqual(['zh', 'en']);
    expect(emailsOf(DIRECTORY.secretariat)).toEqual(['ctc-secretariat@un.example.org', 'desk.fr@un.example.org']);
  });

  it("writes to the State's focal point and Mission in the visit's language, and to a listed case officer in the directory's", () => {
    expect(correspondentsFor('state-contact', VISIT, DIRECTORY)).toEqual([
      { email: 'focal.point@mission.example.org', language: 'ar' },
    ]);
    expect(correspondentsFor('permanent-mission', VISIT, DIRECTORY)).toEqual([
      { email: 'mission@mission.example.org', language: 'ar' },
    ]);
    expect(correspondentsFor('case-officer', VISIT, DIRECTORY)).toEqual([
      { email: 'officer@cted.example.org', language: 'fr' },
    ]);
    expect(correspondentsFor('case-officer', VISIT, Directory.parse({}))).toEqual([
      { email: 'officer@cted.example.org', language: 'en' },
    ]);
  });

  it('gives one person one language, whichever role lists it', () => {
    const d = Directory.parse({
      secretariat: [{ email: 'x@un.example.org', language: 'fr' }],
      committee: ['X@un.example.org'],
    });
    expect(correspondentsFor('committee', VISIT, d)).toEqual([{ email: 'X@un.example.org', language: 'fr' }]);
    expect(correspondentsFor('secretariat', VISIT, d)).toEqual([{ email: 'x@un.example.org', language: 'fr' }]);
  });

  it('refuses an entry with a language that is not one of the six, or with an unknown field', () => {
    const bad = Directory.safeParse({ committee: [{ email: 'm@example.org', language: 'de' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message).join(' ')).toMatch(/ar, zh, en, fr, ru, es|Invalid/);
    expect(Directory.safeParse({ committee: [{ email: 'm@example.org', language: 'fr', name: 'x' }] }).success).toBe(
      false,
    );
    expect(Directory.safeParse({ committee: [{ email: 'not-an-address', language: 'fr' }] }).success).toBe(false);
  });
});

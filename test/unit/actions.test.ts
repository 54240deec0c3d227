/** Action payloads: the field table and the zod validators built from it. */
import { describe, expect, it } from 'vitest';
import { ZodError, z } from 'zod';
import {
  ACTION_FIELDS,
  ACTION_PAYLOADS,
  ActionNameSchema,
  FieldSpec,
  describeIssues,
  parsePayload,
} from '../../src/domain/actions';
import { ACTIONS, type ActionName } from '../../src/domain/vocabulary';

const REQUIRED: Partial<Record<ActionName, Record<string, unknown>>> = {
  'refer-ta': { partners: ['UNODC'], agreedOn: '2026-11-30' },
  'agree-ta-needs': { recommendations: ['166-POL/R1'] },
  'record-ta-response': { recommendation: '166-POL/R1', partner: 'UNODC', response: 'accepted' },
  'record-ta-delivery': { recommendation: '166-POL/R1', partner: 'UNODC', status: 'delivered' },
  'record-recommendations': {
    recommendations: [{ number: 1, text: 'Adopt a law', theme: 'legislation', priority: true }],
  },
  'report-progress': { items: [{ recommendation: '166-POL/R1', status: 'in-progress' }] },
  'assess-recommendation': { items: [{ recommendation: '166-POL/R1', status: 'implemented' }] },
  'refuse-extension': { reason: 'The Committee meets that week' },
  object: { reason: 'Paragraph 12 misstates the law' },
  'return-to-cted': { reason: 'Revise section III' },
  'record-consent': { scope: 'full' },
  withdraw: { reason: 'Visit cancelled' },
};

const parse = (action: ActionName, payload: unknown) => ACTION_PAYLOADS[action].safeParse(payload);

describe('ACTION_FIELDS', () => {
  it('describes every action of the vocabulary, and only those', () => {
    expect(Object.keys(ACTION_FIELDS).sort()).toEqual([...ACTIONS].sort());
    expect(Object.keys(ACTION_PAYLOADS).sort()).toEqual([...ACTIONS].sort());
  });

  it('marks exactly the required fields of DOMAIN.md', () => {
    const required: Record<string, string[]> = {};
    for (const a of ACTIONS) {
      const names = ACTION_FIELDS[a].filter((f) => f.required).map((f) => f.name);
      if (names.length) required[a] = names;
    }
    expect(required).toEqual({
      // agreedOn, or the recommendations whose agreed needs are referred (a refinement, not a field).
      'refer-ta': ['partners'],
      'agree-ta-needs': ['recommendations'],
      'record-ta-response': ['recommendation', 'partner', 'response'],
      'record-ta-delivery': ['recommendation', 'partner', 'status'],
      'record-recommendations': ['recommendations'],
      'report-progress': ['items'],
      'assess-recommendation': ['items'],
      'refuse-extension': ['reason'],
      object: ['reason'],
      'return-to-cted': ['reason'],
      'record-consent': ['scope'],
      withdraw: ['reason'],
    });
  });

  it('lists the consent scopes on record-consent', () => {
    expect(ACTION_FIELDS['record-consent'].find((f) => f.name === 'scope')?.values).toEqual([
      'none',
      'partial',
      'full',
    ]);
  });
});

describe('ACTION_FIELDS and ACTION_PAYLOADS come from one table', () => {
  it.each([...ACTIONS])(
    '%s: the fields are the payload schema’s keys, in order, required where not optional',
    (action) => {
      const fields = ACTION_FIELDS[action];
      for (const f of fields) expect(FieldSpec.strict().parse(f)).toEqual(f);
      expect(fields.map((f) => f.name)).toEqual(Object.keys(z.toJSONSchema(ACTION_PAYLOADS[action]).properties ?? {}));
      expect(fields.filter((f) => f.required).map((f) => f.name)).toEqual(
        z.toJSONSchema(ACTION_PAYLOADS[action]).required ?? [],
      );
    },
  );

  it('shows the same field the same way wherever it appears', () => {
    const byName = new Map<string, string>();
    for (const f of Object.values(ACTION_FIELDS)
      .flat()
      .filter((f) => f.name === 'note' || f.name === 'documentRef')) {
      const shown = JSON.stringify(f);
      expect(byName.get(f.name) ?? shown).toBe(shown);
      byName.set(f.name, shown);
    }
    expect([...byName.keys()].sort()).toEqual(['documentRef', 'note']);
  });
});

describe('parsePayload', () => {
  it('returns the validated payload of the action, or throws the ZodError', () => {
    expect(parsePayload('refer-ta', { partners: [' UNODC '] })).toEqual({ partners: ['UNODC'] });
    expect(() => parsePayload('object', {})).toThrow(ZodError);
  });
});

describe('ACTION_PAYLOADS: every action', () => {
  it.each([...ACTIONS])('%s accepts its minimal payload', (action) => {
    const payload = REQUIRED[action] ?? {};
    const r = parse(action, payload);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(payload);
  });

  it.each([...ACTIONS])('%s refuses an unknown field', (action) => {
    const r = parse(action, { ...(REQUIRED[action] ?? {}), actor: 'someone@example.org' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['actor'] });
  });

  it.each(Object.keys(REQUIRED) as ActionName[])('%s refuses a payload without its required field', (action) => {
    const r = parse(action, {});
    expect(r.success).toBe(false);
    const requiredNames = ACTION_FIELDS[action].filter((f) => f.required).map((f) => f.name);
    expect(r.error?.issues.map((i) => i.path[0])).toEqual(requiredNames);
  });

  it.each([...ACTIONS])('%s refuses a payload that is not an object', (action) => {
    expect(parse(action, 'reason').success).toBe(false);
    expect(parse(action, null).success).toBe(false);
  });
});

describe('string fields', () => {
  it('are trimmed', () => {
    expect(parse('withdraw', { reason: '  Visit cancelled  ' }).data).toEqual({ reason: 'Visit cancelled' });
  });

  it('refuse blank text and text over 4000 characters', () => {
    expect(parse('object', { reason: '   ' }).success).toBe(false);
    expect(parse('object', { reason: '' }).success).toBe(false);
    expect(parse('object', { reason: 'x'.repeat(4001) }).success).toBe(false);
    expect(parse('object', { reason: 'x'.repeat(4000) }).success).toBe(true);
  });

  it('refuse non-strings', () => {
    expect(parse('object', { reason: 42 }).success).toBe(false);
    expect(parse('record-pao', { documentRef: ['S/2026/1'] }).success).toBe(false);
  });
});

describe('string list fields (refer-ta partners)', () => {
  it('accept a list of partner names, trimmed', () => {
    expect(
      parse('refer-ta', { partners: [' UNODC ', 'UNOCT'], needs: 'Border security', agreedOn: '2026-11-30' }).data,
    ).toEqual({
      partners: ['UNODC', 'UNOCT'],
      needs: 'Border security',
      agreedOn: '2026-11-30',
    });
  });

  it('refuse an empty list, a blank name, a plain string and more than 50 names', () => {
    const agreedOn = '2026-11-30';
    expect(parse('refer-ta', { partners: [], agreedOn }).success).toBe(false);
    expect(parse('refer-ta', { partners: ['UNODC', ' '], agreedOn }).success).toBe(false);
    expect(parse('refer-ta', { partners: 'UNODC', agreedOn }).success).toBe(false);
    expect(parse('refer-ta', { partners: Array.from({ length: 51 }, (_, i) => `P${i}`), agreedOn }).success).toBe(
      false,
    );
    expect(parse('refer-ta', { partners: Array.from({ length: 50 }, (_, i) => `P${i}`), agreedOn }).success).toBe(true);
  });

  it('refer-ta needs the day the State agreed; a referral recorded before that rule still replays', () => {
    expect(parse('refer-ta', { partners: ['UNODC'] }).success).toBe(false);
    expect(parsePayload('refer-ta', { partners: ['UNODC'] })).toEqual({ partners: ['UNODC'] });
  });
});

describe('date fields', () => {
  it.each([
    ['confirm-receipt', 'receivedOn'],
    ['record-adoption', 'meetingDate'],
    ['invite-briefing', 'date'],
    ['record-briefing', 'date'],
  ] as const)('%s.%s accepts a real date', (action, field) => {
    expect(parse(action, { [field]: '2026-11-20' }).success).toBe(true);
  });

  it('accepts 29 February in a leap year only', () => {
    expect(parse('confirm-receipt', { receivedOn: '2028-02-29' }).success).toBe(true);
    const r = parse('confirm-receipt', { receivedOn: '2026-02-29' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['receivedOn'], message: 'not a real calendar date' });
  });

  it.each(['2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-11-00'])(
    'refuses the impossible date %s',
    (date) => {
      const r = parse('confirm-receipt', { receivedOn: date });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['receivedOn']);
    },
  );

  it.each(['2026-11-2', '20/11/2026', '2026-11-20T10:00:00Z', 'tomorrow', ''])(
    'refuses %j, which is not written YYYY-MM-DD',
    (date) => {
      const r = parse('record-adoption', { meetingDate: date });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]).toMatchObject({ path: ['meetingDate'], message: 'expected a date as YYYY-MM-DD' });
    },
  );
});

describe('record-consent', () => {
  it('accepts full and none without sections', () => {
    expect(parse('record-consent', { scope: 'full', note: 'Decided by the Minister' }).success).toBe(true);
    expect(parse('record-consent', { scope: 'none' }).success).toBe(true);
  });

  it('accepts partial consent naming sections, the priority TA needs only, or both', () => {
    expect(parse('record-consent', { scope: 'partial', sections: ['I', 'III'] }).data).toEqual({
      scope: 'partial',
      sections: ['I', 'III'],
    });
    expect(parse('record-consent', { scope: 'partial', priorityTaNeedsOnly: true }).success).toBe(true);
    expect(parse('record-consent', { scope: 'partial', sections: ['II'], priorityTaNeedsOnly: true }).success).toBe(
      true,
    );
  });

  it('refuses partial consent with neither sections nor priorityTaNeedsOnly', () => {
    for (const payload of [{ scope: 'partial' }, { scope: 'partial', priorityTaNeedsOnly: false }]) {
      const r = parse('record-consent', payload);
      expect(r.success).toBe(false);
      expect(r.error?.issues).toEqual([
        expect.objectContaining({
          path: ['sections'],
          message: 'partial consent names the sections or sets priorityTaNeedsOnly',
        }),
      ]);
    }
  });

  it('refuses sections or priorityTaNeedsOnly with full or none', () => {
    for (const payload of [
      { scope: 'full', sections: ['I'] },
      { scope: 'none', priorityTaNeedsOnly: true },
    ]) {
      const r = parse('record-consent', payload);
      expect(r.success).toBe(false);
      expect(r.error?.issues).toEqual([
        expect.objectContaining({
          path: ['scope'],
          message: 'sections and priorityTaNeedsOnly apply only to partial consent',
        }),
      ]);
    }
  });

  it('refuses an unknown scope and a non-boolean priorityTaNeedsOnly', () => {
    const r = parse('record-consent', { scope: 'some' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['scope']);
    expect(parse('record-consent', { scope: 'partial', priorityTaNeedsOnly: 'yes' }).success).toBe(false);
  });
});

describe('ActionNameSchema', () => {
  it('accepts the vocabulary’s actions and refuses others', () => {
    expect(ActionNameSchema.parse('place-hold')).toBe('place-hold');
    expect(ActionNameSchema.safeParse('approve').success).toBe(false);
    expect(ActionNameSchema.safeParse('Place-Hold').success).toBe(false);
  });
});

describe('describeIssues', () => {
  it('names each field, or "payload" for the payload itself', () => {
    const unknown = parse('record-pao', { colour: 'blue' });
    expect(describeIssues(unknown.error!)).toBe('payload: Unrecognized key: "colour"');

    const partial = parse('record-consent', { scope: 'partial' });
    expect(describeIssues(partial.error!)).toBe(
      'sections: partial consent names the sections or sets priorityTaNeedsOnly',
    );
  });

  it('joins several issues with "; "', () => {
    const r = parse('confirm-receipt', { receivedOn: '2026-02-30', extra: 1 });
    const text = describeIssues(r.error!);
    expect(text.split('; ').sort()).toEqual(
      ['payload: Unrecognized key: "extra"', 'receivedOn: not a real calendar date'].sort(),
    );
  });
});

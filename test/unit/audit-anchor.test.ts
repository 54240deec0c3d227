/** The audit chain's anchor, as pure functions: which head it keeps, and the store's chain checked against it. */
import { describe, expect, it } from 'vitest';
import { AuditHead, checkAnchor, newerHead, type AuditChainLookup } from '../../src/domain/audit-anchor';

const hash = (id: number, variant = '') => `${variant}${id.toString(16).padStart(4, '0')}`.padEnd(64, 'a');
const chain = (n: number): AuditHead[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, hash: hash(i + 1) }));
const head = (id: number, variant = ''): AuditHead => ({ id, hash: hash(id, variant) });

describe('newerHead', () => {
  it('keeps the highest id, whatever order the heads arrive in', () => {
    let h: AuditHead | null = null;
    for (const id of [3, 1, 7, 5, 6, 2]) h = newerHead(h, head(id));
    expect(h).toEqual(head(7));
  });

  it('keeps the hash first anchored for an id seen twice', () => {
    expect(newerHead(head(4), head(4, 'f'))).toEqual(head(4));
  });

  it('copies only the id and the hash', () => {
    const entry = { ...head(2), actor: 'someone@example.org' } as AuditHead;
    expect(newerHead(null, entry)).toEqual(head(2));
  });
});

describe('AuditHead', () => {
  it('takes a positive integer id and a hash, nothing else', () => {
    expect(AuditHead.safeParse(head(1)).success).toBe(true);
    expect(AuditHead.safeParse({ id: 0, hash: hash(0) }).success).toBe(false);
    expect(AuditHead.safeParse({ id: 1.5, hash: hash(1) }).success).toBe(false);
    expect(AuditHead.safeParse({ id: 1, hash: '' }).success).toBe(false);
    expect(AuditHead.safeParse({ ...head(1), extra: true }).success).toBe(false);
  });
});

describe('checkAnchor', () => {
  it('passes a chain that holds the anchored entry with its hash', () => {
    expect(checkAnchor(chain(10), head(10))).toEqual({ ok: true, anchored: head(10) });
  });

  it('passes a chain past the anchor: an append is anchored after it is written', () => {
    expect(checkAnchor(chain(12), head(10)).ok).toBe(true);
  });

  it('passes when nothing is anchored yet', () => {
    expect(checkAnchor(chain(3), null)).toEqual({ ok: true, anchored: null });
    expect(checkAnchor([], null).ok).toBe(true);
  });

  it('finds the newest entries dropped, which the chain alone cannot show', () => {
    const verdict = checkAnchor(chain(7), head(10));
    expect(verdict).toEqual({
      ok: false,
      brokenAt: 8,
      reason: `entries after 7 are missing: the anchor holds entry 10 (hash ${hash(10).slice(0, 16)}…)`,
      anchored: head(10),
    });
  });

  it('finds every entry dropped', () => {
    const verdict = checkAnchor([], head(3));
    expect(verdict.ok).toBe(false);
    expect(verdict).toMatchObject({
      brokenAt: 1,
      reason: expect.stringMatching(/^every entry is missing: the anchor holds entry 3 /),
    });
  });

  it('finds the anchored entry replaced: the chain rebuilt or rewritten from there', () => {
    const rewritten = chain(10).map((e) => (e.id >= 9 ? head(e.id, 'b') : e));
    expect(checkAnchor(rewritten, head(10))).toEqual({
      ok: false,
      brokenAt: 10,
      reason: `entry 10 does not match the anchored hash (${hash(10).slice(0, 16)}…)`,
      anchored: head(10),
    });
  });

  it('finds the anchored entry missing from the middle', () => {
    const holed = chain(12).filter((e) => e.id !== 10);
    expect(checkAnchor(holed, head(10))).toMatchObject({ ok: false, brokenAt: 10, reason: 'entry 10 is missing' });
  });

  it('takes the entries in any order', () => {
    expect(checkAnchor(chain(10).reverse(), head(10)).ok).toBe(true);
    expect(checkAnchor(chain(7).reverse(), head(10))).toMatchObject({ ok: false, brokenAt: 8 });
  });

  it('takes a lookup instead of the whole chain', () => {
    const entries = chain(9);
    const lookup: AuditChainLookup = { last: entries.at(-1)!, entry: (id) => entries[id - 1] };
    expect(checkAnchor(lookup, head(9)).ok).toBe(true);
    expect(checkAnchor(lookup, head(11))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^entries after 9 are missing: the anchor holds entry 11 /),
    });
    expect(checkAnchor(lookup, head(5, 'c'))).toMatchObject({ ok: false, brokenAt: 5 });
    expect(checkAnchor({ last: null, entry: () => undefined }, head(1))).toMatchObject({ ok: false, brokenAt: 1 });
  });
});

/**
 * Signed links: HMAC-SHA256 over the base64url claims, an expiry, a nonce, and an id (the hash of
 * the token) by which the store spends the link once. Round trip, expiry, wrong secret, tampering,
 * garbage and extra dots; the claims schema; the link issuer (its URLs open the page); what
 * LINK_ACTIONS may offer; and single use decided by the store's claim, even across connections
 * and with two requests racing through the service.
 */
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/domain/permissions';
import { ACTIONS, LANGUAGES } from '../../src/domain/vocabulary';
import { LINK_ACTIONS, LinkClaims, linkIssuer, linkLabel, signLink, verifyLink } from '../../src/infra/links';
import { resolvePolicy } from '../../src/infra/policy/loader';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { AppError } from '../../src/services';
import { LinkService } from '../../src/services/links';
import type { VisitService } from '../../src/services/visits';

const SECRET = 'a-link-secret-of-at-least-32-characters!';
const OTHER_SECRET = 'another-link-secret-of-32-characters-or-more';
const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const IN_A_MONTH = Math.floor(NOW / 1000) + 30 * 86_400;

const CLAIMS: Omit<LinkClaims, 'n'> = {
  v: '166-POL',
  a: 'record-comments',
  e: 'focal.point@mission.example.org',
  r: 'state',
  s: 'POL',
  x: IN_A_MONTH,
};

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
/** A token for any body text, signed as signLink signs (to test what verifyLink does with odd claims). */
const signRaw = (bodyText: string, secret = SECRET) => {
  const body = b64(bodyText);
  return `${body}.${b64(createHmac('sha256', secret).update(body).digest())}`;
};
const split = (token: string) => {
  const [body, sig] = token.split('.');
  return { body: body!, sig: sig! };
};
/** Replaces the character at `i` by a different base64url character. */
const replaceAt = (s: string, i: number, shift: number) => {
  const c = B64URL[(B64URL.indexOf(s[i]!) + shift) % 64]!;
  return s.slice(0, i) + c + s.slice(i + 1);
};

const claimsArb = fc.record(
  {
    v: fc.stringMatching(/^\d{1,5}-[A-Z]{3}$/),
    a: fc.constantFrom(...ACTIONS),
    e: fc.constantFrom('focal.point@mission.example.org', 'a@b.org', 'mission+nor@norway.example.org'),
    r: fc.constantFrom('state' as const, 'partner' as const),
    s: fc.stringMatching(/^[A-Z]{3}$/),
    o: fc.constantFrom('UNODC', 'UNOCT', 'INTERPOL'),
    x: fc.integer({ min: Math.floor(NOW / 1000) + 1, max: Math.floor(NOW / 1000) + 10 * 365 * 86_400 }),
  },
  { requiredKeys: ['v', 'a', 'e', 'r', 'x'] },
);

describe('signLink / verifyLink round trip', () => {
  it('verifies its own token and returns the claims, a nonce and the hash of the signed body as id', async () => {
    const token = signLink(CLAIMS, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const check = verifyLink(token, SECRET, NOW);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    const { n, ...rest } = check.claims;
    expect(rest).toEqual(CLAIMS);
    expect(n).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(check.id).toBe(createHash('sha256').update(token.split('.')[0]!).digest('hex'));
  });

  it('makes two different links (nonce, id) for the same claims', async () => {
    const a = signLink(CLAIMS, SECRET);
    const b = signLink(CLAIMS, SECRET);
    expect(a).not.toBe(b);
    const ca = verifyLink(a, SECRET, NOW);
    const cb = verifyLink(b, SECRET, NOW);
    expect(ca.ok && cb.ok).toBe(true);
    if (!ca.ok || !cb.ok) return;
    expect(ca.claims.n).not.toBe(cb.claims.n);
    expect(ca.id).not.toBe(cb.id);
  });

  it('round-trips any valid claims (property)', async () => {
    fc.assert(
      fc.property(claimsArb, (claims) => {
        const check = verifyLink(signLink(claims, SECRET), SECRET, NOW);
        expect(check.ok).toBe(true);
        if (check.ok) {
          const { n: _n, ...rest } = check.claims;
          expect(rest).toEqual(claims);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('expiry', () => {
  it('refuses a link at and after its expiry second, accepts it one millisecond before', async () => {
    const token = signLink(CLAIMS, SECRET);
    expect(verifyLink(token, SECRET, CLAIMS.x * 1000 - 1).ok).toBe(true);
    expect(verifyLink(token, SECRET, CLAIMS.x * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLink(token, SECRET, CLAIMS.x * 1000 + 86_400_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a link signed with an expiry in the past', async () => {
    const token = signLink({ ...CLAIMS, x: Math.floor(NOW / 1000) - 60 }, SECRET);
    expect(verifyLink(token, SECRET, NOW)).toEqual({ ok: false, reason: 'expired' });
  });

  it('checks the signature before the expiry: an expired link with a wrong secret is invalid, not expired', async () => {
    const token = signLink({ ...CLAIMS, x: 1 }, SECRET);
    expect(verifyLink(token, OTHER_SECRET, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('forgery and tampering', () => {
  it('refuses a link signed with another secret', async () => {
    expect(verifyLink(signLink(CLAIMS, OTHER_SECRET), SECRET, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyLink(signLink(CLAIMS, SECRET), '', NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a token whose claims were changed (another action, visit, e-mail, role or a later expiry)', async () => {
    const token = signLink(CLAIMS, SECRET);
    const { body, sig } = split(token);
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
    for (const changed of [
      { ...claims, a: 'withdraw' },
      { ...claims, v: '167-POL' },
      { ...claims, e: 'attacker@example.org' },
      { ...claims, r: 'partner', o: 'UNODC' },
      { ...claims, s: 'NOR' },
      { ...claims, x: claims.x + 365 * 86_400 },
    ]) {
      expect(verifyLink(`${b64(JSON.stringify(changed))}.${sig}`, SECRET, NOW)).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('refuses a token with any single body character changed (property)', async () => {
    const token = signLink(CLAIMS, SECRET);
    const { body, sig } = split(token);
    fc.assert(
      fc.property(fc.nat({ max: body.length - 1 }), fc.integer({ min: 1, max: 63 }), (i, shift) => {
        expect(verifyLink(`${replaceAt(body, i, shift)}.${sig}`, SECRET, NOW)).toEqual({
          ok: false,
          reason: 'invalid',
        });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a token with a signature character changed so that the signature bytes change (property)', async () => {
    const token = signLink(CLAIMS, SECRET);
    const { body, sig } = split(token);
    fc.assert(
      fc.property(fc.nat({ max: sig.length - 2 }), fc.integer({ min: 1, max: 63 }), (i, shift) => {
        expect(verifyLink(`${body}.${replaceAt(sig, i, shift)}`, SECRET, NOW)).toEqual({
          ok: false,
          reason: 'invalid',
        });
      }),
      { numRuns: 300 },
    );
    // The last character carries 4 bits of the 32-byte MAC: shifting it by 4 changes those bits.
    expect(verifyLink(`${body}.${replaceAt(sig, sig.length - 1, 4)}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses a truncated or swapped signature, and a body with the signature of another link', async () => {
    const a = split(signLink(CLAIMS, SECRET));
    const b = split(signLink({ ...CLAIMS, a: 'request-extension' }, SECRET));
    expect(verifyLink(`${a.body}.${a.sig.slice(0, -1)}`, SECRET, NOW).ok).toBe(false);
    expect(verifyLink(`${a.body}.${a.sig.slice(0, 22)}`, SECRET, NOW).ok).toBe(false);
    expect(verifyLink(`${a.body}.${b.sig}`, SECRET, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyLink(`${b.sig}.${a.body}`, SECRET, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  // Regression test: this was a bug (src/links.ts verifyLink), found by these tests and fixed.
  it('refuses re-spelled signatures (same MAC bytes) that would give a used link a new id', async () => {
    const token = signLink(CLAIMS, SECRET);
    const { body, sig } = split(token);
    const original = verifyLink(token, SECRET, NOW);
    expect(original.ok).toBe(true);
    const last = B64URL.indexOf(sig.at(-1)!);
    const sameBits = B64URL[(last & ~3) | ((last + 1) & 3)]!; // differs only in the 2 unused bits
    for (const variant of [
      `${sig.slice(0, -1)}${sameBits}`,
      `${sig}=`,
      `${sig}!`,
      `${sig.slice(0, 5)}!${sig.slice(5)}`,
    ]) {
      const check = verifyLink(`${body}.${variant}`, SECRET, NOW);
      // Either refused, or recognised as the same link (same id) so the store refuses a replay.
      expect(!check.ok || (original.ok && check.id === original.id), variant).toBe(true);
    }
  });
});

describe('garbage tokens', () => {
  it('refuses empty, dotless and malformed tokens', async () => {
    for (const t of [
      '',
      '.',
      '..',
      'abc',
      'abc.',
      '.abc',
      'a.b',
      '!!!.???',
      '%2e.%2e',
      ' . ',
      'null',
      'undefined',
      '{}.{}',
    ]) {
      expect(verifyLink(t, SECRET, NOW), JSON.stringify(t)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses extra dots anywhere', async () => {
    const token = signLink(CLAIMS, SECRET);
    const { body, sig } = split(token);
    for (const t of [
      `${token}.`,
      `${token}.x`,
      `${token}.${sig}`,
      `.${token}`,
      `${body}..${sig}`,
      `${body}.${sig}.${body}`,
      `${token}..`,
    ]) {
      expect(verifyLink(t, SECRET, NOW), t).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('never throws and never accepts an arbitrary string (property)', async () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{0,80}\.[A-Za-z0-9_-]{0,60}$/),
          fc.stringMatching(/^[A-Za-z0-9_.-]{0,120}$/),
        ),
        (t) => {
          expect(verifyLink(t, SECRET, NOW)).toEqual({ ok: false, reason: 'invalid' });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses an over-long body even when it is correctly signed', async () => {
    const long = signLink({ ...CLAIMS, v: 'x'.repeat(1600) }, SECRET);
    expect(split(long).body.length).toBeGreaterThan(2000);
    expect(verifyLink(long, SECRET, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses correctly signed bodies whose claims are not valid claims', async () => {
    const n = 'nonce-123456';
    const good = { ...CLAIMS, n };
    expect(verifyLink(signRaw(JSON.stringify(good)), SECRET, NOW).ok).toBe(true); // the control
    for (const text of [
      'not json',
      '',
      'null',
      '[]',
      '"a string"',
      JSON.stringify({ ...good, extra: true }), // unknown field
      JSON.stringify({ ...good, a: 'delete-everything' }), // unknown action
      JSON.stringify({ ...good, e: 'not-an-email' }),
      JSON.stringify({ ...good, r: 'secretariat' }), // links never carry an account role
      JSON.stringify({ ...good, x: IN_A_MONTH + 0.5 }),
      JSON.stringify({ ...good, x: String(IN_A_MONTH) }),
      JSON.stringify({ v: good.v, a: good.a, e: good.e, r: good.r, x: good.x }), // no nonce
      '{"__proto__":{"ok":true},"v":"166-POL"}',
    ]) {
      expect(verifyLink(signRaw(text), SECRET, NOW), text).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});

describe('linkIssuer', () => {
  it('issues a URL of the page under /links/ (not the API) with a token valid for the TTL, for the State contact', async () => {
    const issuer = linkIssuer(SECRET, 'https://followup.example.org/', 45 * 86_400_000, () => NOW);
    const url = issuer.forState('166-POL', 'POL', 'focal.point@mission.example.org', 'record-consent');
    const m = /^https:\/\/followup\.example\.org\/links\/([A-Za-z0-9_.-]+)$/.exec(url);
    expect(m).not.toBeNull();
    const check = verifyLink(m![1]!, SECRET, NOW);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.claims).toMatchObject({
      v: '166-POL',
      a: 'record-consent',
      e: 'focal.point@mission.example.org',
      r: 'state',
      s: 'POL',
    });
    expect(check.claims.x).toBe(Math.floor((NOW + 45 * 86_400_000) / 1000));
    expect(verifyLink(m![1]!, SECRET, NOW + 45 * 86_400_000)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('the language a link carries', () => {
  it('is one of the six, optional (links issued before it verify), and set by the issuer when given', () => {
    const issuer = linkIssuer(SECRET, 'https://followup.example.org', 45 * 86_400_000, () => NOW);
    const token = (url: string) => url.split('/links/')[1]!;
    for (const l of LANGUAGES) {
      const check = verifyLink(token(issuer.forState('166-POL', 'POL', CLAIMS.e, 'record-consent', l)), SECRET, NOW);
      expect(check.ok && check.claims.l).toBe(l);
    }
    const old = verifyLink(token(issuer.forState('166-POL', 'POL', CLAIMS.e, 'record-consent')), SECRET, NOW);
    expect(old.ok).toBe(true);
    expect(old.ok && 'l' in old.claims).toBe(false);
    expect(verifyLink(signLink({ ...CLAIMS, l: 'fr' }, SECRET), SECRET, NOW).ok).toBe(true);
    for (const l of ['de', 'EN', '', 'en-GB', 1]) {
      expect(verifyLink(signRaw(JSON.stringify({ ...CLAIMS, n: 'x', l })), SECRET, NOW), String(l)).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
  });
});

describe('linkLabel', () => {
  it('names every action a message offers in each of the six languages; LINK_ACTIONS carries the English', () => {
    for (const { action, label } of Object.values(LINK_ACTIONS).flat()) {
      expect(label).toBe(linkLabel(action, 'en'));
      const labels = LANGUAGES.map((l) => linkLabel(action, l));
      expect(new Set(labels).size, action).toBe(LANGUAGES.length);
    }
    expect(linkLabel('record-comments', 'en')).toBe('Submit your comments');
    expect(linkLabel('record-comments', 'fr')).toBe('Transmettre vos observations');
  });
});

describe('LINK_ACTIONS', () => {
  it('only offers actions a State focal point may take, each of them valid link claims', async () => {
    const offered = Object.values(LINK_ACTIONS).flat();
    expect(offered.length).toBeGreaterThan(0);
    for (const { action, label } of offered) {
      expect(PERMISSIONS.state[action], action).toBe('own-state');
      expect(label.length).toBeGreaterThan(0);
      expect(LinkClaims.shape.a.safeParse(action).success).toBe(true);
    }
  });
});

describe('single use, decided by the store', () => {
  const ID = 'a'.repeat(64);

  it('lets one claim in, keeps a used link spent, and gives a released claim back', async () => {
    const store = new SqliteStore(':memory:');
    expect(await store.linkUsed(ID)).toBe(false);
    expect(await store.claimLink(ID, '166-POL', 'record-consent')).toBe('claimed');
    expect(await store.claimLink(ID, '166-POL', 'record-consent')).toBe('used'); // held by the first request
    expect(await store.linkUsed(ID)).toBe(true);
    await store.releaseLink(ID); // its action was refused
    expect(await store.linkUsed(ID)).toBe(false);
    expect(await store.claimLink(ID, '166-POL', 'record-consent')).toBe('claimed');
    expect(await store.useLink(ID, '166-POL', 'record-consent')).toBe(true);
    await store.releaseLink(ID); // even a stray release does not make a used link new
    expect(await store.claimLink(ID, '166-POL', 'record-consent')).toBe('used');
    expect(await store.useLink(ID, '166-POL', 'record-consent')).toBe(false);
    await store.close();
  });

  it('decides between two connections to the same file (two processes serving links)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'followup-links-'));
    try {
      const [a, b] = [new SqliteStore(join(dir, 's.sqlite')), new SqliteStore(join(dir, 's.sqlite'))];
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const id = String(i).padStart(64, '0');
          return (await Promise.all([a.claimLink(id, 'v', 'x'), b.claimLink(id, 'v', 'x')])).sort();
        }),
      );
      for (const o of outcomes) expect(o).toEqual(['claimed', 'used']);
      await a.close();
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A link service over a fake VisitService whose `act` waits for the test to let it finish. */
  function service(act: () => Promise<unknown>) {
    const store = new SqliteStore(':memory:');
    const acted: string[] = [];
    const visits = {
      status: async (id: string) => ({ id, state: 'POL' }),
      act: async () => {
        acted.push('act');
        return act();
      },
    } as unknown as VisitService;
    const deps = {
      temporal: () => Promise.reject(new Error('no Temporal here')),
      store: () => store,
      policy: resolvePolicy(),
      linkSecret: SECRET,
      publicUrl: 'https://followup.example.org',
      outboxDir: '/nonexistent',
      now: () => NOW,
    };
    const token = signLink({ ...CLAIMS, a: 'record-consent' }, SECRET);
    return { links: new LinkService(deps, visits, () => NOW), store, acted, token };
  }

  it('lets only the first of two racing requests act; the second is refused as used while the first is in flight', async () => {
    let finish: (v: unknown) => void = () => undefined;
    const { links, acted, token } = service(() => new Promise((r) => (finish = r)));
    const first = links.act(token, { scope: 'full' });
    await new Promise((r) => setImmediate(r));
    await expect(links.act(token, { scope: 'none' })).rejects.toMatchObject({ code: 'link-used' });
    finish({ stage: 'transmitting' });
    await expect(first).resolves.toEqual({ stage: 'transmitting' });
    await expect(links.act(token, { scope: 'none' })).rejects.toMatchObject({ code: 'link-used' });
    expect(acted).toEqual(['act']);
  });

  it('releases the link when the action is refused, so it can be used again', async () => {
    let refuse = true;
    const { links, store, acted, token } = service(async () => {
      if (refuse) throw new AppError('not-allowed-now', 'not now');
      return { ok: true };
    });
    await expect(links.act(token, { scope: 'full' })).rejects.toMatchObject({ code: 'not-allowed-now' });
    const check = verifyLink(token, SECRET, NOW);
    expect(check.ok && (await store.linkUsed(check.id))).toBe(false);
    refuse = false;
    await expect(links.act(token, { scope: 'full' })).resolves.toEqual({ ok: true });
    await expect(links.act(token, { scope: 'full' })).rejects.toMatchObject({ code: 'link-used' });
    expect(acted).toEqual(['act', 'act']);
  });

  it('keeps the link spent when the outcome is unknown (the workflow was asked and the call failed)', async () => {
    const { links, store, token } = service(async () => {
      throw new Error('connection reset while waiting for the update');
    });
    await expect(links.act(token, { scope: 'full' })).rejects.toThrow('connection reset');
    const check = verifyLink(token, SECRET, NOW);
    expect(check.ok && (await store.linkUsed(check.id))).toBe(true);
    await expect(links.act(token, { scope: 'full' })).rejects.toMatchObject({ code: 'link-used' });
  });
});

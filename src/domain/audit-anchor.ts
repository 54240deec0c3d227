/**
 * The audit chain's head kept outside the store. Each entry's hash covers the one before it, so the
 * chain shows an entry changed, removed or reordered, but not its newest entries dropped: the shorter
 * chain is still a valid chain. The newest head, `{ id, hash }`, is therefore also kept elsewhere (the
 * `auditAnchor` workflow in Temporal); comparing the store with it shows entries dropped from the end,
 * and a store rebuilt or replaced. Pure functions, shared by that workflow and the verification.
 */
import { z } from 'zod';

/** An audit entry's id and hash: what the anchor keeps. */
export const AuditHead = z
  .object({
    id: z.number().int().positive(),
    hash: z.string().min(1).max(256),
  })
  .strict();
export type AuditHead = z.infer<typeof AuditHead>;

/**
 * The head an anchor keeps after seeing `next`: the one with the higher id. Heads arrive out of order
 * (several processes append and anchor concurrently), so a lower id never replaces a higher one; an
 * equal id keeps the hash first anchored, so nothing can rewrite an anchored entry's hash.
 */
export function newerHead(current: AuditHead | null, next: AuditHead): AuditHead {
  return current && current.id >= next.id ? current : { id: next.id, hash: next.hash };
}

/** The store's chain, as far as the check needs it: its newest entry and any entry by id. */
export interface AuditChainLookup {
  /** The entry with the highest id, or null when the chain is empty. */
  last: AuditHead | null;
  entry(id: number): AuditHead | undefined;
}

export type AnchorVerdict =
  { ok: true; anchored: AuditHead | null } | { ok: false; brokenAt: number; reason: string; anchored: AuditHead };

const short = (hash: string) => (hash.length > 16 ? `${hash.slice(0, 16)}…` : hash);

function lookupOf(entries: readonly AuditHead[]): AuditChainLookup {
  const byId = new Map<number, AuditHead>();
  let last: AuditHead | null = null;
  for (const e of entries) {
    byId.set(e.id, e);
    if (!last || e.id > last.id) last = e;
  }
  return { last, entry: (id) => byId.get(id) };
}

/**
 * Checks the store's chain against the anchored head. The store may hold entries past the anchor (an
 * append is anchored after it is written, and a process may stop in between); it may not lack the
 * anchored entry nor hold it with another hash. No anchor (none recorded yet) is not a failure.
 * `entries` is the chain (any order) or a lookup into it.
 */
export function checkAnchor(entries: readonly AuditHead[] | AuditChainLookup, anchor: AuditHead | null): AnchorVerdict {
  if (!anchor) return { ok: true, anchored: null };
  const chain = Array.isArray(entries) ? lookupOf(entries as readonly AuditHead[]) : (entries as AuditChainLookup);
  const held = chain.entry(anchor.id);
  if (!held) {
    const last = chain.last?.id ?? 0;
    if (last < anchor.id)
      return {
        ok: false,
        brokenAt: last + 1,
        reason:
          last === 0
            ? `every entry is missing: the anchor holds entry ${anchor.id} (hash ${short(anchor.hash)})`
            : `entries after ${last} are missing: the anchor holds entry ${anchor.id} (hash ${short(anchor.hash)})`,
        anchored: anchor,
      };
    return { ok: false, brokenAt: anchor.id, reason: `entry ${anchor.id} is missing`, anchored: anchor };
  }
  if (held.hash !== anchor.hash)
    return {
      ok: false,
      brokenAt: anchor.id,
      reason: `entry ${anchor.id} does not match the anchored hash (${short(anchor.hash)})`,
      anchored: anchor,
    };
  return { ok: true, anchored: anchor };
}

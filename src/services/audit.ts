/** The hash-chained audit trail: every attempt through every door, and its verification. */
import type { Client } from '@temporalio/client';
import { checkAnchor, type AuditHead } from '../domain/audit-anchor';
import type { AuditVerdict as ChainVerdict, Store } from '../infra/store/store';
import { anchorAuditHead, readAuditAnchor } from '../infra/temporal/audit-anchor';
import type { Caller, CallerDoor } from './context';

/** Deepest nesting the audit trail records: payloads are flat, and a hostile body must not overflow the stack. */
const MAX_AUDIT_DEPTH = 20;

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

export interface AuditAttempt {
  caller: Caller;
  door: CallerDoor;
  visitId?: string;
  action: string;
  payload?: unknown;
}

/** The chain's verdict, and whether the anchored head (in Temporal) was checked against it. */
export type AuditVerdict = ChainVerdict & {
  /** 'checked': the anchor agreed; 'none': nothing anchored yet; 'unavailable': Temporal did not answer, so only the chain was checked; 'unchecked': the chain itself is broken. */
  anchor: 'checked' | 'none' | 'unavailable' | 'unchecked';
};

/** How long an audit append is retried when the store fails (a database restart) before the request fails. */
const APPEND_RETRY_MS = 5_000;

/** How long verification waits for the anchor before reporting it unavailable. */
const ANCHOR_READ_MS = 5_000;

export class AuditService {
  /** The newest head waiting to be anchored while an anchoring is in flight (only the newest matters). */
  private pending: AuditHead | undefined;
  private anchoring: Promise<void> | undefined;

  constructor(
    private readonly store: () => Store,
    private readonly now: () => number,
    private readonly anchor: { temporal?: () => Promise<Client>; taskQueue?: string } = {},
  ) {}

  /**
   * Sends the chain's head to the anchor workflow, off the request's path: one signal in flight per
   * process, the newest head next. A head that never arrives (Temporal down, the process killed) is
   * covered by the next one; until then verification sees entries past the anchor, which it allows.
   */
  private anchorHead(head: AuditHead): void {
    if (!this.anchor.temporal) return;
    if (!this.pending || head.id > this.pending.id) this.pending = head;
    this.anchoring ??= (async () => {
      try {
        while (this.pending) {
          const next = this.pending;
          this.pending = undefined;
          const opts = this.anchor.taskQueue ? { taskQueue: this.anchor.taskQueue } : {};
          try {
            // Temporal unreachable (even its connection failing) costs this head, never the process.
            await anchorAuditHead(await this.anchor.temporal!(), next, opts);
          } catch {
            // Covered by the next head anchored; verification allows entries past the anchor.
          }
        }
      } finally {
        this.anchoring = undefined;
      }
    })();
  }

  /** Waits until the heads appended so far were sent to the anchor (tests; a clean shutdown). */
  async flushAnchor(): Promise<void> {
    while (this.anchoring) await this.anchoring;
  }

  /** Appends one attempt with its outcome; a payload nested too deep is recorded as such, not stored. */
  async record(a: AuditAttempt, outcome: 'accepted' | 'refused', detail?: string): Promise<void> {
    const payload =
      a.payload !== undefined && depthExceeds(a.payload, MAX_AUDIT_DEPTH)
        ? { unrecorded: `payload nested deeper than ${MAX_AUDIT_DEPTH} levels` }
        : a.payload;
    const input = {
      at: new Date(this.now()).toISOString(),
      actor: a.caller.email,
      role: a.caller.role,
      door: a.door,
      ...(a.visitId ? { visitId: a.visitId } : {}),
      action: a.action,
      ...(payload !== undefined ? { payload } : {}),
      outcome,
      ...(detail ? { detail } : {}),
    };
    // The action may already be done in Temporal: a store briefly away (a database restart) must not
    // leave it unrecorded, so the append is retried within a bound before the request fails.
    const giveUpAt = Date.now() + APPEND_RETRY_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        const entry = await this.store().appendAudit(input);
        this.anchorHead({ id: entry.id, hash: entry.hash });
        return;
      } catch (e) {
        if (Date.now() + delay > giveUpAt) throw e;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Checks the chain: the first entry that was changed, removed or reordered, if any. */
  async verify(): Promise<AuditVerdict> {
    const chain = await this.store().verifyAudit();
    if (!chain.ok) return { ...chain, anchor: 'unchecked' };
    const anchored = await this.readAnchor();
    if (anchored === 'unavailable') return { ...chain, anchor: 'unavailable' };
    const entries = await this.store().audit();
    const verdict = checkAnchor(entries, anchored);
    if (!verdict.ok)
      return {
        ok: false,
        entries: chain.entries,
        brokenAt: verdict.brokenAt,
        reason: verdict.reason,
        anchor: 'checked',
      };
    return { ...chain, anchor: anchored ? 'checked' : 'none' };
  }

  private async readAnchor(): Promise<AuditHead | null | 'unavailable'> {
    if (!this.anchor.temporal) return 'unavailable';
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'unavailable'>((r) => (timer = setTimeout(() => r('unavailable'), ANCHOR_READ_MS)));
    try {
      return await Promise.race([
        (async () => readAuditAnchor(await this.anchor.temporal!()))().catch(() => 'unavailable' as const),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

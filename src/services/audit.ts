/** The hash-chained audit trail: every attempt through every door, and its verification. */
import type { AuditVerdict, Store } from '../infra/store/store';
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

export type { AuditVerdict };

export class AuditService {
  constructor(
    private readonly store: () => Store,
    private readonly now: () => number,
  ) {}

  /** Appends one attempt with its outcome; a payload nested too deep is recorded as such, not stored. */
  async record(a: AuditAttempt, outcome: 'accepted' | 'refused', detail?: string): Promise<void> {
    const payload =
      a.payload !== undefined && depthExceeds(a.payload, MAX_AUDIT_DEPTH)
        ? { unrecorded: `payload nested deeper than ${MAX_AUDIT_DEPTH} levels` }
        : a.payload;
    await this.store().appendAudit({
      at: new Date(this.now()).toISOString(),
      actor: a.caller.email,
      role: a.caller.role,
      door: a.door,
      ...(a.visitId ? { visitId: a.visitId } : {}),
      action: a.action,
      ...(payload !== undefined ? { payload } : {}),
      outcome,
      ...(detail ? { detail } : {}),
    });
  }

  /** Checks the chain: the first entry that was changed, removed or reordered, if any. */
  verify(): Promise<AuditVerdict> {
    return this.store().verifyAudit();
  }
}

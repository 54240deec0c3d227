/**
 * The store's contract: the durable record monitoring reads (every event a workflow records, the
 * latest snapshot of each visit, every message sent), the users and their sessions, the audit chain
 * and the claims that make a signed link single-use. Two implementations keep it: SQLite, the
 * embedded default (`sqlite.ts`), and PostgreSQL for processes on several machines (`postgres.ts`);
 * `openStore` (index.ts) picks one. Events, snapshots, messages, audit entries and link uses are
 * append-only (the databases refuse UPDATE and DELETE); unique keys make a replayed or retried
 * activity a no-op. The `visits` table is a projection of the snapshots, kept for paging.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { VisitEvent, VisitSnapshot } from '../../domain/visit';

export type { VisitSnapshot };

export interface EventBatch {
  visitId: string;
  workflowId: string;
  runId: string;
  events: VisitEvent[];
  /** The visit as it stands after these events (without history and reminders), for monitoring. */
  snapshot?: VisitSnapshot;
}

export interface StoredEvent extends VisitEvent {
  visitId: string;
  recordedAt: string;
}

export interface SentMessage {
  key: string;
  noticeKey: string;
  visitId: string;
  topic: string;
  kind: string;
  recipient: string;
  subject: string;
  messageId: string;
  sentAt: string;
}

export interface UserRecord {
  email: string;
  role: string;
  state?: string;
  organisation?: string;
  createdAt: string;
  /** When `followup users revoke` stopped the user's token and sessions. */
  revokedAt?: string;
}

/** What a link claim decides: claimed now, or already used (or being used by another request). */
export type LinkClaim = 'claimed' | 'used';

/** One attempted action, as the audit trail keeps it. */
export interface AuditInput {
  at: string;
  actor: string;
  role: string;
  door: 'api' | 'cli' | 'link' | 'web';
  visitId?: string;
  action: string;
  payload?: unknown;
  outcome: 'accepted' | 'refused';
  detail?: string;
}

export interface AuditEntry extends AuditInput {
  id: number;
  prevHash: string;
  hash: string;
}

export type AuditVerdict =
  { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/** Filters of a page of visits; every one is an indexed column of the `visits` projection. */
export interface VisitPageQuery {
  state?: string;
  stage?: string;
  /** Open visits with a deadline before `now` (true), or none (false). */
  overdue?: boolean;
  /** The moment `overdue` is judged at (ISO). */
  now?: string;
  /** Only these stages (a partner's shared reports), when given. */
  stages?: readonly string[];
  /** The last visit of the previous page (keyset: by number, then id). */
  after?: { number: number; id: string };
  limit: number;
}

export interface VisitPage {
  visits: VisitSnapshot[];
  /** More visits follow the last one. */
  more: boolean;
}

/** How many visits the projection holds per stage (the overview's counts, one grouped query). */
export type StageCounts = Record<string, number>;

/** One table's rows, as `followup backup` writes them and `restore` reads them back. */
export interface TableDump {
  table: string;
  rows: Record<string, unknown>[];
}

/** The tables a backup holds, in the order a restore writes them. */
export const BACKUP_TABLES = [
  'events',
  'visit_snapshots',
  'messages',
  'users',
  'sessions',
  'audit',
  'link_uses',
  'link_claims',
  'documents',
  'document_withdrawals',
] as const;

/** The columns a backup holds as base64 text (JSON has no bytes), by table. */
const BINARY_COLUMNS: Readonly<Record<string, readonly string[]>> = { documents: ['content'] };

/** A row as a backup writes it: bytes as base64. */
export function dumpRow(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const binary = BINARY_COLUMNS[table];
  if (!binary) return row;
  const out = { ...row };
  for (const c of binary) {
    const v = out[c];
    if (v instanceof Uint8Array) out[c] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  }
  return out;
}

/** A backup's row as the table takes it: base64 back to bytes. */
export function restoredRow(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const binary = BINARY_COLUMNS[table];
  if (!binary) return row;
  const out = { ...row };
  for (const c of binary) if (typeof out[c] === 'string') out[c] = Buffer.from(out[c], 'base64');
  return out;
}

/** What a document is: the PAO, the draft report sent to the State, the adopted report. */
export const DOCUMENT_KINDS = ['pao', 'draft', 'report'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** A document given to the engine, before it is stored. */
export interface DocumentInput {
  visitId: string;
  kind: DocumentKind;
  fileName: string;
  mediaType: string;
  content: Buffer;
  /** Who gave it (an e-mail). */
  addedBy: string;
}

/** A stored document without its content. */
export interface DocumentMeta {
  /** Random and URL-safe (22 characters). */
  id: string;
  visitId: string;
  kind: DocumentKind;
  fileName: string;
  mediaType: string;
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  addedBy: string;
  addedAt: string;
  /** Set once the document was withdrawn: its links stop working, messages no longer carry it. */
  withdrawn?: DocumentWithdrawal;
}

/** Who withdrew a document, when and why. */
export interface DocumentWithdrawal {
  by: string;
  at: string;
  reason: string;
}

export interface StoredDocument extends DocumentMeta {
  content: Buffer;
}

/** A new document's row (either database), with its id, size and hash. */
export function documentRowOf(d: DocumentInput, now: Date) {
  return {
    id: randomBytes(16).toString('base64url'),
    visit_id: d.visitId,
    kind: d.kind,
    file_name: d.fileName,
    media_type: d.mediaType,
    size: d.content.length,
    sha256: createHash('sha256').update(d.content).digest('hex'),
    content: d.content,
    added_by: d.addedBy,
    added_at: now.toISOString(),
  };
}

export function documentMetaOf(r: Record<string, unknown>): DocumentMeta {
  return {
    id: r.id as string,
    visitId: r.visit_id as string,
    kind: r.kind as DocumentKind,
    fileName: r.file_name as string,
    mediaType: r.media_type as string,
    size: Number(r.size),
    sha256: r.sha256 as string,
    addedBy: r.added_by as string,
    addedAt: r.added_at as string,
    ...(typeof r.withdrawn_at === 'string'
      ? { withdrawn: { by: r.withdrawn_by as string, at: r.withdrawn_at, reason: r.withdrawn_reason as string } }
      : {}),
  };
}

/** A `document_withdrawals` row as the store answers it. */
export function withdrawalOf(r: Record<string, unknown>): DocumentWithdrawal {
  return { by: r.withdrawn_by as string, at: r.withdrawn_at as string, reason: r.reason as string };
}

/** A document's columns but its content. */
export const DOCUMENT_META_COLUMNS =
  'd.id, d.seq, d.visit_id, d.kind, d.file_name, d.media_type, d.size, d.sha256, d.added_by, d.added_at';

/** A document's row with its withdrawal, if any (the same SQL in both databases). */
export const DOCUMENT_SELECT = `SELECT d.*, w.withdrawn_by, w.withdrawn_at, w.reason AS withdrawn_reason
  FROM documents d LEFT JOIN document_withdrawals w ON w.document_id = d.id`;

export function documentOf(r: Record<string, unknown>): StoredDocument {
  const c = r.content as Uint8Array;
  return { ...documentMetaOf(r), content: Buffer.from(c.buffer, c.byteOffset, c.byteLength) };
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store is, for the start banner: the file, or the database URL without its password. */
  readonly location: string;

  /** Appends a workflow's events; events already recorded (same run and sequence) are ignored. Returns how many were new. */
  appendEvents(batch: EventBatch, recordedAt?: Date): Promise<number>;
  /** The latest snapshot of every visit (or of one), from the read model, by id. */
  snapshots(visitId?: string): Promise<VisitSnapshot[]>;
  /** One page of the latest snapshots, filtered and ordered by number then id (keyset). */
  visitPage(q: VisitPageQuery): Promise<VisitPage>;
  /** The summaries of the visits a filter selects (every one when none), by number then id. */
  summaries(q?: Omit<VisitPageQuery, 'limit' | 'after'>): Promise<VisitSummary[]>;
  /** Visits per stage, from the projection. */
  stageCounts(q?: Pick<VisitPageQuery, 'state'>): Promise<StageCounts>;
  /** Visits whose next deadline is before `now` (ISO). */
  countOverdue(now: string): Promise<number>;
  events(visitId?: string): Promise<StoredEvent[]>;

  wasSent(key: string): Promise<boolean>;
  /** Records a sent message; a second record of the same key is ignored. */
  recordSent(m: SentMessage): Promise<void>;
  messages(visitId?: string): Promise<SentMessage[]>;
  /** How many messages were sent, by kind (the metrics' counter: one grouped count). */
  messageCounts(): Promise<{ kind: string; count: number }[]>;
  /** Throws unless the store answers a read (the readiness probe). */
  ping(): Promise<void>;

  /** Adds a user with the hash of its token; refuses an e-mail already registered. */
  addUser(u: Omit<UserRecord, 'createdAt'>, token: string, now?: Date): Promise<void>;
  /** The user a token belongs to, unless revoked. */
  userByToken(token: string): Promise<UserRecord | undefined>;
  /** Replaces a user's token (only its hash is kept), lifts a revocation and ends its sessions; false for no such user. */
  rotateToken(email: string, token: string): Promise<boolean>;
  /** Stops a user's token and ends its sessions, at once; the number of sessions ended, or undefined for no such user. */
  revokeUser(email: string, now?: Date): Promise<number | undefined>;
  /** Opens a session for a user; the id (the cookie's value) is kept as a hash. Expired sessions are dropped. */
  createSession(id: string, email: string, createdAt: Date, expiresAt: Date): Promise<void>;
  /** The user of a session that has not expired, ended or been revoked. */
  userBySession(id: string, now?: Date): Promise<UserRecord | undefined>;
  /** Ends a session (signing out); false when there was none. */
  endSession(id: string): Promise<boolean>;
  sessionCount(email: string, now?: Date): Promise<number>;
  users(): Promise<UserRecord[]>;

  /** Appends to the hash-chained audit trail, atomically with reading the chain's head. */
  appendAudit(raw: AuditInput): Promise<AuditEntry>;
  audit(): Promise<AuditEntry[]>;
  /** Checks the audit chain; returns the first broken entry, or ok. */
  verifyAudit(): Promise<AuditVerdict>;

  /**
   * Claims a signed link for one request, atomically: 'claimed' lets this request act; 'used' when
   * the link was used, or another request holds its claim (two processes never both get 'claimed').
   */
  claimLink(linkId: string, visitId: string, action: string, now?: Date): Promise<LinkClaim>;
  /** Gives a claimed link back (its action was refused): it can be used again. */
  releaseLink(linkId: string): Promise<void>;
  /** Records a claimed link's use (append-only); false when it was used before (a replay). */
  useLink(linkId: string, visitId: string, action: string, now?: Date): Promise<boolean>;
  /** Whether a link was used, or is claimed by a request acting through it now. */
  linkUsed(linkId: string): Promise<boolean>;

  /** Stores a document (append-only: a new version is a new document); its metadata, with its new id. */
  addDocument(d: DocumentInput, now?: Date): Promise<DocumentMeta>;
  /** The document of this kind most recently added to a visit, with its content. */
  latestDocument(visitId: string, kind: DocumentKind): Promise<StoredDocument | undefined>;
  /** One document by id, with its content. */
  document(id: string): Promise<StoredDocument | undefined>;
  /** A visit's documents without their content, oldest first. */
  documents(visitId: string): Promise<DocumentMeta[]>;
  /** Withdraws a document (once: a second withdrawal keeps the first); the withdrawal on record. */
  withdrawDocument(id: string, by: string, reason: string, now?: Date): Promise<DocumentWithdrawal>;

  /** The schema version the store is at (the highest migration applied). */
  schemaVersion(): Promise<number>;
  /** Every row of every table, table by table (`followup backup`). */
  dump(): AsyncIterable<TableDump>;
  /** Writes a backup's rows into an empty store and rebuilds the projection (`followup restore`). */
  restore(tables: AsyncIterable<TableDump> | Iterable<TableDump>): Promise<{ rows: number }>;

  close(): Promise<void>;
}

/** Every visit a filter selects, read page by page (a State's visits, say, through its index). */
export async function allVisits(store: Store, q: Omit<VisitPageQuery, 'limit' | 'after'>, batch = 1000) {
  const out: VisitSnapshot[] = [];
  for (let after: VisitPageQuery['after']; ;) {
    const page = await store.visitPage({ ...q, limit: batch, ...(after ? { after } : {}) });
    out.push(...page.visits);
    const last = page.visits.at(-1);
    if (!page.more || !last) return out;
    after = { number: last.number, id: last.id };
  }
}

export const GENESIS_HASH = '0'.repeat(64);

/** The columns an audit entry starts with, in the order the hash and the table both use. */
export const auditHead = (e: AuditInput & { id: number }) =>
  [e.id, e.at, e.actor, e.role, e.door, e.visitId ?? null, e.action] as const;

/** The hash of an audit entry: over its content and the previous entry's hash. */
export function auditHash(prevHash: string, e: AuditInput & { id: number }): string {
  const content = JSON.stringify([...auditHead(e), e.payload ?? null, e.outcome, e.detail ?? null]);
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Text is stored as UTF-8, which cannot hold a lone surrogate: the entry as it will be stored and hashed. */
export function storableAudit(raw: AuditInput): AuditInput {
  const text = (s: string) =>
    s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return {
    ...raw,
    at: text(raw.at),
    actor: text(raw.actor),
    role: text(raw.role),
    action: text(raw.action),
    ...(raw.visitId !== undefined ? { visitId: text(raw.visitId) } : {}),
    ...(raw.detail !== undefined ? { detail: text(raw.detail) } : {}),
  };
}

/** Checks a chain of audit entries, in id order: the first one changed, removed or reordered. */
export function verifyChain(entries: readonly AuditEntry[]): AuditVerdict {
  let prev = GENESIS_HASH;
  let expectedId = 1;
  for (const e of entries) {
    if (e.id !== expectedId)
      return { ok: false, entries: entries.length, brokenAt: expectedId, reason: `entry ${expectedId} is missing` };
    if (e.prevHash !== prev)
      return {
        ok: false,
        entries: entries.length,
        brokenAt: e.id,
        reason: `entry ${e.id} does not follow entry ${e.id - 1}`,
      };
    if (auditHash(prev, e) !== e.hash)
      return {
        ok: false,
        entries: entries.length,
        brokenAt: e.id,
        reason: `entry ${e.id} was changed after it was written`,
      };
    prev = e.hash;
    expectedId++;
  }
  return { ok: true, entries: entries.length };
}

/** An audit row (either database) as an entry. */
export function auditEntryOf(r: Record<string, unknown>): AuditEntry {
  return {
    id: Number(r.id),
    at: r.at as string,
    actor: r.actor as string,
    role: r.role as string,
    door: r.door as AuditInput['door'],
    ...(r.visit_id ? { visitId: r.visit_id as string } : {}),
    action: r.action as string,
    ...(r.payload !== null ? { payload: JSON.parse(r.payload as string) as unknown } : {}),
    outcome: r.outcome as AuditInput['outcome'],
    ...(r.detail !== null ? { detail: r.detail as string } : {}),
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

export function userOf(r: Record<string, unknown>): UserRecord {
  return {
    email: r.email as string,
    role: r.role as string,
    ...(r.state ? { state: r.state as string } : {}),
    ...(r.organisation ? { organisation: r.organisation as string } : {}),
    createdAt: r.created_at as string,
    ...(r.revoked_at ? { revokedAt: r.revoked_at as string } : {}),
  };
}

export function eventOf(r: Record<string, unknown>): StoredEvent {
  return {
    visitId: r.visit_id as string,
    seq: Number(r.seq),
    type: r.type as string,
    stage: r.stage as StoredEvent['stage'],
    at: r.at as string,
    ...(r.actor ? { actor: r.actor as string } : {}),
    ...(r.role ? { role: r.role as string } : {}),
    ...(r.door ? { door: r.door as StoredEvent['door'] } : {}),
    ...(r.payload ? { payload: JSON.parse(r.payload as string) as Record<string, unknown> } : {}),
    recordedAt: r.recorded_at as string,
  };
}

export function messageOf(r: Record<string, unknown>): SentMessage {
  return {
    key: r.key as string,
    noticeKey: r.notice_key as string,
    visitId: r.visit_id as string,
    topic: r.topic as string,
    kind: r.kind as string,
    recipient: r.recipient as string,
    subject: r.subject as string,
    messageId: r.message_id as string,
    sentAt: r.sent_at as string,
  };
}

/** The row of the `visits` projection a snapshot makes (its indexed columns and the snapshot). */
export function visitRowOf(s: VisitSnapshot, snapshotId: number) {
  return {
    visit_id: s.id,
    number: s.number,
    state: s.state,
    type: s.type,
    stage: s.stage,
    next_deadline: s.nextDeadline,
    snapshot_id: snapshotId,
    status: JSON.stringify(s),
    summary: JSON.stringify(summaryOf(s)),
  };
}

/** A visit as the overview, its CSV and the compliance table read it: identity, stage, items. */
export interface VisitSummary {
  id: string;
  number: number;
  state: string;
  stateName?: string | null;
  type: string;
  end: string;
  stage: string;
  openItems: { item: VisitSnapshot['openItems'][number]['item']; openedAt: string; deadline: string | null }[];
  closedItems: VisitSnapshot['closedItems'];
}

export function summaryOf(s: VisitSnapshot): VisitSummary {
  return {
    id: s.id,
    number: s.number,
    state: s.state,
    stateName: s.stateName ?? null,
    type: s.type,
    end: s.end,
    stage: s.stage,
    openItems: (s.openItems ?? []).map((o) => ({ item: o.item, openedAt: o.openedAt, deadline: o.deadline })),
    closedItems: s.closedItems ?? [],
  };
}

/** An event's row (either database). */
export function eventRowOf(batch: EventBatch, e: VisitEvent, recordedAt: Date) {
  return {
    visit_id: batch.visitId,
    workflow_id: batch.workflowId,
    run_id: batch.runId,
    seq: e.seq,
    type: e.type,
    stage: e.stage,
    at: e.at,
    actor: e.actor ?? null,
    role: e.role ?? null,
    door: e.door ?? null,
    payload: e.payload ? JSON.stringify(e.payload) : null,
    recorded_at: recordedAt.toISOString(),
  };
}

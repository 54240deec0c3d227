/**
 * The file `followup backup` writes and `followup restore` reads: JSON Lines, a header line
 * (format, schema version, the store it came from, when), one line per chunk of a table's rows, and an
 * end line with each table's row count (a file cut short is refused).
 * The same file restores into SQLite or PostgreSQL: the columns are the same in both.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, linkSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { BACKUP_TABLES, type Store, type TableDump } from './store';

const FORMAT = 'followup-store-backup';
const CHUNK = 1000;

const Header = z.object({
  format: z.literal(FORMAT),
  schemaVersion: z.number().int().positive(),
  from: z.enum(['sqlite', 'postgres']),
  createdAt: z.string(),
});
const Chunk = z.object({ table: z.enum(BACKUP_TABLES), rows: z.array(z.record(z.string(), z.unknown())) }).strict();
const Trailer = z.object({ end: z.literal(true), rows: z.record(z.string(), z.number().int().nonnegative()) }).strict();

export interface BackupSummary {
  file: string;
  schemaVersion: number;
  rows: Record<string, number>;
}

/** Writes every table of the store to `file` (created with the owner's permissions only: it is confidential). */
export async function writeBackup(store: Store, file: string, now = new Date()): Promise<BackupSummary> {
  if (existsSync(file)) throw Object.assign(new Error(`${file} exists`), { code: 'EEXIST' });
  // Written under another name and put in place only when complete: a backup cut short is never taken for one.
  const partial = `${file}.partial-${process.pid}`;
  const out = createWriteStream(partial, { mode: 0o600, flags: 'wx' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const write = async (line: unknown) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await Promise.race([once(out, 'drain'), failed]);
  };
  const schemaVersion = await store.schemaVersion();
  const rows: Record<string, number> = {};
  try {
    await write({ format: FORMAT, schemaVersion, from: store.kind, createdAt: now.toISOString() });
    for await (const { table, rows: all } of store.dump()) {
      rows[table] = all.length;
      // A document (up to 10 MiB, base64) goes on a line of its own: a line is one string, and strings are bounded.
      const chunk = table === 'documents' ? 1 : CHUNK;
      for (let i = 0; i < all.length; i += chunk) await write({ table, rows: all.slice(i, i + chunk) });
    }
    // The trailer: how many rows of each table, checked by a restore.
    await write({ end: true, rows });
    out.end();
    await Promise.race([once(out, 'close'), failed]);
    linkSync(partial, file); // refuses a file that appeared meanwhile
  } finally {
    out.destroy();
    rmSync(partial, { force: true });
  }
  return { file, schemaVersion, rows };
}

/** Reads a backup, checking every line and the trailer's counts before anything is written; then restores it into an empty store. */
export async function restoreBackup(store: Store, file: string): Promise<BackupSummary> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const chunks: TableDump[] = [];
  let header: z.infer<typeof Header> | undefined;
  let trailer: z.infer<typeof Trailer> | undefined;
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    if (trailer) throw new Error(`${file}:${n}: a line after the backup's end`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${n}: not JSON`);
    }
    if (!header) {
      const h = Header.safeParse(value);
      if (!h.success)
        throw new Error(`${file}:${n}: not a backup of this engine's store (its first line is no backup header)`);
      header = h.data;
      continue;
    }
    const end = Trailer.safeParse(value);
    if (end.success) {
      trailer = end.data;
      continue;
    }
    const c = Chunk.safeParse(value);
    if (!c.success) throw new Error(`${file}:${n}: ${c.error.issues[0]?.message ?? 'not a table chunk'}`);
    chunks.push(c.data);
  }
  if (!header) throw new Error(`${file}: empty`);
  if (!trailer) throw new Error(`${file}: cut short (no end line): not restored`);
  const rows: Record<string, number> = {};
  for (const c of chunks) rows[c.table] = (rows[c.table] ?? 0) + c.rows.length;
  for (const table of new Set([...Object.keys(rows), ...Object.keys(trailer.rows)]))
    if ((rows[table] ?? 0) !== (trailer.rows[table] ?? 0))
      throw new Error(
        `${file}: ${table} holds ${rows[table] ?? 0} rows, its end line says ${trailer.rows[table] ?? 0}: not restored`,
      );
  const version = await store.schemaVersion();
  if (header.schemaVersion > version)
    throw new Error(
      `${file} comes from schema version ${header.schemaVersion}; this engine's store is at ${version}: upgrade first`,
    );
  await store.restore(chunks);
  return { file, schemaVersion: header.schemaVersion, rows };
}

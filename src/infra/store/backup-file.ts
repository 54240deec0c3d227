/**
 * The file `followup backup` writes and `followup restore` reads: JSON Lines, a header line
 * (format, schema version, the store it came from, when) then one line per chunk of a table's rows.
 * The same file restores into SQLite or PostgreSQL: the columns are the same in both.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
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
const Chunk = z.object({ table: z.enum(BACKUP_TABLES), rows: z.array(z.record(z.string(), z.unknown())) });

export interface BackupSummary {
  file: string;
  schemaVersion: number;
  rows: Record<string, number>;
}

/** Writes every table of the store to `file` (created with the owner's permissions only: it is confidential). */
export async function writeBackup(store: Store, file: string, now = new Date()): Promise<BackupSummary> {
  const out = createWriteStream(file, { mode: 0o600, flags: 'wx' });
  const write = async (line: unknown) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  const schemaVersion = await store.schemaVersion();
  const rows: Record<string, number> = {};
  try {
    await write({ format: FORMAT, schemaVersion, from: store.kind, createdAt: now.toISOString() });
    for await (const { table, rows: all } of store.dump()) {
      rows[table] = all.length;
      for (let i = 0; i < all.length; i += CHUNK) await write({ table, rows: all.slice(i, i + CHUNK) });
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { file, schemaVersion, rows };
}

/** Reads a backup, checking every line before anything is written; then restores it into an empty store. */
export async function restoreBackup(store: Store, file: string): Promise<BackupSummary> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const chunks: TableDump[] = [];
  let header: z.infer<typeof Header> | undefined;
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
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
    const c = Chunk.safeParse(value);
    if (!c.success) throw new Error(`${file}:${n}: ${c.error.issues[0]?.message ?? 'not a table chunk'}`);
    chunks.push(c.data);
  }
  if (!header) throw new Error(`${file}: empty`);
  const version = await store.schemaVersion();
  if (header.schemaVersion > version)
    throw new Error(
      `${file} comes from schema version ${header.schemaVersion}; this engine's store is at ${version}: upgrade first`,
    );
  await store.restore(chunks);
  const rows: Record<string, number> = {};
  for (const c of chunks) rows[c.table] = (rows[c.table] ?? 0) + c.rows.length;
  return { file, schemaVersion: header.schemaVersion, rows };
}

/**
 * The store's numbered migrations, one SQL file each per database (`migrations/<kind>/NNN_name.sql`),
 * applied in order at start; the `schema_migrations` table records which ran. A migration is never
 * edited once released: a change is the next number.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function migrationsOf(kind: 'sqlite' | 'postgres'): Migration[] {
  const dir = join(__dirname, 'migrations', kind);
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(join(dir, f), 'utf8') }));
}

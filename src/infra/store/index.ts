/** Opens the store the configuration names: PostgreSQL for a database URL, else the SQLite file. */
import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';
import type { Store } from './store';

export { PostgresStore, SqliteStore };
export type { Store };

export function openStore(where: { databaseUrl?: string; sqliteFile: string }): Store {
  return where.databaseUrl ? new PostgresStore(where.databaseUrl) : new SqliteStore(where.sqliteFile);
}

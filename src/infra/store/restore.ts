/**
 * A restore's INSERT statements, checked before anything is written: every table is one the backup
 * may hold, every column one the table has (a backup's keys never reach SQL unchecked), identifiers
 * quoted.
 */
import { BACKUP_TABLES, type TableDump } from './store';

export function checkedInserts(
  chunks: readonly TableDump[],
  columns: ReadonlyMap<string, ReadonlySet<string>>,
  placeholder: (i: number) => string,
): (table: string, row: Record<string, unknown>) => { sql: string; values: unknown[] } {
  for (const { table, rows } of chunks) {
    if (!(BACKUP_TABLES as readonly string[]).includes(table)) throw new Error(`unknown table in backup: ${table}`);
    const known = columns.get(table) ?? new Set<string>();
    for (const r of rows)
      for (const c of Object.keys(r))
        if (!known.has(c)) throw new Error(`unknown column in backup: ${table}.${c.slice(0, 60)}`);
  }
  return (table, row) => {
    const cols = Object.keys(row);
    return {
      sql: `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map((_, i) => placeholder(i)).join(', ')})`,
      values: cols.map((c) => row[c]),
    };
  };
}

/** What the CLI prints: text for people, `--json` for programs, a progress bar on a terminal. */
import type { VisitStatus } from '../../domain/visit';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (the import's progress bar). */
  interactive: boolean;
}

/** Prints a value as JSON (`--json`) or as the text a person reads. */
export function print(io: Io, json: boolean | undefined, value: unknown, text: () => string): void {
  io.out(json ? JSON.stringify(value, null, 2) : text());
}

export function statusText(s: VisitStatus): string {
  const lines = [`${s.id}  ${s.stateName ?? s.state}  ${s.type}  stage: ${s.stage}${s.overdue ? '  OVERDUE' : ''}`];
  lines.push('open items:');
  for (const o of s.openItems) {
    const due = o.deadline ?? (o.paused ? '(clock stopped)' : '(no deadline)');
    lines.push(`  ${o.item.padEnd(28)} ${due}${o.overdue ? '  overdue' : ''}`);
  }
  lines.push(`allowed now: ${s.allowedActions.map((a) => a.action).join(', ') || 'nothing'}`);
  lines.push(`consent: ${s.consent.scope}${s.consent.sections.length ? ` (${s.consent.sections.join(', ')})` : ''}`);
  lines.push('history:');
  for (const e of s.history) lines.push(`  ${e.at}  ${e.type}${e.actor ? `  by ${e.actor}` : ''}`);
  return lines.join('\n');
}

/** A progress bar on stderr, only when it is a terminal. */
export function progressBar(io: Io) {
  return (done: number, total: number) => {
    if (!io.interactive) return;
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}

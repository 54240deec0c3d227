/**
 * The engine's log: one JSON object per line (level, time, msg, fields) or the human line, levels
 * filtered, values JSON cannot carry made readable, and the Temporal SDK's log through it.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, formatEntry, runtimeLogger, type LogLevel } from '../../src/infra/log';

const AT = new Date('2026-11-28T10:00:00.000Z');

function capture(format: 'json' | 'text', level?: LogLevel) {
  const lines: { line: string; level: LogLevel }[] = [];
  const log = createLogger({
    format,
    ...(level ? { level } : {}),
    now: () => AT,
    write: (line, l) => lines.push({ line, level: l }),
  });
  return { log, lines };
}

describe('the JSON log', () => {
  it('writes one object per line with level, time, msg and the fields', () => {
    const { log, lines } = capture('json');
    log.info('visit started', { visitId: '166-POL', attempt: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.line).not.toContain('\n');
    expect(JSON.parse(lines[0]!.line)).toEqual({
      level: 'info',
      time: '2026-11-28T10:00:00.000Z',
      msg: 'visit started',
      visitId: '166-POL',
      attempt: 2,
    });
  });

  it('keeps its own keys over fields of the same name, and writes errors and bigints', () => {
    const entry = JSON.parse(
      formatEntry('json', 'error', AT, 'failed', {
        msg: 'spoofed',
        level: 'debug',
        error: new TypeError('bad\nthing'),
        n: 10n,
      }),
    );
    expect(entry).toMatchObject({ level: 'error', msg: 'failed', n: '10' });
    expect(entry.error).toMatchObject({ name: 'TypeError', message: 'bad\nthing' });
    expect(entry.error.stack).toContain('TypeError');
  });

  it('writes through pino as formatEntry does: its own keys win, errors and bigints readable', () => {
    const { log, lines } = capture('json');
    log.error('failed', { msg: 'spoofed', level: 'debug', time: 'then', error: new TypeError('bad'), n: 10n });
    const entry = JSON.parse(lines[0]!.line);
    expect(entry).toMatchObject({ level: 'error', time: '2026-11-28T10:00:00.000Z', msg: 'failed', n: '10' });
    expect(entry.error).toMatchObject({ name: 'TypeError', message: 'bad' });
    expect(lines[0]!.level).toBe('error');
  });

  it('drops entries below its level', () => {
    const { log, lines } = capture('json', 'warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => JSON.parse(l.line).msg)).toEqual(['w', 'e']);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
  });
});

describe('the human log', () => {
  it('writes the message as it is, then the fields as key=value', () => {
    const { log, lines } = capture('text');
    log.info('Visit follow-up engine running.\n  Temporal: 127.0.0.1:7233');
    log.warn('no address', { notice: 'n1', roles: ['chair'], why: 'two words', error: new Error('down') });
    expect(lines.map((l) => l.line)).toEqual([
      'Visit follow-up engine running.\n  Temporal: 127.0.0.1:7233',
      'no address notice=n1 roles=["chair"] why="two words" error="Error: down"',
    ]);
  });
});

describe('the Temporal SDK log', () => {
  it('goes through the logger from the given level up, marked as Temporal’s, with its metadata', () => {
    const { log, lines } = capture('json', 'debug');
    const sdk = runtimeLogger(log, 'WARN');
    sdk.info('worker polling');
    sdk.warn('Activity failed', { activityType: 'notify', attempt: 1 });
    sdk.log('ERROR', 'worker failed');
    expect(lines.map((l) => JSON.parse(l.line))).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'Activity failed',
        source: 'temporal',
        activityType: 'notify',
        attempt: 1,
      }),
      expect.objectContaining({ level: 'error', msg: 'worker failed', source: 'temporal' }),
    ]);
  });
});

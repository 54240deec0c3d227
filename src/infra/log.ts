/**
 * The engine's log: one line per entry, either for people (the message, then `key=value` fields)
 * or, with FOLLOWUP_LOG_FORMAT=json, one JSON object per line with level, time, msg and the fields
 * (what log collectors parse), written by pino. The Temporal SDK's own log (worker, workflow and activity loggers)
 * goes through the same logger via `runtimeLogger`.
 */
import type { Logger as SdkLogger, LogLevel as SdkLevel, LogMetadata } from '@temporalio/common';
import pino from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'text' | 'json';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export interface LoggerOptions {
  format: LogFormat;
  /** Entries below this level are dropped. */
  level?: LogLevel;
  /** Where a line goes; by default info and below to stdout, warn and error to stderr (as before). */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
}

/** Values JSON cannot carry as they are: errors (name, message, stack) and bigints (as strings). */
function jsonable(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return { name: v.name, message: v.message, ...(v.stack ? { stack: v.stack } : {}) };
  return v;
}

const textValue = (v: unknown) => {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(`${v.name}: ${v.message}`);
  return JSON.stringify(v, jsonable);
};

/** One log line, without its newline. */
export function formatEntry(format: LogFormat, level: LogLevel, time: Date, msg: string, fields: Fields = {}): string {
  if (format === 'json') {
    // The entry's own keys win over fields of the same name.
    return JSON.stringify({ ...fields, level, time: time.toISOString(), msg }, jsonable);
  }
  const extra = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${textValue(v)}`);
  return [msg, ...extra].join(' ');
}

const defaultWrite = (line: string, level: LogLevel) =>
  (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);

/** The JSON log on pino: one object per line, the level as its name, the time in ISO 8601. */
function pinoLogger(o: LoggerOptions, write: NonNullable<LoggerOptions['write']>, now: () => Date): Logger {
  // pino writes each line synchronously to a plain object's write(): the level of the entry being written.
  let writing: LogLevel = 'info';
  const p = pino(
    {
      level: o.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"time":"${now().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line, writing) },
  );
  const at =
    (level: LogLevel) =>
    (msg: string, fields: Fields = {}): void => {
      writing = level;
      // The entry's own keys win over fields of the same name; errors and bigints made JSON first.
      const { level: _l, time: _t, msg: _m, ...rest } = JSON.parse(JSON.stringify(fields, jsonable)) as Fields;
      p[level](rest, msg);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function createLogger(o: LoggerOptions): Logger {
  const min = LOG_LEVELS.indexOf(o.level ?? 'info');
  const write = o.write ?? defaultWrite;
  const now = o.now ?? (() => new Date());
  if (o.format === 'json') return pinoLogger(o, write, now);
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: Fields): void => {
      if (LOG_LEVELS.indexOf(level) < min) return;
      write(formatEntry(o.format, level, now(), msg, fields), level);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const FROM_SDK: Record<SdkLevel, LogLevel> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The Temporal SDK's logger interface on ours (for `Runtime.install({ logger })`), from `minimum` up. */
export function runtimeLogger(log: Logger, minimum: SdkLevel = 'WARN'): SdkLogger {
  const order: SdkLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
  const entry = (level: SdkLevel, message: string, meta?: LogMetadata) => {
    if (order.indexOf(level) < order.indexOf(minimum)) return;
    log[FROM_SDK[level]](message, { source: 'temporal', ...(meta as Fields | undefined) });
  };
  return {
    log: entry,
    trace: (m, meta) => entry('TRACE', m, meta),
    debug: (m, meta) => entry('DEBUG', m, meta),
    info: (m, meta) => entry('INFO', m, meta),
    warn: (m, meta) => entry('WARN', m, meta),
    error: (m, meta) => entry('ERROR', m, meta),
  };
}

/**
 * The environment, parsed once with zod into a frozen, typed object. A bad value stops start-up
 * with a message that names the variable.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * `id:base64key,id:base64key`: the first key encrypts, all decrypt (rotation: put the new key
 * first and keep the old ones until no history needs them).
 */
const CodecKeys = z
  .string()
  .transform((s, ctx) => {
    const keys = s.split(',').map((entry) => {
      const m = /^\s*([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/=_-]+)\s*$/.exec(entry);
      const key = m ? Buffer.from(m[2]!, 'base64') : undefined;
      if (!m || key?.length !== 32) {
        const what = m ? `key ${m[1]} is ${key?.length} bytes` : `"${entry.split(':')[0]?.trim()}…" is not id:key`;
        ctx.addIssue({
          code: 'custom',
          message: `${what}; expected id:base64key[,id:base64key…] with 32-byte keys (openssl rand -base64 32)`,
        });
      }
      return { id: m?.[1] ?? '', key: key ?? Buffer.alloc(0) };
    });
    const ids = keys.map((k) => k.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `key id ${dup} appears twice` });
    return keys;
  })
  .optional();

const Env = z.object({
  /** host:port of a Temporal server; unset: `npm start` runs the embedded dev server. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Where the engine keeps its state: the dev server's database, the store, the outbox. */
  FOLLOWUP_DATA_DIR: z.string().min(1).default('./var'),
  /** postgres://user:password@host:port/db: the store on PostgreSQL (any number of processes on any hosts); unset: SQLite in the data folder. */
  FOLLOWUP_DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/\S+$/,
      'expected a postgres:// URL, e.g. postgres://followup:secret@127.0.0.1:5432/followup',
    )
    .optional(),
  /** A JSON file that overrides the default policy. */
  FOLLOWUP_POLICY: z.string().min(1).optional(),
  /** A JSON file with the directory of addresses (secretariat, committee, chair, partners). */
  FOLLOWUP_DIRECTORY: z.string().min(1).optional(),
  /** smtp://host:port; unset: messages go to the outbox folder. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'expected an smtp:// or smtps:// URL, e.g. smtp://127.0.0.1:2525')
    .optional(),
  MAIL_FROM: z.string().min(3).default('CTC visit follow-up <followup@localhost>'),
  /** The actor the CLI records when `--as` is not given. */
  FOLLOWUP_OPERATOR: z.email().default('operator@followup.local'),
  /** Address the HTTP API listens on: loopback by default; 0.0.0.0 inside a container. */
  HOST: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')]).default('127.0.0.1'),
  /** Port of the HTTP API. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Base URL people reach the API at, used in signed links sent by e-mail. */
  FOLLOWUP_PUBLIC_URL: z.url().optional(),
  /** Secret that signs links (at least 32 characters); unset: generated once into the data folder. */
  FOLLOWUP_LINK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Port of the embedded dev server (gRPC); its UI listens on TEMPORAL_UI_PORT. */
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /** Keys that encrypt every payload in Temporal's history; unset: payloads are stored in clear. */
  FOLLOWUP_CODEC_KEYS: CodecKeys,
  /** Origins (comma-separated) of the Temporal UI allowed to call /codec; default: the embedded UI's. */
  FOLLOWUP_CODEC_ORIGINS: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()))
    .pipe(z.array(z.url().regex(/^https?:\/\/[^/]+$/, 'expected an origin, e.g. https://temporal.example.org')))
    .optional(),
  /** TLS to a remote TEMPORAL_ADDRESS: `true` for server-authenticated TLS (implied by the files below). */
  TEMPORAL_TLS: z.stringbool().optional(),
  /** PEM files: the client certificate and key (mTLS, both or neither), the CA that signed the server's. */
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  /** Run one part only (`npm start -- --only worker|web` sets it): unset runs both in one process. */
  FOLLOWUP_ONLY: z.enum(['worker', 'web']).optional(),
  /** Workflows the worker keeps in memory: more uses memory, fewer replays histories on wake-up. */
  FOLLOWUP_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).default(100),
  /** `text` (for people, the default) or `json` (one object per line, for log collectors). */
  FOLLOWUP_LOG_FORMAT: z.enum(['text', 'json']).default('text'),
  FOLLOWUP_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** host:port where the Temporal SDK serves its own Prometheus metrics (at /metrics); unset: not served. */
  FOLLOWUP_SDK_METRICS_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9464')
    .optional(),
});

/** Cross-variable rules: mTLS needs both files; TLS applies to a remote server only; one part alone shares a Temporal. */
const Checked = Env.superRefine((e, ctx) => {
  // Each part alone would start its own embedded dev server: split processes share one Temporal.
  if (e.FOLLOWUP_ONLY !== undefined && e.TEMPORAL_ADDRESS === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['FOLLOWUP_ONLY'],
      message: 'a worker or web process alone needs TEMPORAL_ADDRESS (a Temporal server the processes share)',
    });
  }
  if (!e.TEMPORAL_TLS_CERT !== !e.TEMPORAL_TLS_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS_CERT'],
      message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS)',
    });
  }
  const tls = e.TEMPORAL_TLS || e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_KEY || e.TEMPORAL_TLS_CA;
  if (tls && !e.TEMPORAL_ADDRESS) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_ADDRESS'],
      message: 'TEMPORAL_TLS* needs a remote TEMPORAL_ADDRESS (the embedded server has no TLS)',
    });
  }
  if (e.TEMPORAL_TLS === false && (e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA)) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS'],
      message: 'TEMPORAL_TLS=false contradicts TEMPORAL_TLS_CERT/CA',
    });
  }
});

export type Config = Readonly<z.infer<typeof Env> & { dataDir: string }>;

/** `--only worker|web` from the command line, as FOLLOWUP_ONLY (the flag wins over the variable). */
export function onlyFromArgs(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return undefined;
  const arg = argv[i]!;
  const value = arg.includes('=') ? arg.slice('--only='.length) : argv[i + 1];
  // An empty value would read as unset (both parts): a bare `--only` is a mistake to report.
  if (!value || value.startsWith('-')) throw new Error('Invalid command line: --only takes worker or web');
  return value;
}

/** Parses `env` (process.env by default); throws an Error naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as shells often export them that way.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Checked.safeParse(present);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return Object.freeze({ ...parsed.data, dataDir: resolve(parsed.data.FOLLOWUP_DATA_DIR) });
}

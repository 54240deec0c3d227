/**
 * What every service is built from: the infrastructure, handed in by a composition root
 * (`src/start.ts`, `src/cli.ts`, the tests), and who is calling.
 */
import type { Client } from '@temporalio/client';
import type { Principal } from '../domain/permissions';
import type { Policy } from '../domain/policy';
import type { Door } from '../domain/visit';
import type { EngineMetrics } from '../infra/metrics';
import type { Store } from '../infra/store/store';

export interface ServiceDeps {
  /** A Temporal client, connected on first use (the CLI's `policy show` needs none). */
  temporal: () => Promise<Client>;
  /** The store, opened on first use. */
  store: () => Store;
  policy: Policy;
  /** Signs links, calendar-feed URLs, form tokens and flash messages. */
  linkSecret: string;
  /** Where people reach the server: links in e-mails, feed URLs. */
  publicUrl: string;
  /** The outbox folder when no SMTP server is configured. */
  outboxDir: string;
  now?: () => number;
  /** Task queue of new visits (tests use their own). */
  taskQueue?: string;
  /** This process's own metrics (activity latency, failed sends), served at /metrics with the store's counts. */
  metrics?: EngineMetrics;
}

/** The operator at the server's console (the CLI): every action, recorded under its `--as` address. */
export interface Operator {
  email: string;
  role: 'operator';
}

/** Who asks: a signed-in person (or a signed link's holder), or the operator. */
export type Caller = Principal | Operator;

/** The doors an action can come through (the engine's own clocks are not a door). */
export type CallerDoor = Exclude<Door, 'engine'>;

export const isOperator = (c: Caller): c is Operator => c.role === 'operator';

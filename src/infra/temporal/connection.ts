/** Connections to Temporal: the worker's native one (retried while a server starts) and clients. */
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { NativeConnection } from '@temporalio/worker';
import { registerSearchAttributes } from './search-attributes';
import { ensureSchedules } from './schedules';

/** Connects the worker, retrying until the server answers or `timeoutMs` passes. */
export async function connectWorker(address: string, timeoutMs: number, tls?: TLSConfig): Promise<NativeConnection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await NativeConnection.connect({ address, ...(tls ? { tls } : {}) });
    } catch (e) {
      if (Date.now() > deadline) {
        const why = `Temporal server at ${address} did not answer within ${timeoutMs / 1000} s: ${(e as Error).message}`;
        throw new Error(why, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export interface ClientOptions {
  connectTimeout?: string;
  tls?: TLSConfig | undefined;
  /** With the payload codec when FOLLOWUP_CODEC_KEYS is set. */
  dataConverter?: DataConverter | undefined;
}

/** A client of the namespace, with a `close` that ends its connection. */
export async function connectClient(address: string, namespace: string, o: ClientOptions = {}): Promise<Client> {
  const connection = await Connection.connect({
    address,
    ...(o.connectTimeout ? { connectTimeout: o.connectTimeout } : {}),
    ...(o.tls ? { tls: o.tls } : {}),
  });
  return new Client({ connection, namespace, ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}) });
}

/**
 * Makes a namespace ready for visits: the search attributes, the secretariat's schedules and,
 * on the embedded server, a year's retention of closed visits (not the dev server's 24 hours).
 */
export async function prepareNamespace(client: Client, namespace: string, embedded: boolean): Promise<void> {
  await registerSearchAttributes(client.connection as Connection, namespace);
  if (embedded) {
    await client.connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs('365 days') },
    });
  }
  await ensureSchedules(client);
}

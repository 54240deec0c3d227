/**
 * The engine's worker alone in its own process, so that its resident memory is its own: the
 * benchmark forks it (`BENCH_WORKER` holds the server address, task queue, data folder and bundle)
 * and asks it over IPC for `rss` and to `stop`. Runs the real activities on the SQLite store the
 * benchmark's API reads.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { join } from 'node:path';
import { Directory } from '../../src/infra/directory';
import { outboxMailer } from '../../src/infra/mail';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { createVisitWorker } from '../../src/worker';
import { maxCachedWorkflows } from './util';

export interface WorkerProcessConfig {
  address: string;
  taskQueue: string;
  dir: string;
  bundlePath: string;
}

export type WorkerReply = { ready: true } | { rss: number; heapUsed: number; external: number };

async function main() {
  const cfg = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerProcessConfig;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: cfg.address });
  const client = new Client({ connection: await Connection.connect({ address: cfg.address }) });
  const store = new SqliteStore(join(cfg.dir, 'followup.sqlite'));
  const worker = await createVisitWorker({
    connection,
    namespace: 'default',
    taskQueue: cfg.taskQueue,
    workflowBundle: { codePath: cfg.bundlePath },
    maxCachedWorkflows: maxCachedWorkflows(),
    deps: {
      store,
      mailer: outboxMailer(join(cfg.dir, 'outbox')),
      directory: Directory.parse({}),
      from: 'bench@localhost',
      temporal: client,
    },
  });
  process.on('message', (m) => {
    if (m === 'rss') {
      const { rss, heapUsed, external } = process.memoryUsage();
      process.send?.({ rss, heapUsed, external } satisfies WorkerReply);
    }
    if (m === 'stop') worker.shutdown();
  });
  const running = worker.run();
  process.send?.({ ready: true } satisfies WorkerReply);
  await running;
  await store.close();
  await connection.close();
  await client.connection.close();
  process.disconnect?.();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

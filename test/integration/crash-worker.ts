/**
 * A visit worker in its own process that is killed (SIGKILL) inside its first `feedRegister`, right
 * after the register was signalled and before the activity could report it done: the crash the
 * register must survive without doubling anything. Run by test/integration/register.test.ts with
 * CRASH_ADDRESS, CRASH_QUEUE, CRASH_BUNDLE (a workflow bundle's file), CRASH_DIR.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createActivities } from '../../activities';
import { Directory } from '../../src/infra/directory';
import { outboxMailer } from '../../src/infra/mail';
import { SqliteStore } from '../../src/infra/store/sqlite';
import { quietRuntime } from '../helpers';

async function main() {
  const need = (name: string) => process.env[name] ?? (process.exit(2) as never);
  const [address, taskQueue, bundle, dir] = ['CRASH_ADDRESS', 'CRASH_QUEUE', 'CRASH_BUNDLE', 'CRASH_DIR'].map(need);
  quietRuntime();
  const client = new Client({ connection: await Connection.connect({ address: address! }) });
  const activities = createActivities({
    store: new SqliteStore(join(dir!, 'followup.sqlite')),
    mailer: outboxMailer(join(dir!, 'outbox')),
    directory: Directory.parse({}),
    from: 'followup@un.example.org',
    temporal: client,
  });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: address! }),
    taskQueue: taskQueue!,
    workflowBundle: { code: readFileSync(bundle!, 'utf8') },
    activities: {
      ...activities,
      async feedRegister(req: Parameters<typeof activities.feedRegister>[0]) {
        await activities.feedRegister(req);
        process.stdout.write(`fed ${req.change.key}\n`);
        process.kill(process.pid, 'SIGKILL');
      },
    },
  });
  process.stdout.write('ready\n');
  await worker.run();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

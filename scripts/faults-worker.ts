/**
 * One visit worker in its own process for `npm run faults` (scripts/faults.ts), so the fault run can
 * `kill -9` it: the real activities, the store's file shared with the other worker, real SMTP.
 * Configured by FAULTS_ADDRESS, FAULTS_QUEUE, FAULTS_BUNDLE (a workflow bundle's file),
 * FAULTS_STORE (the SQLite file, or a postgres:// URL) and FAULTS_SMTP (smtp://host:port). Prints `ready` once polling.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { Directory } from '../src/infra/directory';
import { smtpMailer } from '../src/infra/mail';
import { openStore } from '../src/infra/store';
import { createVisitWorker } from '../src/worker';

async function main(): Promise<void> {
  const need = (name: string): string => {
    const v = process.env[name];
    if (!v) {
      console.error(`faults-worker: ${name} is not set`);
      process.exit(2);
    }
    return v;
  };
  const [address, taskQueue, bundle, storeFile, smtp] = [
    'FAULTS_ADDRESS',
    'FAULTS_QUEUE',
    'FAULTS_BUNDLE',
    'FAULTS_STORE',
    'FAULTS_SMTP',
  ].map(need) as [string, string, string, string, string];
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const worker = await createVisitWorker({
    connection: await NativeConnection.connect({ address }),
    namespace: 'default',
    taskQueue,
    workflowBundle: { code: readFileSync(bundle, 'utf8') },
    deps: {
      store: openStore(
        storeFile.startsWith('postgres') ? { databaseUrl: storeFile, sqliteFile: '' } : { sqliteFile: storeFile },
      ),
      mailer: smtpMailer(smtp),
      directory: Directory.parse({ secretariat: ['secretariat@un.example.org'] }),
      from: 'CTC follow-up <followup@un.example.org>',
      temporal: client,
    },
  });
  process.stdout.write('ready\n');
  await worker.run();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

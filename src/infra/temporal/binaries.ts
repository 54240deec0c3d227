/**
 * Where the pinned Temporal binaries are: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH, or the
 * project-local .temporal/bin that scripts/install-temporal.sh fills. Nothing downloads at run time.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PROJECT_BIN = resolve(__dirname, '..', '..', '..', '.temporal', 'bin');

function find(envVar: string, name: string): string {
  const path = process.env[envVar] || join(PROJECT_BIN, name);
  if (!existsSync(path)) {
    throw new Error(
      `${envVar}: ${path} does not exist; run \`bash scripts/install-temporal.sh\` (or npm install) to install the pinned Temporal binaries`,
    );
  }
  return path;
}

/** The Temporal CLI, which runs the dev server. */
export const temporalCliPath = () => find('TEMPORAL_CLI_PATH', 'temporal');
/** The Java time-skipping test server. */
export const temporalTestServerPath = () => find('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');

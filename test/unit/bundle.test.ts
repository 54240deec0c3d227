/**
 * Workflow code must stay deterministic and sandbox-safe, checked twice: it bundles with Temporal's
 * bundler and pulls in nothing but itself, the contract, the pure domain and the workflow packages;
 * and ESLint's import rules (eslint.config.mjs) refuse what would break that, in any new file too.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { ESLint } from 'eslint';
import { join, resolve } from 'node:path';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');

describe('the workflow bundle', () => {
  it('bundles workflows/ with the Temporal bundler: the workflows, the contract and the pure domain, no worker-side module', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: join(ROOT, 'workflows'),
      logger: new DefaultLogger('WARN'),
    });
    expect(bundle.code).toContain('visitFollowUp');
    // webpack heads each module with a comment that names its path: `!*** ./src/contract.ts ***!`.
    const modules = [...bundle.code.matchAll(/!\*\*\* (\S+) \*\*\*!/g)].map((m) => m[1]!);
    const ours = modules.filter((m) => m.startsWith('./') && !m.includes('node_modules/'));
    expect(ours).toEqual(
      expect.arrayContaining([
        './workflows/index.ts',
        './workflows/visit-follow-up.ts',
        './src/contract.ts',
        './src/domain/actions.ts',
        './src/domain/visit/index.ts',
        './src/domain/visit/transitions.ts',
      ]),
    );
    for (const m of ours.filter((p) => p.endsWith('.ts')))
      expect(m).toMatch(/^\.\/(workflows\/|src\/contract\.ts$|src\/domain\/)/);
    const packages = new Set(modules.flatMap((m) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(m)?.[1] ?? []));
    expect([...packages].filter((p) => p.startsWith('@temporalio/')).sort()).toEqual([
      '@temporalio/common',
      '@temporalio/workflow',
    ]);
    for (const pkg of ['better-sqlite3', 'nodemailer', 'smtp-server', 'hono']) expect(packages, pkg).not.toContain(pkg);
  }, 120_000);
});

/** Lints a file that is not on disk; the type-aware rules need a file in the TS project, so they are off here. */
async function lintProbe(filePath: string, source: string): Promise<{ rule: string | null; line: number }[]> {
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: [tseslint.configs.disableTypeChecked] });
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.map((m) => ({ rule: m.ruleId, line: m.line }));
}

const restricted = (...lines: number[]) => lines.map((line) => ({ rule: 'no-restricted-imports', line }));

describe('ESLint guards what workflow code and the domain import', () => {
  it('refuses Node built-ins, Temporal client, infrastructure and activity values in a new workflow file', async () => {
    const source = [
      "import { readFileSync } from 'node:fs';",
      "import { Client } from '@temporalio/client';",
      "import { openStore } from '../src/infra/store';",
      "import { createActivities } from '../activities';",
      "import type { VisitActivities } from '../activities';",
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { z } from 'zod';",
      "import { visitIdOf } from '../src/contract';",
      "import { statusOf } from '../src/domain/visit';",
      'export const used = [readFileSync, Client, openStore, createActivities, proxyActivities, z, visitIdOf, statusOf];',
      'export type Used = VisitActivities;',
    ].join('\n');
    expect(await lintProbe('workflows/some-new-file.ts', source)).toEqual(restricted(1, 2, 3, 4));
  }, 60_000);

  it('refuses anything but zod and the domain itself in a domain file, at either depth', async () => {
    const top = [
      "import { randomUUID } from 'node:crypto';",
      "import { store } from '../infra/x';",
      "import { z } from 'zod';",
      "import { ACTIONS } from './vocabulary';",
      'export const used = [randomUUID, store, z, ACTIONS];',
    ].join('\n');
    expect(await lintProbe('src/domain/some-new-file.ts', top)).toEqual(restricted(1, 2));

    const nested = [
      "import { randomUUID } from 'crypto';",
      "import { store } from '../../infra/x';",
      "import { z } from 'zod';",
      "import { ACTIONS } from '../vocabulary';",
      "import { iso } from './events';",
      'export const used = [randomUUID, store, z, ACTIONS, iso];',
    ].join('\n');
    expect(await lintProbe('src/domain/visit/some-new-file.ts', nested)).toEqual(restricted(1, 2));
  }, 60_000);

  it('finds nothing to report in the real workflows/, src/contract.ts and src/domain/', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const results = await eslint.lintFiles(['workflows', 'src/contract.ts', 'src/domain']);
    expect(results.map((r) => r.filePath.slice(ROOT.length + 1)).sort()).toEqual(
      expect.arrayContaining(['workflows/visit-follow-up.ts', 'src/domain/visit/index.ts', 'src/contract.ts']),
    );
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(problems).toEqual([]);
  }, 120_000);
});

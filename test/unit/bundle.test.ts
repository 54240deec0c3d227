/**
 * Workflow code must stay deterministic and sandbox-safe: it bundles with Temporal's bundler, and
 * neither it nor the modules it pulls in from src/ import Node built-ins or the Temporal packages
 * that only make sense outside a workflow (activity, client, worker).
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/worker';

const ROOT = resolve(__dirname, '..', '..');
const WORKFLOWS = workflowsPath();

const FORBIDDEN_PACKAGES = [
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/testing',
  'better-sqlite3',
  'nodemailer',
];

interface ImportRef {
  spec: string;
  /** Erased at compile time (`import type`, or only `type` specifiers): never reaches the bundle. */
  typeOnly: boolean;
  statement: string;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/^[ \t]*\/\/.*$/gm, '');
}

/** Every module specifier a TypeScript source imports or re-exports, statically or dynamically. */
function importsOf(source: string): ImportRef[] {
  const code = stripComments(source);
  const refs: ImportRef[] = [];
  const fromClause = /^[ \t]*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/gm;
  for (let m = fromClause.exec(code); m; m = fromClause.exec(code)) {
    const clause = m[3]!.trim();
    const braces = /^\{([\s\S]*)\}$/.exec(clause);
    const onlyTypeSpecifiers =
      braces !== null &&
      braces[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .every((s) => s.startsWith('type '));
    refs.push({
      spec: m[4]!,
      typeOnly: m[2] !== undefined || onlyTypeSpecifiers,
      statement: m[0].trim().replace(/\s+/g, ' '),
    });
  }
  const sideEffect = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
  for (let m = sideEffect.exec(code); m; m = sideEffect.exec(code))
    refs.push({ spec: m[1]!, typeOnly: false, statement: m[0].trim() });
  const dynamic = /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = dynamic.exec(code); m; m = dynamic.exec(code))
    refs.push({ spec: m[1]!, typeOnly: false, statement: m[0] });
  return refs;
}

function isNodeBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0]!);
}

function forbiddenReason(spec: string): string | undefined {
  if (isNodeBuiltin(spec)) return 'Node built-in';
  if (FORBIDDEN_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))) return 'not allowed in workflow code';
  return undefined;
}

function resolveRelative(fromFile: string, spec: string): string {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${relative(ROOT, fromFile)}: cannot resolve ${spec}`);
}

const rel = (f: string) => relative(ROOT, f).split('\\').join('/');

/** Walks the value imports from the workflow files; returns the files reached and every violation. */
function walkWorkflowGraph(entries: string[]): { files: string[]; violations: string[]; typeOnlySkipped: string[] } {
  const seen = new Set<string>();
  const violations: string[] = [];
  const typeOnlySkipped: string[] = [];
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue; // JSON data has no imports
    for (const ref of importsOf(readFileSync(file, 'utf8'))) {
      if (ref.typeOnly) {
        typeOnlySkipped.push(`${rel(file)}: ${ref.spec}`);
        continue;
      }
      const why = forbiddenReason(ref.spec);
      if (why) violations.push(`${rel(file)}: ${ref.statement} (${why})`);
      if (ref.spec.startsWith('.')) queue.push(resolveRelative(file, ref.spec));
    }
  }
  return { files: [...seen].map(rel).sort(), violations, typeOnlySkipped };
}

const workflowFiles = () =>
  readdirSync(WORKFLOWS)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(WORKFLOWS, f));

describe('the workflow bundle', () => {
  it('bundles workflows/ with the Temporal bundler and contains visitFollowUp and none of the worker-side modules', async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath() });
    expect(typeof bundle.code).toBe('string');
    expect(bundle.code.length).toBeGreaterThan(1000);
    expect(bundle.code).toContain('visitFollowUp');
    // The bundle names the modules it holds by path: the pure ones are in, the worker-side ones are not.
    for (const path of ['./src/contract.ts', './src/domain/visit.ts', 'node_modules/@temporalio/workflow/'])
      expect(bundle.code, path).toContain(path);
    for (const path of ['src/mail.ts', 'src/store.ts', 'src/directory.ts', 'activities/index.ts'])
      expect(bundle.code, path).not.toContain(path);
    for (const pkg of ['better-sqlite3', 'nodemailer', 'smtp-server'])
      expect(bundle.code, pkg).not.toContain(`node_modules/${pkg}/`);
  }, 120_000);
});

describe('static check of what workflow code imports', () => {
  it('the import scanner finds every specifier TypeScript finds, in each file it checks', () => {
    const files = [
      ...workflowFiles(),
      join(ROOT, 'src', 'contract.ts'),
      ...readdirSync(join(ROOT, 'src', 'domain'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(ROOT, 'src', 'domain', f)),
    ];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const byTypeScript = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
      expect(new Set(importsOf(source).map((r) => r.spec)), rel(file)).toEqual(new Set(byTypeScript));
    }
  });

  it('the import scanner flags Node built-ins and worker-side packages, and skips type-only imports', () => {
    const sample = [
      "import { readFileSync } from 'node:fs';",
      "import path from 'path';",
      "import * as crypto from 'crypto';",
      "import {\n  Context,\n} from '@temporalio/activity';",
      "export { Client } from '@temporalio/client';",
      "import '@temporalio/worker/lib/something';",
      "const later = await import('fs/promises');",
      "import type { Worker } from '@temporalio/worker';",
      "import { type NativeConnection } from '@temporalio/worker';",
      "import { proxyActivities } from '@temporalio/workflow';",
      "// import { hidden } from 'node:os';",
    ].join('\n');
    const refs = importsOf(sample);
    const flagged = refs.filter((r) => !r.typeOnly && forbiddenReason(r.spec)).map((r) => r.spec);
    expect(flagged.sort()).toEqual(
      [
        '@temporalio/activity',
        '@temporalio/client',
        '@temporalio/worker/lib/something',
        'crypto',
        'fs/promises',
        'node:fs',
        'path',
      ].sort(),
    );
    expect(refs.filter((r) => r.typeOnly).map((r) => r.spec)).toEqual(['@temporalio/worker', '@temporalio/worker']);
    expect(refs.map((r) => r.spec)).not.toContain('node:os');
    expect(forbiddenReason('@temporalio/workflow')).toBeUndefined();
    expect(forbiddenReason('zod')).toBeUndefined();
  });

  it('no file under workflows/ imports Node built-ins or @temporalio/activity, client or worker', () => {
    const files = workflowFiles();
    expect(files.map(rel).sort()).toEqual(
      expect.arrayContaining(['workflows/index.ts', 'workflows/visit-follow-up.ts']),
    );
    const violations = files.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((r) => !r.typeOnly && forbiddenReason(r.spec))
        .map((r) => `${rel(file)}: ${r.statement}`),
    );
    expect(violations).toEqual([]);
  });

  it('nor do the modules they import from src/, transitively (contract and the pure domain)', () => {
    const { files, violations, typeOnlySkipped } = walkWorkflowGraph(workflowFiles());
    expect(violations).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'workflows/index.ts',
        'workflows/visit-follow-up.ts',
        'src/contract.ts',
        'src/domain/actions.ts',
        'src/domain/calendar.ts',
        'src/domain/duration.ts',
        'src/domain/policy.ts',
        'src/domain/visit.ts',
        'src/domain/vocabulary.ts',
      ]),
    );
    // Everything reached lives in workflows/ or src/ (never activities/ or a worker-side module).
    for (const f of files) expect(f, f).toMatch(/^(workflows\/|src\/)/);
    for (const f of [
      'activities/index.ts',
      'src/store.ts',
      'src/mail.ts',
      'src/directory.ts',
      'src/worker.ts',
      'src/policy-loader.ts',
    ]) {
      expect(files, f).not.toContain(f);
    }
    // The activities are known to the workflow by their type only.
    expect(typeOnlySkipped).toContain('workflows/visit-follow-up.ts: ../activities');
  });

  it('every module in src/domain/ and src/contract.ts is free of Node built-ins and worker-side packages', () => {
    const files = [
      join(ROOT, 'src', 'contract.ts'),
      ...readdirSync(join(ROOT, 'src', 'domain'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(ROOT, 'src', 'domain', f)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(8);
    const { violations } = walkWorkflowGraph(files);
    expect(violations).toEqual([]);
  });
});

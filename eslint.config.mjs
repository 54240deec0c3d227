// Rules a machine checks: the usual TypeScript hygiene, and the architecture as import boundaries.
// workflows/ (and the contract and domain they pull in) stay deterministic; the domain imports
// nothing but zod; doors reach infrastructure only through services or a composition root.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const DETERMINISTIC =
  'workflow code imports only @temporalio/workflow, @temporalio/common, zod, the contract and the pure domain (no Node built-ins, no activity/client/worker)';
const onlyWorkflowPackages = {
  regex: '^(?!@temporalio/(workflow|common)(/|$)|zod$|\\.)',
  message: DETERMINISTIC,
};

export default defineConfig(
  globalIgnores(['node_modules/', '.temporal/', 'var/', 'coverage/', 'test/histories/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // Workflow code: deterministic and sandbox-safe.
  {
    files: ['workflows/**/*.ts'],
    rules: restrict(
      onlyWorkflowPackages,
      { regex: '^\\.\\./src/(?!contract$|domain/)', message: DETERMINISTIC },
      { regex: '^\\.\\./activities', allowTypeImports: true, message: 'workflows know activities by type only' },
    ),
  },
  {
    files: ['src/contract.ts'],
    rules: restrict(onlyWorkflowPackages, { regex: '^\\.(\\.)?/(?!domain/)', message: DETERMINISTIC }),
  },
  // The domain: pure, imports nothing but zod and itself.
  {
    files: ['src/domain/*.ts'],
    rules: restrict({
      regex: '^(?!zod$|\\./)',
      message: 'the domain imports nothing but zod and other domain modules',
    }),
  },
  {
    files: ['src/domain/*/*.ts'],
    rules: restrict(
      { regex: '^(?!zod$|\\.\\.?/)', message: 'the domain imports nothing but zod and other domain modules' },
      { regex: '^\\.\\./\\.\\./', message: 'the domain imports nothing but zod and other domain modules' },
    ),
  },
  // Infrastructure serves the layers above; it never calls them.
  {
    files: ['src/infra/**/*.ts'],
    rules: restrict({
      regex: '(^|/)(services|doors)(/|$)',
      message: 'infrastructure does not import services or doors',
    }),
  },
  {
    files: ['src/services/**/*.ts'],
    rules: restrict({ regex: '(^|/)doors(/|$)', message: 'services do not import doors' }),
  },
  // Doors call services; they reach Temporal, the store and mail only through them.
  {
    files: ['src/doors/**/*.ts', 'src/doors/**/*.tsx'],
    rules: restrict(
      { regex: '(^|/)infra(/|$)', message: 'doors reach infrastructure through services or the composition root' },
      {
        regex: '^(@temporalio/|better-sqlite3$|nodemailer$|node:child_process$)',
        message: 'doors reach Temporal, the store and mail through services',
      },
    ),
  },
  {
    files: ['activities/**/*.ts'],
    rules: restrict({
      regex: '(^|/)(doors|services)(/|$)',
      message: 'activities use infrastructure, not doors or services',
    }),
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

// Lint rules that guard the architecture: deterministic workflow code, and no forgotten promises.
const path = require('node:path');
const tseslint = require('typescript-eslint');

const ROOT = __dirname;

const SIDE_EFFECTING = [
  {
    group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'crypto', 'child_process', 'os'],
    message: 'Workflow and domain code must stay deterministic: no Node built-ins.',
  },
  {
    group: ['@mikro-orm/*', 'bullmq', 'ioredis', 'koa', 'koa-*', '@koa/*', 'pino', 'nodemailer', 'argon2', 'jsonwebtoken'],
    message: 'Workflow and domain code must not touch the database, Redis, HTTP or other I/O.',
  },
  {
    group: ['**/config', '**/src/config', '**/services', '**/logger'],
    message: 'Workflow and domain code receive values as input, never from configuration.',
  },
];

module.exports = tseslint.config(
  { basePath: ROOT },
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      'var/**',
      'coverage/**',
      'eslint.config.js',
      'jest.config.js',
      '.dependency-cruiser.cjs',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: ROOT } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: SIDE_EFFECTING }],
      // The SDK replaces these with deterministic versions inside the sandbox; the rest of the world is off limits.
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No environment access in workflow or domain code.' },
        { name: 'require', message: 'Use static imports.' },
      ],
    },
  },
);

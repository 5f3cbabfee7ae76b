// Layering is enforced here: the cores (devicetree, system, emulator, common) must run in a plain
// Node process or a web worker, so they may import neither `vscode` nor Node's built-in modules;
// they receive files, clocks and logging through the host interfaces in src/common/host.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'process', 'util', 'crypto', 'net', 'readline', 'tty'].flatMap((m) => [
  m,
  `node:${m}`,
  `${m}/*`,
  `node:${m}/*`,
]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'webview/dist/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
      // Rule tables register their diagnostic codes with `interface DiagnosticCodes extends Record<Code, true> {}`.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    files: ['src/devicetree/**/*.ts', 'src/system/**/*.ts', 'src/emulator/**/*.ts', 'src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The cores must not depend on VS Code: put editor glue in src/extension.' }],
          patterns: [
            {
              group: nodeBuiltins,
              message: 'The cores run in a worker or a browser too: take a host interface from src/common/host.ts instead of Node modules.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'Use Uint8Array/DataView in the cores.' },
        { name: 'process', message: 'The cores take configuration through their host interface.' },
        { name: 'setTimeout', message: 'The emulator runs on virtual time: use its clock; the host decides how the loop yields.' },
        { name: 'setInterval', message: 'The emulator runs on virtual time: use its clock; the host decides how the loop yields.' },
      ],
    },
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] }],
    },
  },
);

// `dual-guest` command line: dispatches to one module per subcommand. Only this layer turns
// diagnostics into text and exit codes.
//
// A command's module is loaded when that command runs, never before: `--help` loads none, `lint` of a
// tree loads no emulator. Built (scripts/build.mjs), each command is a bundle of its own beside this
// one (dist/cli-<command>.js), read through V8's code cache; under tsx the sources are required.
import { join } from 'path';
import { requireWithCodeCache } from '../node/code-cache';

type Command = (args: string[]) => Promise<number> | number;

/** Set to true by the build (esbuild `define`); absent under tsx. */
declare const DUAL_GUEST_CLI_BUNDLE: boolean | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
const commands: Record<string, { load: () => Command; summary: string }> = {
  compile: {
    load: () =>
      (typeof DUAL_GUEST_CLI_BUNDLE !== 'undefined'
        ? (requireWithCodeCache(join(__dirname, 'cli-compile.js')) as typeof import('./compile'))
        : (require('./compile') as typeof import('./compile'))
      ).runCompile,
    summary: 'compile device trees to DTB or canonical DTS',
  },
  lint: {
    load: () =>
      (typeof DUAL_GUEST_CLI_BUNDLE !== 'undefined'
        ? (requireWithCodeCache(join(__dirname, 'cli-lint.js')) as typeof import('./lint'))
        : (require('./lint') as typeof import('./lint'))
      ).runLint,
    summary: 'check device trees and .system files',
  },
  boot: {
    load: () =>
      (typeof DUAL_GUEST_CLI_BUNDLE !== 'undefined'
        ? (requireWithCodeCache(join(__dirname, 'cli-boot.js')) as typeof import('./boot'))
        : (require('./boot') as typeof import('./boot'))
      ).runBoot,
    summary: 'run the emulated dual-guest system in this terminal (its serial port)',
  },
  explain: {
    load: () =>
      (typeof DUAL_GUEST_CLI_BUNDLE !== 'undefined'
        ? (requireWithCodeCache(join(__dirname, 'cli-explain.js')) as typeof import('./explain'))
        : (require('./explain') as typeof import('./explain'))
      ).runExplain,
    summary: "explain a board's serial log against the project (faults, errors, silence)",
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function usage(): string {
  const lines = ['usage: dual-guest <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`dual-guest: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  return command.load()(rest);
}

/**
 * V8's tiers for the commands that live a fraction of a second to a few seconds (compile, lint): up
 * to Maglev, whose compiles are cheap, and no TurboFan. TurboFan's background compiles cost more CPU
 * than such a run itself (a batch of 12 vendor trees: 1.1 s of CPU against 0.55 s without, with the
 * same main-thread time) and pay back only in long runs. `boot` and `explain` keep every tier.
 * Set before the command's bundle loads, so all its code runs so.
 */
export const SHORT_RUN_V8_FLAGS: readonly string[] = ['--maglev', '--max-opt=2'];
const SHORT_RUNS = new Set(['compile', 'lint']);

/**
 * Runs the CLI as this process: the exit status comes from the command, an unexpected exception
 * becomes status 70 with its stack. A reader that goes away (`dual-guest lint ... | head`) makes the
 * rest of the output go nowhere, quietly (no unhandled EPIPE); the command still finishes, so its exit
 * status still says whether errors were found.
 * The installed `bin` and `node dist/cli.js` both come here.
 */
export function runAsProcess(argv: string[]): void {
  if (SHORT_RUNS.has(argv[0])) {
    // Required here: node:v8 costs a few milliseconds to load, which `--help` need not pay.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { setFlagsFromString } = require('v8') as typeof import('v8');
    for (const flag of SHORT_RUN_V8_FLAGS) setFlagsFromString(flag);
  }
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`dual-guest: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}

// Run directly (`node dist/cli.js`, `tsx src/cli/main.ts`). Through the installed `bin`, require.main
// is the bin file, which calls runAsProcess itself.
if (require.main === module) runAsProcess(process.argv.slice(2));

// `dual-guest` command line: dispatches to one module per subcommand. Only this layer turns
// diagnostics into text and exit codes.
import { runBoot } from './boot';
import { runCompile } from './compile';
import { runLint } from './lint';

type Command = (args: string[]) => Promise<number> | number;

const commands: Record<string, { run: Command; summary: string }> = {
  compile: { run: runCompile, summary: 'compile a device tree to DTB or canonical DTS' },
  lint: { run: runLint, summary: 'check device trees and .system files' },
  boot: { run: runBoot, summary: 'run the emulated dual-guest system in this terminal (its serial port)' },
  explain: { run: async (args) => (await import('./explain')).runExplain(args), summary: 'explain a board\'s serial log against the project (faults, errors, silence)' },
};

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
  return command.run(rest);
}

/**
 * Runs the CLI as this process: the exit status comes from the command, an unexpected exception
 * becomes status 70 with its stack. A reader that goes away (`dual-guest lint ... | head`) makes the
 * rest of the output go nowhere, quietly (no unhandled EPIPE); the command still finishes, so its exit
 * status still says whether errors were found.
 * The installed `bin` and `node dist/cli.js` both come here.
 */
export function runAsProcess(argv: string[]): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  main(argv).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`dual-guest: internal error: ${err instanceof Error ? err.stack : String(err)}\n`); process.exitCode = 70; },
  );
}

// Run directly (`node dist/cli.js`, `tsx src/cli/main.ts`). Through the installed `bin`, require.main
// is the bin file, which calls runAsProcess itself.
if (require.main === module) runAsProcess(process.argv.slice(2));

// `dual-guest boot`: run the emulated dual-guest system like the board's serial port. A terminal on
// standard input is used interactively (terminal.ts); anything else is a script typed line by line
// whenever the guests wait for input, with the transcript on standard output. Errors in the files
// stop the boot with positioned diagnostics (exit 1).
import { existsSync, readdirSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { Diagnostic } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { decodeUtf8 } from '../common/host';
import { relative } from '../common/paths';
import type { LogRecord } from '../emulator/kernel';
import { NodeFileHost } from '../node/file-host';
import { NodeWasmToolchain, sharedUpstreamSddf } from '../node/wasm-toolchain';
import type { ComponentKind } from '../emulator/real/components';
import { describeSwitchChar, parseSwitchChar } from '../system/index';
import { componentMismatch } from '../emulator/record';
import { TraceRecorder } from '../emulator/trace';
import { BootSession, formatBootDiagnostic, parseRecording, serialiseRecording, type BootRecording } from './boot-session';
import { scriptLines } from './script-input';
import { describeKey, enterRawMode, quitKeyFor, runInteractive, signalExitCode, type TerminalInput } from './terminal';

export interface BootIo {
  stdout(data: Uint8Array | string): void;
  stderr(text: string): void;
  /** Standard input: a terminal (interactive) or any byte stream (the script). */
  stdin: TerminalInput & AsyncIterable<Uint8Array | string>;
  host: FileHost;
  /** Absolute directory that relative arguments are resolved against. */
  cwd: string;
  writeFile(file: string, text: string): void;
  /** Called with the booted session before any input (tests and tools inspect the emulator). */
  onSession?: (session: BootSession) => void;
}

export interface BootArgs {
  target?: string;
  script?: string;
  realtime: boolean;
  record?: string;
  replay?: string;
  /** --trace: write the session as a Chrome/Perfetto trace (JSON trace event format). */
  trace?: string;
  seed: number;
  colour?: boolean;
  /** Also show the PDs' and the guest model's informational log lines (errors are always shown). */
  logs: boolean;
  /** --switch-char: used when the project file sets no serial.switchChar. */
  switchChar?: number;
  /** --components: run the PDs' real C code or the models (default: the project file's choice). */
  components?: ComponentKind;
}

export function bootUsage(): string {
  return [
    'usage: dual-guest boot [options] [PROJECT|SYSTEM]',
    '',
    "Runs the emulated dual-guest system in this terminal as if it were the board's serial port:",
    "both guests' output on one line as the TX virtualiser writes it, your keys through the RX",
    "virtualiser. Switch guests with the switch character, a client number and Enter (for '@':",
    '"@0" Enter is the first guest, "@1" Enter the second: clients count from 0).',
    '',
    'PROJECT|SYSTEM  a dual-guest.json, a folder holding one, or a .system (the project is inferred);',
    '                default: the examples/dual-guest project shipped with this package',
    '',
    "--script FILE   type FILE's lines (instead of the keyboard), each once the guests wait for input;",
    '                exit when it is used up and the guests are idle',
    '--realtime      pace the UART at its baud rate and virtual time with the wall clock',
    '--fast          run as fast as useful (the default): unpaced UART, idle time follows the wall clock',
    "--record FILE   write the session's input with its virtual times, the seed and the mode to FILE",
    '--replay FILE   replay a --record file (same project): the same transcript, byte for byte',
    '--trace FILE    write the session as a Chrome/Perfetto trace (JSON trace event format): a track',
    '                per PD and vCPU, flows for notifications and IRQs, counters for queue fill;',
    '                open it in ui.perfetto.dev or chrome://tracing',
    "--seed N        the emulator's random seed (default 1)",
    "--colour        colour each guest's output (virt_tx's colour option); --no-colour turns it off",
    "                (default: the project's serial.colour)",
    "--components K  'real': run the serial PDs' C code (sDDF's UART driver, virt_rx, virt_tx, native",
    "                clients) compiled to WebAssembly with clang and wasm-ld; 'model': the emulator's models",
    '                (default: the project file\'s "components", else model)',
    "--logs          also print the PDs' informational log lines on standard error (errors always are)",
    "--switch-char C the RX virtualiser's switch character unless the project file sets one: a",
    '                character (@), a control key (Ctrl-\\ or ^\\) or a byte value (0x1c); it wins over',
    '                SERIAL_SWITCH_CHAR in a serial_config.h near the .system and over the default, Ctrl-\\',
    '',
    'Keys (interactive): every key goes to the guest, Ctrl-C included. Ctrl-] quits (Ctrl-^ when the',
    "system's switch character is Ctrl-]). SIGINT/SIGTERM/SIGHUP from outside also quit; the terminal",
    'is restored in every case.',
    '',
    'Without a terminal on standard input, standard input is the script: each line is typed once the',
    "guests wait for input, '\\n' sent as '\\r' (what Enter sends); the transcript goes to standard",
    "output. Example: printf 'root\\n@1\\nroot\\nuname -a\\n' | dual-guest boot",
    '',
    'Exit status: 0 the session ended, 1 errors in the files (printed as file:line:col: error: ...),',
    '2 bad usage or an unreadable script or recording, 128+N ended by signal N.',
  ].join('\n');
}

export function parseBootArgs(args: string[]): { parsed?: BootArgs; error?: string; help?: boolean } {
  const out: BootArgs = { realtime: false, seed: 1, logs: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      return eq >= 0 ? a.slice(eq + 1) : args[++i];
    };
    const name = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    switch (name) {
      case '-h':
      case '--help':
        return { help: true };
      case '--realtime':
        out.realtime = true;
        break;
      case '--fast':
        out.realtime = false;
        break;
      case '--colour':
      case '--color':
        out.colour = true;
        break;
      case '--no-colour':
      case '--no-color':
        out.colour = false;
        break;
      case '--logs':
        out.logs = true;
        break;
      case '--components': {
        const v = value();
        if (v !== 'model' && v !== 'real') return { error: `--components wants 'model' or 'real', not '${v ?? ''}'` };
        out.components = v;
        break;
      }
      case '--switch-char': {
        const v = value();
        if (v === undefined || v === '') return { error: '--switch-char needs a character' };
        const sw = parseSwitchChar(v);
        if (sw === undefined) return { error: `--switch-char wants one character, Ctrl-<key> or a byte value (0x1c), not '${v}'` };
        out.switchChar = sw;
        break;
      }
      case '--script':
      case '--record':
      case '--replay':
      case '--trace':
      case '--seed': {
        const v = value();
        if (v === undefined || v === '') return { error: `${name} needs ${name === '--seed' ? 'a number' : 'a file'}` };
        if (name === '--seed') {
          if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) return { error: `--seed wants a non-negative integer, not '${v}'` };
          out.seed = Number(v);
        } else out[name.slice(2) as 'script' | 'record' | 'replay' | 'trace'] = v;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') return { error: `unknown option '${a}'` };
        if (out.target !== undefined) return { error: `one project at a time ('${out.target}' and '${a}')` };
        out.target = a;
    }
  }
  if (out.script !== undefined && out.replay !== undefined) return { error: '--script and --replay both give the input: choose one' };
  return { parsed: out };
}

/** The package's root (where package.json and examples/ are), from this file's place in src/cli or dist/. */
export function packageRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'examples'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(from, '..', '..');
    dir = up;
  }
}

/** The file loadProject should read for a command-line target: a folder means its dual-guest.json (or its lone .system). */
export function resolveTarget(target: string | undefined, cwd: string): string {
  const t = target === undefined ? path.join(packageRoot(), 'examples', 'dual-guest') : path.resolve(cwd, target);
  let isDir = false;
  try {
    isDir = statSync(t).isDirectory();
  } catch {
    // A missing path is loadProject's to report.
  }
  if (!isDir) return t;
  const json = path.join(t, 'dual-guest.json');
  if (existsSync(json)) return json;
  const systems = readdirSync(t).filter((f) => f.endsWith('.system'));
  return systems.length === 1 ? path.join(t, systems[0]) : json;
}

function displayPath(file: string, cwd: string): string {
  if (!file.startsWith('/')) return file;
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** The reader of our output went away (`| head`): stop as a program killed by SIGPIPE would. */
function exitOnBrokenPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
}

export async function runBoot(args: string[], ioOverrides: Partial<BootIo> = {}): Promise<number> {
  if (!ioOverrides.stdout) process.stdout.on('error', exitOnBrokenPipe);
  const io: BootIo = {
    stdout: (d) => process.stdout.write(d),
    stderr: (t) => process.stderr.write(t),
    stdin: process.stdin,
    host: new NodeFileHost(),
    cwd: process.cwd(),
    writeFile: (f, t) => writeFileSync(f, t),
    ...ioOverrides,
  };
  const { parsed, error, help } = parseBootArgs(args);
  if (help) {
    io.stdout(bootUsage() + '\n');
    return 0;
  }
  if (!parsed) {
    io.stderr(`dual-guest boot: ${error}\n${bootUsage()}\n`);
    return 2;
  }
  const inputs = readInputFiles(parsed, io);
  if ('error' in inputs) return usageError(io, inputs.error);
  const { recording, script } = inputs;
  const interactive = recording === undefined && script === undefined && io.stdin.isTTY === true;

  const target = resolveTarget(parsed.target, io.cwd);
  const loaded = loadSession(target, parsed, recording, io, interactive ? '\r\n' : '\n');
  if (!loaded.session) {
    printDiagnostics(io, loaded.diagnostics);
    io.stderr(`dual-guest boot: ${displayPath(target, io.cwd)}: not booted: the files have errors\n`);
    return 1;
  }
  const session = loaded.session;
  io.onSession?.(session);
  // A serial_config.h that could not be read decides the switch character, and a VM may be left out
  // for want of trees: say so in every mode.
  printDiagnostics(
    io,
    loaded.diagnostics.filter((d) => d.code === 'project-switch-char' || d.code === 'real-components' || d.code === 'emulator-boot'),
  );
  const saveRecording = (): void => saveSessionFiles(io, parsed, session);

  if (recording) return replayRecording(io, session, recording, parsed.replay!, saveRecording);
  if (!interactive) await typeScript(session, script ? [script] : io.stdin, io);
  else return runAtTerminal(session, parsed.realtime, io, saveRecording);
  saveRecording();
  return 0;
}

/** The recording to replay (--replay) and the script to type (--script), read and checked. */
function readInputFiles(parsed: BootArgs, io: BootIo): { recording?: BootRecording; script?: Uint8Array } | { error: string } {
  let recording: BootRecording | undefined;
  if (parsed.replay !== undefined) {
    const bytes = io.host.readFile(path.resolve(io.cwd, parsed.replay));
    if (!bytes) return { error: `cannot read the recording '${parsed.replay}'` };
    const r = parseRecording(decodeUtf8(bytes));
    if (!r.recording) return { error: `${parsed.replay}: ${r.error}` };
    recording = r.recording;
  }
  let script: Uint8Array | undefined;
  if (parsed.script !== undefined) {
    script = io.host.readFile(path.resolve(io.cwd, parsed.script));
    if (!script) return { error: `cannot read the script '${parsed.script}'` };
  }
  return { recording, script };
}

function loadSession(target: string, parsed: BootArgs, recording: BootRecording | undefined, io: BootIo, eol: string): ReturnType<typeof BootSession.load> {
  return BootSession.load(target, {
    host: io.host,
    // A replay runs as it was recorded; --seed, --colour and --switch-char do not apply to it.
    seed: recording?.seed ?? parsed.seed,
    realtime: recording?.realtime ?? parsed.realtime,
    colour: recording ? recording.colour : parsed.colour,
    switchChar:
      recording?.switchChar !== undefined
        ? { value: recording.switchChar, label: 'the recording' }
        : parsed.switchChar === undefined
          ? undefined
          : { value: parsed.switchChar, label: '--switch-char' },
    onOutput: (bytes) => io.stdout(bytes),
    onLog: (r: LogRecord): void => {
      if (r.level === 'error' || parsed.logs) io.stderr(`${r.text}${eol}`);
    },
    trace: parsed.trace !== undefined ? new TraceRecorder() : undefined,
    // A replay boots the programs it was recorded with, whatever --components says.
    components: { kind: recording?.components ?? parsed.components, toolchain: new NodeWasmToolchain(), defaultSddf: sharedUpstreamSddf() },
  });
}

/** Piped input or --script: each line typed once the guests have settled from the one before. */
async function typeScript(session: BootSession, source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>, io: BootIo): Promise<void> {
  let stuck = !session.settle();
  for await (const line of scriptLines(source)) {
    session.type(line);
    stuck = !session.settle();
  }
  if (stuck) io.stderr('dual-guest boot: the guests were still busy when the input ran out; stopped\n');
}

/** The user's terminal as the serial port, in raw mode until the session ends; returns the exit status. */
async function runAtTerminal(session: BootSession, realtime: boolean, io: BootIo, saveRecording: () => void): Promise<number> {
  const quitKey = quitKeyFor(session.switchChar);
  io.stderr(bootBanner(session, quitKey, (f) => displayPath(f, io.cwd)) + '\r\n');
  const restore = enterRawMode(io.stdin);
  process.once('exit', restore);
  try {
    const end = await runInteractive(session, { realtime, quitKey, input: io.stdin });
    restore();
    if (end.reason === 'error') {
      io.stderr(`\r\ndual-guest boot: internal error: ${end.error instanceof Error ? end.error.stack : String(end.error)}\n`);
      saveRecording();
      return 70;
    }
    io.stderr(`\r\ndual-guest boot: ${end.reason === 'signal' ? `ended by ${end.signal}` : end.reason === 'quit' ? 'quit' : 'end of input'}\r\n`);
    saveRecording();
    return end.reason === 'signal' ? signalExitCode(end.signal) : 0;
  } finally {
    restore();
    process.removeListener('exit', restore);
  }
}

/** What --record and --trace asked to keep of the session. */
function saveSessionFiles(io: BootIo, parsed: BootArgs, session: BootSession): void {
  if (parsed.record !== undefined) io.writeFile(path.resolve(io.cwd, parsed.record), serialiseRecording(session.recording()));
  if (parsed.trace !== undefined && session.trace) io.writeFile(path.resolve(io.cwd, parsed.trace), JSON.stringify(session.trace.toJSON()));
}

/** The interactive session's first line: the project, the switch character and where it came from, the quit key. */
export function bootBanner(session: Pick<BootSession, 'project'>, quitKey: number, display: (file: string) => string): string {
  const { project } = session;
  const sw = describeKey(project.serial.switchChar);
  return (
    `dual-guest boot: ${display(project.file ?? project.systemFile)}: ${project.roles.clients.length} clients; ` +
    `switch character ${describeSwitchChar(project.serial.switchChar, project.serial.switchCharOrigin, display)}: ` +
    `${sw} N Enter sends input to client N (from 0); ${describeKey(quitKey)} quits`
  );
}

/** Replays a recording on the programs it was made with; refuses, naming the PDs, when they differ. */
function replayRecording(io: BootIo, session: BootSession, recording: BootRecording, file: string, save: () => void): number {
  const mismatch = componentMismatch(session.emulator, recording);
  if (mismatch) {
    io.stderr(`dual-guest boot: ${file}: ${mismatch}\n`);
    return 1;
  }
  session.replay(recording);
  save();
  return 0;
}

function usageError(io: BootIo, message: string): number {
  io.stderr(`dual-guest boot: ${message}\n`);
  return 2;
}

function printDiagnostics(io: BootIo, diagnostics: Diagnostic[]): void {
  // Errors stop the boot; warnings are shown with them since they often explain the error.
  for (const d of diagnostics) {
    if (d.severity === 'info') continue;
    io.stderr(formatBootDiagnostic(d, (f) => displayPath(f, io.cwd)) + '\n');
  }
}

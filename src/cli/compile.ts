// `dual-guest compile`: dtc's job for a base tree and its overlays (their texts appended in order):
// compile, run dtc's checks, write DTB or canonical DTS. Messages go to stderr in dtc's form
// (`file:L.C-L.C: Warning (check): /path:prop: message`); errors stop the output (exit 2) unless -f.
import { resolve as resolvePath } from 'path';
import { writeFileSync } from 'fs';
import { formatRangeDtc, type Diagnostic } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { relative } from '../common/paths';
import { CHECKS, checkConfigFromFlags, runChecks } from '../devicetree/checks';
import { compileFiles, writeDtb, writeDts } from '../devicetree/compile';
import { NodeFileHost } from '../node/file-host';
import { pushAll } from '../common/arrays';

export interface CompileIo {
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
  writeFile(path: string, data: string | Uint8Array): void;
  host: FileHost;
  /** Absolute directory that relative arguments are resolved against. */
  cwd: string;
}

export function compileUsage(): string {
  return [
    'usage: dual-guest compile [-i DIR]... [-@] [-W name|-Wno-name|-E name|-Eno-name]... [-f] [-O dtb|dts] FILE... [-o OUT]',
    '',
    'Compiles a device tree as dtc 1.6.1 does. Several FILEs are a base followed by overlays, compiled',
    'as their texts appended in order (how a build combines a board tree and its guest overlay).',
    '',
    '-i DIR     add DIR to the search path for /include/, #include and /incbin/',
    '-@         emit a __symbols__ node',
    '-W/-E      enable a check as a warning / error; -Wno-/-Eno- disable it',
    '-f         write the output even when there are errors',
    '-O FORMAT  dtb or dts (default: from OUT\'s extension, else dts as dtc)',
    '-o OUT     output file (default: standard output)',
    '',
    'Exit status: 0 written, 2 errors (nothing written unless -f) or bad usage.',
  ].join('\n');
}

interface CompileArgs {
  includePaths: string[];
  symbols: boolean;
  force: boolean;
  checkFlags: string[];
  format?: 'dtb' | 'dts';
  output?: string;
  inputs: string[];
}

function parseArgs(args: string[]): { parsed?: CompileArgs; error?: string; help?: boolean } {
  const out: CompileArgs = { includePaths: [], symbols: false, force: false, checkFlags: [], inputs: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string | undefined => args[++i];
    if (a === '-h' || a === '--help') return { help: true };
    if (a === '-i') {
      const d = next();
      if (d === undefined) return { error: '-i needs a directory' };
      out.includePaths.push(d);
    } else if (a.startsWith('-i') && a.length > 2) out.includePaths.push(a.slice(2));
    else if (a === '-@' || a === '--symbols') out.symbols = true;
    else if (a === '-f' || a === '--force') out.force = true;
    else if (a === '-W' || a === '-E') {
      const name = next();
      if (name === undefined) return { error: `${a} needs a check name` };
      out.checkFlags.push(a + name);
    } else if (a.startsWith('-W') || a.startsWith('-E') || a.startsWith('--warning=') || a.startsWith('--error=')) out.checkFlags.push(a);
    else if (a === '-O' || a.startsWith('-O')) {
      const f = a === '-O' ? next() : a.slice(2);
      if (f !== 'dtb' && f !== 'dts') return { error: `unsupported output format '${f ?? ''}' (dtb or dts)` };
      out.format = f;
    } else if (a === '-o' || (a.startsWith('-o') && a.length > 2)) {
      const o = a === '-o' ? next() : a.slice(2);
      if (o === undefined) return { error: '-o needs a file' };
      out.output = o;
    } else if (a === '-I') {
      const f = next();
      if (f !== 'dts') return { error: `unsupported input format '${f ?? ''}' (only dts)` };
    } else if (a.startsWith('-') && a !== '-') return { error: `unknown option '${a}'` };
    else out.inputs.push(a);
  }
  if (out.inputs.length === 0) return { error: 'no input file' };
  return { parsed: out };
}

const CHECK_NAMES = new Set<string>(CHECKS.map((c) => c.name));

function displayPath(file: string, cwd: string): string {
  if (!file.startsWith('/')) return file;
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** One diagnostic as dtc prints it. */
export function formatDtcMessage(d: Diagnostic, cwd: string): string {
  const where = d.range ? `${formatRangeDtc({ ...d.range, file: displayPath(d.range.file, cwd) })}: ` : '';
  const isCheck = d.code !== undefined && CHECK_NAMES.has(d.code);
  const word = isCheck ? (d.severity === 'error' ? 'ERROR' : 'Warning') : d.severity === 'error' ? 'Error' : d.severity === 'warning' ? 'Warning' : 'Info';
  return `${where}${word}${isCheck ? ` (${d.code})` : ''}: ${d.message}`;
}

export function runCompile(args: string[], ioOverrides: Partial<CompileIo> = {}): number {
  const io: CompileIo = {
    stdout: (d) => process.stdout.write(d),
    stderr: (t) => process.stderr.write(t),
    writeFile: (p, d) => writeFileSync(p, d),
    host: new NodeFileHost(),
    cwd: process.cwd(),
    ...ioOverrides,
  };
  const { parsed, error, help } = parseArgs(args);
  if (help) {
    io.stdout(compileUsage() + '\n');
    return 0;
  }
  if (!parsed) {
    io.stderr(`dual-guest compile: ${error}\n${compileUsage()}\n`);
    return 2;
  }
  const { config, errors: flagErrors } = checkConfigFromFlags(parsed.checkFlags);
  if (flagErrors.length) {
    for (const e of flagErrors) io.stderr(`dual-guest compile: ${e}\n`);
    return 2;
  }
  const files = parsed.inputs.map((f) => resolvePath(io.cwd, f));
  const result = compileFiles(files, { host: io.host, includePaths: parsed.includePaths.map((d) => resolvePath(io.cwd, d)), symbols: parsed.symbols });
  // Like dtc: parse errors stop before the checks run.
  const parseErrors = result.diagnostics.filter((d) => d.severity === 'error');
  const messages: Diagnostic[] = [...result.diagnostics];
  if (parseErrors.length === 0) pushAll(messages, runChecks(result, config));
  for (const d of messages) io.stderr(formatDtcMessage(d, io.cwd) + '\n');
  const failed = messages.some((d) => d.severity === 'error');
  if (failed && !(parsed.force && parseErrors.length === 0)) {
    io.stderr(parseErrors.length ? 'FATAL ERROR: Unable to parse input tree\n' : 'ERROR: Input tree has errors, aborting (use -f to force output)\n');
    return 2;
  }
  const format = parsed.format ?? (parsed.output?.endsWith('.dtb') ? 'dtb' : 'dts');
  const data = format === 'dtb' ? writeDtb(result.tree) : writeDts(result.tree);
  if (parsed.output && parsed.output !== '-') io.writeFile(resolvePath(io.cwd, parsed.output), data);
  else io.stdout(data);
  return 0;
}

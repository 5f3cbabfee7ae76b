// `dual-guest compile`: dtc's job for a base tree and its overlays (their texts appended in order):
// compile, run dtc's checks, write DTB or canonical DTS. Messages go to stderr in dtc's form
// (`file:L.C-L.C: Warning (check): /path:prop: message`); errors stop the output (exit 2) unless -f.
// A batch (several `FILE... -o OUT` groups, or a list file) compiles many trees in one process: the
// start-up is paid once, and a file that several trees read is preprocessed and parsed once.
import { dirname, resolve as resolvePath } from 'path';
import { writeFileSync } from 'fs';
import { decodeUtf8 } from '../common/host';
import { formatRangeDtc, type Diagnostic } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { relative } from '../common/paths';
import { CHECKS, checkConfigFromFlags, runChecks, type CheckConfig } from '../devicetree/checks';
import { compileFiles, writeDtb, writeDts } from '../devicetree/compile';
import { FrontEndCache } from '../devicetree/front-end';
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
    '       dual-guest compile [options] FILE... -o OUT FILE... -o OUT ...',
    '       dual-guest compile [options] --batch LIST',
    '',
    'Compiles a device tree as dtc 1.6.1 does. Several FILEs are a base followed by overlays, compiled',
    'as their texts appended in order (how a build combines a board tree and its guest overlay).',
    'Several -o make a batch: each -o OUT takes the FILEs given since the previous -o. A batch compiles',
    'every tree in one process and preprocesses and parses a file that several trees read once.',
    '',
    '-i DIR     add DIR to the search path for /include/, #include and /incbin/',
    '-@         emit a __symbols__ node',
    '-W/-E      enable a check as a warning / error; -Wno-/-Eno- disable it',
    '-f         write the output even when there are errors',
    "-O FORMAT  dtb or dts (default: from OUT's extension, else dts as dtc)",
    '-o OUT     output file (default: standard output)',
    '--batch LIST  compile the trees a list file names, one per line: `OUT: FILE...` (paths relative',
    '           to the list file; blank lines and lines starting with # are skipped)',
    '',
    'Exit status: 0 written, 2 errors in any tree (nothing written for it unless -f) or bad usage.',
  ].join('\n');
}

/** One tree of a batch: its inputs (base, then overlays) and where it goes (standard output if none). */
export interface CompileJob {
  inputs: string[];
  output?: string;
}

interface CompileArgs {
  includePaths: string[];
  symbols: boolean;
  force: boolean;
  checkFlags: string[];
  format?: 'dtb' | 'dts';
  jobs: CompileJob[];
  batchList?: string;
}

function parseArgs(args: string[]): { parsed?: CompileArgs; error?: string; help?: boolean } {
  const out: CompileArgs = { includePaths: [], symbols: false, force: false, checkFlags: [], jobs: [] };
  const outputs: string[] = [];
  /** Inputs given since the previous -o, and every input in order (a single -o takes them all). */
  let pending: string[] = [];
  const inputs: string[] = [];
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
      outputs.push(o);
      out.jobs.push({ inputs: pending, output: o });
      pending = [];
    } else if (a === '--batch' || a.startsWith('--batch=')) {
      const list = a === '--batch' ? next() : a.slice('--batch='.length);
      if (!list) return { error: '--batch needs a list file' };
      out.batchList = list;
    } else if (a === '-I') {
      const f = next();
      if (f !== 'dts') return { error: `unsupported input format '${f ?? ''}' (only dts)` };
    } else if (a.startsWith('-') && a !== '-') return { error: `unknown option '${a}'` };
    else {
      pending.push(a);
      inputs.push(a);
    }
  }
  if (out.batchList !== undefined) {
    if (inputs.length > 0 || outputs.length > 0) return { error: '--batch takes its trees from the list file: give no FILE or -o besides it' };
    return { parsed: out };
  }
  if (inputs.length === 0) return { error: 'no input file' };
  // One -o (anywhere, as dtc allows) or none: every FILE is one tree.
  if (outputs.length <= 1) out.jobs = [{ inputs, output: outputs[0] }];
  else if (pending.length > 0) return { error: `${pending.join(' ')}: no -o after these inputs (in a batch, each -o OUT follows its tree's FILEs)` };
  else if (out.jobs.some((j) => j.inputs.length === 0)) return { error: "in a batch, each -o OUT follows its tree's FILEs (an -o has none)" };
  return { parsed: out };
}

/**
 * The trees of a list file: `OUT: FILE...` per line, paths relative to the list's folder. Errors
 * name the list's line.
 */
export function parseBatchList(text: string, listFile: string): { jobs: CompileJob[]; errors: string[] } {
  const jobs: CompileJob[] = [];
  const errors: string[] = [];
  const base = dirname(listFile);
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const output = colon < 0 ? '' : line.slice(0, colon).trim();
    const inputs =
      colon < 0
        ? []
        : line
            .slice(colon + 1)
            .trim()
            .split(/\s+/)
            .filter((f) => f !== '');
    if (output === '' || inputs.length === 0) {
      errors.push(`${listFile}:${i + 1}: expected 'OUT: FILE...', found '${line}'`);
      return;
    }
    jobs.push({ output: resolvePath(base, output), inputs: inputs.map((f) => resolvePath(base, f)) });
  });
  if (jobs.length === 0 && errors.length === 0) errors.push(`${listFile}: names no tree`);
  return { jobs, errors };
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
  let jobs = parsed.jobs;
  if (parsed.batchList !== undefined) {
    const listFile = resolvePath(io.cwd, parsed.batchList);
    const bytes = io.host.readFile(listFile);
    if (bytes === undefined) {
      io.stderr(`dual-guest compile: cannot read the list file ${parsed.batchList}: ${io.host.unreadable?.(listFile) ?? 'No such file or directory'}\n`);
      return 2;
    }
    const list = parseBatchList(decodeUtf8(bytes), listFile);
    if (list.errors.length) {
      for (const e of list.errors) io.stderr(`dual-guest compile: ${e}\n`);
      return 2;
    }
    jobs = list.jobs;
  }
  // One cache for the whole batch: a base or overlay that several trees read is preprocessed and parsed once.
  const cache = jobs.length > 1 ? new FrontEndCache() : undefined;
  let status = 0;
  for (const job of jobs) status = Math.max(status, compileJob(job, parsed, config, io, cache, jobs.length > 1));
  return status;
}

/** Compile one tree and write it; 0 when written, 2 when errors stopped it. */
function compileJob(job: CompileJob, parsed: CompileArgs, config: CheckConfig, io: CompileIo, cache: FrontEndCache | undefined, inBatch: boolean): number {
  const files = job.inputs.map((f) => resolvePath(io.cwd, f));
  const result = compileFiles(files, { host: io.host, includePaths: parsed.includePaths.map((d) => resolvePath(io.cwd, d)), symbols: parsed.symbols, cache });
  // Like dtc: parse errors stop before the checks run.
  const parseErrors = result.diagnostics.filter((d) => d.severity === 'error');
  const messages: Diagnostic[] = [...result.diagnostics];
  if (parseErrors.length === 0) pushAll(messages, runChecks(result, config));
  for (const d of messages) io.stderr(formatDtcMessage(d, io.cwd) + '\n');
  const failed = messages.some((d) => d.severity === 'error');
  if (failed && !(parsed.force && parseErrors.length === 0)) {
    // In a batch, say which tree stopped (dtc's words otherwise).
    const what = inBatch ? ` (${job.output ?? 'standard output'} not written)` : '';
    io.stderr(
      parseErrors.length ? `FATAL ERROR: Unable to parse input tree${what}\n` : `ERROR: Input tree has errors, aborting (use -f to force output)${what}\n`,
    );
    return 2;
  }
  const format = parsed.format ?? (job.output?.endsWith('.dtb') ? 'dtb' : 'dts');
  const data = format === 'dtb' ? writeDtb(result.tree) : writeDts(result.tree);
  if (job.output && job.output !== '-') io.writeFile(resolvePath(io.cwd, job.output), data);
  else io.stdout(data);
  return 0;
}

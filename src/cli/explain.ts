// `dual-guest explain LOG [PROJECT]`: explain a board's serial log (a capture, a QEMU run in CI)
// against the project: faults mapped to the .system's maps and the guests' device-tree nodes, with
// the fix. Lint-style text or JSON; exit 1 when an error was explained, so a CI step fails on it.
import { resolve as resolvePath } from 'path';
import { formatRangeDtc } from '../common/diagnostics';
import { decodeUtf8, type FileHost } from '../common/host';
import { relative } from '../common/paths';
import { explainLog, findProjectFor, formatExplanation, loadExplainContext, type ExplainContext, type Explanation } from '../explain';
import { NodeFileHost } from '../node/file-host';

export interface ExplainIo {
  stdout(text: string): void;
  stderr(text: string): void;
  host: FileHost;
  /** Absolute POSIX directory that relative arguments are resolved against. */
  cwd: string;
  readStdin(): Promise<string>;
}

export function explainUsage(): string {
  return [
    'usage: dual-guest explain [--format text|json] [LOG|-] [PROJECT]',
    '',
    'Explains a serial log of the real board or of QEMU: Microkit monitor fault reports, seL4 fault',
    "printing, libvmm's VM faults and vIRQ errors, sDDF serial logs and Linux early-boot failures,",
    "mapped to the memory regions and maps of the .system and to the guests' device-tree nodes.",
    '',
    'LOG       the log file; - or nothing reads standard input',
    'PROJECT   a .system or dual-guest.json (default: dual-guest.json or the only .system in the',
    '          current folder); without one, the lines are explained on their own',
    '--format  text (file:L.C-L.C: Error (code): message) or json',
    '',
    'Exit status: 0 nothing wrong explained, 1 an error explained, 2 bad usage or unreadable input.',
  ].join('\n');
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export async function runExplain(args: string[], overrides: Partial<ExplainIo> = {}): Promise<number> {
  const io: ExplainIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    host: new NodeFileHost(),
    cwd: process.cwd(),
    readStdin,
    ...overrides,
  };
  let format: 'text' | 'json' = 'text';
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') {
      io.stdout(explainUsage() + '\n');
      return 0;
    }
    if (a === '--format' || a.startsWith('--format=')) {
      const f = a === '--format' ? args[++i] : a.slice('--format='.length);
      if (f !== 'text' && f !== 'json') return usageError(io, `unknown format '${f ?? ''}' (expected text or json)`);
      format = f;
    } else if (a.startsWith('-') && a !== '-') return usageError(io, `unknown option '${a}'`);
    else positional.push(a);
  }
  if (positional.length > 2) return usageError(io, 'too many arguments');
  const [logArg, projectArg] = positional;

  let text: string;
  let logName: string;
  if (logArg === undefined || logArg === '-') {
    text = await io.readStdin();
    logName = '<stdin>';
  } else {
    const file = resolvePath(io.cwd, logArg);
    const bytes = io.host.readFile(file);
    if (!bytes) {
      io.stderr(`dual-guest explain: cannot read '${logArg}': ${io.host.unreadable?.(file) ?? 'No such file or directory'}\n`);
      return 2;
    }
    text = decodeUtf8(bytes);
    logName = relative(io.cwd, file).startsWith('..') ? file : relative(io.cwd, file);
  }

  const project = projectArg !== undefined ? resolvePath(io.cwd, projectArg) : findProjectFor(io.cwd, io.host);
  let ctx: ExplainContext | undefined;
  if (project) {
    if (!io.host.fileExists(project)) {
      io.stderr(`dual-guest explain: cannot read the project '${projectArg ?? project}'\n`);
      return 2;
    }
    ctx = loadExplainContext(project, io.host);
    for (const d of ctx.project.diagnostics.filter((x) => x.severity === 'error')) {
      io.stderr(
        `dual-guest explain: ${d.range ? `${formatRangeDtc({ ...d.range, file: displayPath(d.range.file, io.cwd) })}: ` : ''}the project has an error: ${d.message}\n`,
      );
    }
  }
  const explanations = explainLog(text, ctx);
  if (format === 'json')
    io.stdout(
      JSON.stringify(
        explanations.map((x) => toJson(x, logName, io.cwd)),
        null,
        2,
      ) + '\n',
    );
  else for (const x of explanations) io.stdout(formatExplanation(x, logName, (f) => displayPath(f, io.cwd)) + '\n');
  return explanations.some((x) => x.severity === 'error') ? 1 : 0;
}

function usageError(io: ExplainIo, message: string): number {
  io.stderr(`dual-guest explain: ${message}\n${explainUsage()}\n`);
  return 2;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function toJson(x: Explanation, logName: string, cwd: string): object {
  const pos = (line: number, col: number) => ({ line: line + 1, col: col + 1 });
  return {
    file: logName,
    range: { start: pos(x.span.line, x.span.col), end: pos(x.span.line, x.span.endCol) },
    endLine: x.span.endLine + 1,
    severity: x.severity,
    code: x.code,
    message: x.message,
    subject: x.subject ?? null,
    related: x.related.map((r) => ({ message: r.message, file: displayPath(r.range.file, cwd), line: r.range.start.line + 1, col: r.range.start.col + 1 })),
    fixes: x.fixes.map((f) => ({ kind: f.kind, title: f.title })),
  };
}

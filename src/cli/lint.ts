// `dual-guest lint`: compile device trees (a base and its overlays joined with '+') and run dtc's
// check table over them; print dtc-style text or JSON; exit 1 when anything is an error.
import { resolve as resolvePath } from 'path';
import type { Diagnostic } from '../common/diagnostics';
import { formatRangeDtc } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { relative } from '../common/paths';
import { ALSO_DEFINED, CHECK_PRESETS, CHECKS, type CheckPreset, checkConfigFromFlags, defaultCheckConfig, runChecks } from '../devicetree/checks';
import { compileFiles } from '../devicetree/compile';
import { FrontEndCache } from '../devicetree/front-end';
import { NodeFileHost } from '../node/file-host';
import type { CrossCheckSeverity } from '../system/checks/severity';
import { PhysicalLinesHost } from '../devicetree/physical-lines';

export interface LintIo {
  stdout(text: string): void;
  stderr(text: string): void;
  host: FileHost;
  /** Absolute POSIX directory that relative FILE and -i arguments are resolved against. */
  cwd: string;
}

export function lintUsage(): string {
  return [
    'usage: dual-guest lint [-i DIR]... [--preset dtc|linux] [-W<check>|-Wno-<check>|-E<check>|-Eno-<check>]... [--arch A] [--microkit-version V] [--format text|json] FILE...',
    '',
    "Checks device trees with dtc's checks (docs/checks.md lists them) and .system files.",
    '',
    'FILE        a .dts file; several files that form one tree (a base and the overlays appended',
    "            after it, as a build combines them) are joined with '+': base.dts+overlay.dts",
    '            a .system file is checked with its project file (dual-guest.json beside it, or',
    "            joined with '+': program.system+project.json) and the guests' device trees it names",
    '            a project file (dual-guest.json) is checked as a project: itself, its .system, the trees',
    '-i DIR      add DIR to the include search path (for /include/ and #include)',
    "--preset    dtc (dtc's defaults, the default) or linux (what the kernel build turns off)",
    '-W<check>   enable a check as a warning; -Wno-<check> disables it (and the checks that need it);',
    "            a check is one of dtc's or a cross check of a .system (guest-dt-unmapped-device, ...)",
    '-E<check>   make a check an error; -Eno-<check> drops that',
    '--arch      the architecture .system files are checked for when their project file has no "arch":',
    "            aarch64, riscv64 or x86_64 (default: the board's, else inferred from the file)",
    '--microkit-version  the Microkit release whose rules apply when the project file has no',
    '            "microkitVersion": 1.4, 2.0, 2.1, 2.2 or 2.3 (default: 1.4 for a file with 1.x forms only, else 2.3)',
    '--format    text (dtc style: file:L.C-L.C: Warning (check): /path:prop: message) or json',
    '--list-checks  print every check with its default severity, then exit',
    '',
    'Exit status: 0 no errors, 1 errors found, 2 bad usage or unsupported input.',
  ].join('\n');
}

interface LintArgs {
  includePaths: string[];
  preset: CheckPreset;
  checkFlags: string[];
  format: 'text' | 'json';
  inputs: string[];
  /** --arch and --microkit-version, checked when a .system is linted (the system layer knows the values). */
  arch?: string;
  microkitVersion?: string;
}

/** The check table as the CLI shows it: name, dtc default, linux preset, description; then the cross checks (same severity in both presets). */
/** The system layer's rule table and flag sorting, loaded on demand (linting a tree does not need them). */
function systemRules(): typeof import('../system/rule-table') & typeof import('../system/checks/severity') {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('../system/rule-table') as typeof import('../system/rule-table')),
    ...(require('../system/checks/severity') as typeof import('../system/checks/severity')),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

export function listChecks(): string {
  const linux = defaultCheckConfig('linux').severities;
  const cross = systemRules().SYSTEM_RULES.filter((r) => r.stage === 'guest');
  const width = Math.max(...CHECKS.map((c) => c.name.length), ...cross.map((r) => r.code.length));
  const lines = [`${'check'.padEnd(width)}  dtc      linux    description`];
  for (const c of CHECKS) lines.push(`${c.name.padEnd(width)}  ${c.defaultSeverity.padEnd(7)}  ${(linux.get(c.name) ?? 'off').padEnd(7)}  ${c.description}`);
  for (const r of cross) lines.push(`${r.code.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.severity.padEnd(7)}  ${r.description} (.system with its guests)`);
  return lines.join('\n');
}

function parseArgs(args: string[]): { parsed?: LintArgs; error?: string; help?: boolean; list?: boolean } {
  const out: LintArgs = { includePaths: [], preset: 'dtc', checkFlags: [], format: 'text', inputs: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (flag: string): string | undefined => (a === flag ? args[++i] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
    if (a === '-h' || a === '--help') return { help: true };
    if (a === '--list-checks') return { list: true };
    if (a === '-i' || a === '--include') {
      const dir = args[++i];
      if (dir === undefined) return { error: `${a} needs a directory` };
      out.includePaths.push(dir);
    } else if (a.startsWith('-i') && a.length > 2) out.includePaths.push(a.slice(2));
    else if (a === '--preset' || a.startsWith('--preset=')) {
      const p = value('--preset');
      if (!CHECK_PRESETS.includes(p as CheckPreset)) return { error: `unknown preset '${p ?? ''}' (expected ${CHECK_PRESETS.join(' or ')})` };
      out.preset = p as CheckPreset;
    } else if (a === '--format' || a.startsWith('--format=')) {
      const f = value('--format');
      if (f !== 'text' && f !== 'json') return { error: `unknown format '${f ?? ''}' (expected text or json)` };
      out.format = f;
    } else if (a === '--arch' || a.startsWith('--arch=')) {
      out.arch = value('--arch') ?? '';
    } else if (a === '--microkit-version' || a.startsWith('--microkit-version=')) {
      out.microkitVersion = value('--microkit-version') ?? '';
    } else if (a.startsWith('-W') || a.startsWith('-E') || a.startsWith('--warning=') || a.startsWith('--error=')) out.checkFlags.push(a);
    else if (a.startsWith('-') && a !== '-') return { error: `unknown option '${a}'` };
    else out.inputs.push(a);
  }
  if (out.inputs.length === 0) return { error: 'no input files' };
  return { parsed: out };
}

/** --arch and --microkit-version as the system layer takes them, or what is wrong with them. */
function systemTargetFlags(args: LintArgs): import('../system/target').TargetOptions | string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const t = require('../system/target') as typeof import('../system/target');
  const out: import('../system/target').TargetOptions = {};
  if (args.arch !== undefined) {
    if (!t.isArch(args.arch)) return `unknown architecture '${args.arch}' (expected ${t.ARCHES.join(', ')})`;
    out.arch = args.arch;
    out.archOrigin = 'setting';
  }
  if (args.microkitVersion !== undefined) {
    if (!t.isMicrokitVersion(args.microkitVersion)) return `unknown Microkit version '${args.microkitVersion}' (expected ${t.MICROKIT_VERSIONS.join(', ')})`;
    out.version = args.microkitVersion;
    out.versionOrigin = 'setting';
  }
  return out;
}

const CHECK_NAMES = new Set<string>(CHECKS.map((c) => c.name));

/** What one FILE argument (one tree, or one .system file) yields. */
interface InputReport {
  input: string;
  diagnostics: Diagnostic[];
}

function lintTree(
  files: string[],
  args: LintArgs,
  host: FileHost,
  cwd: string,
  config: ReturnType<typeof checkConfigFromFlags>['config'],
  cache: FrontEndCache | undefined,
): Diagnostic[] {
  const result = compileFiles(files, { host, includePaths: args.includePaths.map((d) => resolvePath(cwd, d)), cache });
  // Like dtc, checks run only on a tree that compiled without errors.
  if (result.diagnostics.some((d) => d.severity === 'error')) return result.diagnostics;
  // Evaluator findings outside the check table (e.g. -@ label clashes) are printed as they are.
  const other = result.fixupDiagnostics.filter((d) => !d.code || !CHECK_NAMES.has(d.code));
  return [...result.diagnostics, ...other, ...runChecks(result, config)];
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function severityWord(d: Diagnostic): string {
  // dtc's words for its checks; plain ones for everything else.
  if (d.code && CHECK_NAMES.has(d.code)) return d.severity === 'error' ? 'ERROR' : 'Warning';
  return d.severity === 'error' ? 'Error' : d.severity === 'warning' ? 'Warning' : 'Info';
}

function formatText(report: InputReport, cwd: string): string[] {
  return report.diagnostics.map((d) => {
    const where = d.range ? formatRangeDtc({ ...d.range, file: displayPath(d.range.file, cwd) }) : report.input;
    // dtc's checks print only its "also defined at"; other findings print every related place.
    const dtc = !!d.code && CHECK_NAMES.has(d.code);
    const also = (d.related ?? [])
      .filter((r) => !dtc || r.message === ALSO_DEFINED)
      .map(
        (r) =>
          `\n  ${r.message === ALSO_DEFINED ? 'also defined at' : `${r.message}:`} ${formatRangeDtc({ ...r.range, file: displayPath(r.range.file, cwd) })}`,
      );
    return `${where}: ${severityWord(d)}${d.code ? ` (${d.code})` : ''}: ${d.message}${also.join('')}`;
  });
}

function toJson(report: InputReport, cwd: string): object[] {
  return report.diagnostics.map((d) => ({
    file: d.range ? displayPath(d.range.file, cwd) : report.input,
    range: d.range
      ? { start: { line: d.range.start.line + 1, col: d.range.start.col + 1 }, end: { line: d.range.end.line + 1, col: d.range.end.col + 1 } }
      : null,
    severity: d.severity,
    code: d.code ?? null,
    message: d.message,
    subject: d.subject ?? null,
    // Cross checks name the guests a finding concerns, and places that explain it.
    ...('guests' in d ? { guests: (d as { guests: string[] }).guests } : {}),
    ...(d.related?.length
      ? {
          related: d.related.map((r) => ({
            message: r.message,
            file: displayPath(r.range.file, cwd),
            line: r.range.start.line + 1,
            col: r.range.start.col + 1,
          })),
        }
      : {}),
  }));
}

export function runLint(args: string[], ioOverrides: Partial<LintIo> = {}): number {
  const io: LintIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    host: new NodeFileHost(),
    cwd: process.cwd(),
    ...ioOverrides,
  };
  const { parsed, error, help, list } = parseArgs(args);
  if (help) {
    io.stdout(lintUsage() + '\n');
    return 0;
  }
  if (list) {
    io.stdout(listChecks() + '\n');
    return 0;
  }
  if (!parsed) {
    io.stderr(`dual-guest lint: ${error}\n${lintUsage()}\n`);
    return 2;
  }
  // Flags naming the cross checks (guest-dt-unmapped-device, ...) set theirs; dtc's table takes the rest.
  // The rule table is loaded only when there are flags to sort (it brings the system layer's checks).
  const cross =
    parsed.checkFlags.length > 0 ? systemRules().crossCheckFlags(parsed.checkFlags) : { overrides: new Map<string, CrossCheckSeverity>(), rest: [] };
  const { config, errors } = checkConfigFromFlags(cross.rest, parsed.preset);
  if (errors.length) {
    io.stderr(errors.map((e) => `dual-guest lint: ${e}\n`).join(''));
    return 2;
  }

  const reports: InputReport[] = [];
  // Positions in the files the user has: cpp line markers naming files that are not there are not followed.
  const host = new PhysicalLinesHost(io.host);
  // Trees of one run that read the same base or overlay preprocess and parse it once.
  const cache = parsed.inputs.length > 1 ? new FrontEndCache() : undefined;
  for (const input of parsed.inputs) {
    const files = input.split('+').map((f) => resolvePath(io.cwd, f));
    if (files.some((f) => f.endsWith('.system') || f.endsWith('.json'))) {
      // ---- project dispatch point: lintSystemFile (src/system) with the project file, which names
      // the guests' device trees (`x.system+dual-guest.json` names one; a lone .system finds it
      // beside it; a lone project file names its .system). ----
      // Loaded here, not above: the system layer (XML parser, project, the emulator's driver table)
      // costs start-up time that linting a device tree does not need.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { lintSystemFile } = require('../system') as typeof import('../system');
      const target = systemTargetFlags(parsed);
      if (typeof target === 'string') {
        io.stderr(`dual-guest lint: ${target}\n`);
        return 2;
      }
      const system = files.find((f) => f.endsWith('.system'));
      const project = files.find((f) => f.endsWith('.json'));
      reports.push({
        input,
        diagnostics: system
          ? lintSystemFile(system, host, { project, severities: cross.overrides, target })
          : lintSystemFile(project!, host, { severities: cross.overrides, target }),
      });
      continue;
    }
    reports.push({ input, diagnostics: lintTree(files, parsed, host, io.cwd, config, cache) });
  }

  if (parsed.format === 'json')
    io.stdout(
      JSON.stringify(
        reports.flatMap((r) => toJson(r, io.cwd)),
        null,
        2,
      ) + '\n',
    );
  else for (const r of reports) for (const line of formatText(r, io.cwd)) io.stdout(line + '\n');

  return reports.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
}

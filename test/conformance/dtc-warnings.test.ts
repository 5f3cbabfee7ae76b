// Differential test of the check table against the real dtc 1.6.1: for every corpus input the set
// of (check name, node path) pairs we report must equal what dtc prints with the same options.
// Disagreements must be listed, with a reason, in dtc-warnings-exceptions.md.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { CHECKS, LINUX_DISABLED_CHECKS, checkConfigFromFlags, defaultCheckConfig, runChecks } from '../../src/devicetree/checks';
import { compileFiles } from '../../src/devicetree/compile';
import { NodeFileHost } from '../../src/node/file-host';
import { corpusPath } from './corpus';

/** A "(check name) subject" key; subject is the node path, or "<prereq> message" for skipped checks. */
type Pairs = Set<string>;

const PARSE_FAILED = '<input rejected before checks>';
const DTC_CRASHED = '<dtc crashed or hung>';
const CHECK_NAMES = new Set(CHECKS.map((c) => c.name));

/** Checks that dtc 1.6.1 knows (interrupt_map is newer; -Wno- of it would make dtc exit). */
const LINUX_DTC_FLAGS = LINUX_DISABLED_CHECKS.filter((n) => n !== 'interrupt_map').map((n) => `-Wno-${n}`);

function keyOf(name: string, rest: string): string {
  // rest is "/path: msg", "/path:prop: msg" or "Failed prerequisite 'x'".
  if (!rest.startsWith('/')) return `(${name}) <prereq> ${rest}`;
  const colon = rest.indexOf(':');
  return `(${name}) ${colon < 0 ? rest : rest.slice(0, colon)}`;
}

function dtcPairs(file: string, flags: string[]): Pairs {
  const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '/dev/null', ...flags, file], { encoding: 'utf8', timeout: 10_000 });
  const out: Pairs = new Set();
  if (r.error || r.signal || (r.status !== 0 && r.status !== 1 && r.status !== 2)) return new Set([DTC_CRASHED]);
  const stderr = r.stderr ?? '';
  const lines = stderr.split('\n');
  if (lines.some((l) => l.startsWith('FATAL ERROR') || l.startsWith('Error: ') || l.includes('syntax error'))) return new Set([PARSE_FAILED]);
  for (const line of lines) {
    for (const kind of [': Warning (', ': ERROR (']) {
      const at = line.indexOf(kind);
      if (at < 0) continue;
      const nameStart = at + kind.length;
      const nameEnd = line.indexOf('): ', nameStart);
      if (nameEnd < 0) continue;
      const name = line.slice(nameStart, nameEnd);
      if (CHECK_NAMES.has(name)) out.add(keyOf(name, line.slice(nameEnd + 3)));
    }
  }
  return out;
}

function ourPairs(files: string[], flags: string[], preset: 'dtc' | 'linux'): Pairs {
  const result = compileFiles(files, { host: new NodeFileHost(), includePaths: [] });
  if (result.diagnostics.some((d) => d.severity === 'error')) return new Set([PARSE_FAILED]);
  const config = flags.length ? checkConfigFromFlags(flags, preset).config : defaultCheckConfig(preset);
  const out: Pairs = new Set();
  for (const d of runChecks(result, config)) if (d.code && CHECK_NAMES.has(d.code)) out.add(keyOf(d.code, d.message));
  return out;
}

function loadExceptions(): Map<string, string> {
  const text = readFileSync(path.join(__dirname, 'dtc-warnings-exceptions.md'), 'utf8');
  const out = new Map<string, string>();
  // Entries are list items: "- `case name`: reason".
  for (const line of text.split('\n')) {
    if (!line.startsWith('- `')) continue;
    const end = line.indexOf('`', 3);
    if (end > 3) out.set(line.slice(3, end), line.slice(end + 1).replace(/^:\s*/, ''));
  }
  return out;
}

interface Case {
  name: string;
  /** Files that form one tree, in order (dtc gets them appended into one file). */
  files: string[];
  preset: 'dtc' | 'linux';
  /** Extra -W/-E flags, given to dtc and to us alike. */
  flags: string[];
}

/** The checks dtc 1.6.1 has but leaves off, turned on for a second pass over dtc's tests. */
const OFF_BY_DEFAULT_FLAGS = ['-Wnode_name_chars_strict', '-Wproperty_name_chars_strict', '-Wunique_unit_address_if_enabled', '-Wdeprecated_gpio_property'];

function cases(): Case[] {
  const dir = corpusPath('dtc-tests');
  const out: Case[] = readdirSync(dir)
    .filter((f) => f.endsWith('.dts'))
    .sort()
    .flatMap((f) => [
      { name: `dtc-tests/${f}`, files: [path.join(dir, f)], preset: 'dtc' as const, flags: [] },
      { name: `dtc-tests/${f} (off-by-default checks on)`, files: [path.join(dir, f)], preset: 'dtc' as const, flags: OFF_BY_DEFAULT_FLAGS },
    ]);
  const real: [string, string[]][] = [
    ['sel4devkit-dual', [corpusPath('sel4devkit-dual', 'maaxboard.dts'), corpusPath('sel4devkit-dual', 'maaxboard-overlay.dts')]],
    ['libvmm-simple-qemu', [corpusPath('libvmm-simple-qemu', 'linux.dts'), corpusPath('libvmm-simple-qemu', 'overlay.dts')]],
    [
      'libvmm-virtio-two-clients/client_vm_1',
      ['linux.dts', 'init.dts', 'virtio.dts'].map((f) => corpusPath('libvmm-virtio-two-clients', 'client_vm_1', 'dts', f)),
    ],
  ];
  for (const [name, files] of real) for (const preset of ['dtc', 'linux'] as const) out.push({ name: `${name} (${preset} preset)`, files, preset, flags: [] });
  return out;
}

describe('conformance: check findings agree with dtc 1.6.1', function () {
  this.timeout(180_000);

  it('every corpus tree, or a listed exception', () => {
    const exceptions = loadExceptions();
    // An entry names an input; it covers every pass over that input ("name (pass)").
    const exceptionFor = (name: string): string | undefined => exceptions.get(name) ?? exceptions.get(name.split(' (')[0]);
    const tmp = mkdtempSync(path.join(tmpdir(), 'dtc-warnings-'));
    const differences: string[] = [];
    const unlisted: string[] = [];
    const stale: string[] = [];
    let agree = 0;
    let bothRejected = 0;
    let withFindings = 0;
    const all = cases();
    try {
      for (const c of all) {
        const dtcFlags = [...(c.preset === 'linux' ? LINUX_DTC_FLAGS : []), ...c.flags];
        let dtcInput = c.files[0];
        if (c.files.length > 1) {
          // dtc reads one file: append the overlays after the base, as the real builds do.
          dtcInput = path.join(tmp, `${c.name.replace(/[^a-z0-9]+/gi, '_')}.dts`);
          writeFileSync(dtcInput, c.files.map((f) => readFileSync(f, 'utf8')).join('\n'));
        }
        const theirs = dtcPairs(dtcInput, dtcFlags);
        const ours = ourPairs(c.files, c.flags, c.preset);
        const missing = [...theirs].filter((k) => !ours.has(k));
        const extra = [...ours].filter((k) => !theirs.has(k));
        if (missing.length === 0 && extra.length === 0) {
          agree++;
          if (theirs.has(PARSE_FAILED)) bothRejected++;
          else if (theirs.size > 0) withFindings++;
          if (exceptionFor(c.name)) stale.push(c.name);
          continue;
        }
        differences.push(`${c.name}:\n${missing.map((k) => `    dtc only: ${k}`).join('\n')}${missing.length && extra.length ? '\n' : ''}${extra.map((k) => `    ours only: ${k}`).join('\n')}`);
        if (!exceptionFor(c.name)) unlisted.push(c.name);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(`  dtc agreement: ${agree}/${all.length} inputs agree (${withFindings} with findings, ${agree - withFindings - bothRejected} clean, ${bothRejected} rejected by both before the checks)`);
    if (differences.length) console.log(`  differences:\n  ${differences.join('\n  ')}`);
    if (stale.length) console.log(`  listed as exceptions but now agreeing: ${stale.join(', ')}`);
    assert.deepEqual(unlisted, [], `unlisted disagreements: ${unlisted.join(', ')}`);
  });
});

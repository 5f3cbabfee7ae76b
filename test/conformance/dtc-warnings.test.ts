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

/** What one side reported: the pairs that decide agreement, and the full "(name): text" lines for information. */
interface Findings {
  pairs: Pairs;
  messages: string[];
}

const PARSE_FAILED = '<input rejected before checks>';
const DTC_CRASHED = '<dtc crashed or hung>';
const CHECK_NAMES = new Set<string>(CHECKS.map((c) => c.name));

/** The kernel build's flags, all known to dtc 1.6.1. */
const LINUX_DTC_FLAGS = LINUX_DISABLED_CHECKS.map((n) => `-Wno-${n}`);

function keyOf(name: string, rest: string): string {
  // rest is "/path: msg", "/path:prop: msg" or "Failed prerequisite 'x'".
  if (!rest.startsWith('/')) return `(${name}) <prereq> ${rest}`;
  const colon = rest.indexOf(':');
  return `(${name}) ${colon < 0 ? rest : rest.slice(0, colon)}`;
}

function only(key: string): Findings {
  return { pairs: new Set([key]), messages: [key] };
}

function dtcFindings(file: string, flags: string[]): Findings {
  const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '/dev/null', ...flags, file], { encoding: 'utf8', timeout: 10_000 });
  const out: Pairs = new Set();
  const messages: string[] = [];
  if (r.error || r.signal || (r.status !== 0 && r.status !== 1 && r.status !== 2)) return only(DTC_CRASHED);
  const stderr = r.stderr ?? '';
  const lines = stderr.split('\n');
  if (lines.some((l) => l.startsWith('FATAL ERROR') || l.startsWith('Error: ') || l.includes('syntax error'))) return only(PARSE_FAILED);
  for (const line of lines) {
    for (const kind of [': Warning (', ': ERROR (']) {
      const at = line.indexOf(kind);
      if (at < 0) continue;
      const nameStart = at + kind.length;
      const nameEnd = line.indexOf('): ', nameStart);
      if (nameEnd < 0) continue;
      const name = line.slice(nameStart, nameEnd);
      if (!CHECK_NAMES.has(name)) continue;
      out.add(keyOf(name, line.slice(nameEnd + 3)));
      messages.push(`(${name}): ${line.slice(nameEnd + 3)}`);
    }
  }
  return { pairs: out, messages };
}

function ourFindings(files: string[], flags: string[], preset: 'dtc' | 'linux'): Findings {
  const result = compileFiles(files, { host: new NodeFileHost(), includePaths: [] });
  if (result.diagnostics.some((d) => d.severity === 'error')) return only(PARSE_FAILED);
  const config = flags.length ? checkConfigFromFlags(flags, preset).config : defaultCheckConfig(preset);
  const out: Pairs = new Set();
  const messages: string[] = [];
  for (const d of runChecks(result, config)) {
    if (!d.code || !CHECK_NAMES.has(d.code)) continue;
    out.add(keyOf(d.code, d.message));
    messages.push(`(${d.code}): ${d.message}`);
  }
  return { pairs: out, messages };
}

function sameMessages(a: string[], b: string[]): boolean {
  // dtc ends some fixup messages with a stray newline; compare the text without it.
  const norm = (m: string[]) =>
    m
      .map((x) => x.trimEnd())
      .sort()
      .join('\n');
  return norm(a) === norm(b);
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

/**
 * Inputs written for this suite (not corpus data) that reach checks dtc's own tests leave quiet:
 * bus unit addresses, I2C 7/10-bit and own-slave addresses, PCI config addresses, aliases, /chosen,
 * interrupt parents, GPIO specifiers, graph cells. Written to a temporary folder at run time.
 */
const INLINE_INPUTS: Record<string, string> = {
  'buses-and-friends.dts': `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	aliases { s0 = "soc"; s1 = "/soc/"; s2 = "//soc//uart@1000"; s3 = ""; S4 = "/soc"; s5 = "/so"; phandle = <1>; };
	chosen { bootargs = "a", "b"; stdout-path = <1>; linux,stdout-path = "x"; interrupt-controller; };
	soc {
		compatible = "simple-bus";
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;
		dma-ranges;
		uart@1000 { reg = <0x1000 0x100>; interrupts = <1 2>; interrupt-parent = <0>; };
		i2c@2000 {
			reg = <0x2000 0x100>;
			#address-cells = <1>;
			#size-cells = <0>;
			dev@0x50 { reg = <0x50>; };
			ten@2a0 { reg = <0x800002a0>; };
			bigten@3ff { reg = <0x80000fff>; };
			slave@40000010 { reg = <0x40000010>; };
		};
		spi@3000 {
			reg = <0x3000 0x100>;
			spi-slave;
			#address-cells = <0>;
			#size-cells = <0>;
			slave { compatible = "x"; };
		};
		bus@4000 {
			reg = <0x4000 0x10>;
			#address-cells = <1>;
			#size-cells = <1>;
			dma-ranges;
			leaf { };
		};
		intc: intc@5000 { reg = <0x5000 0x10>; interrupt-controller; #interrupt-cells = <2>; };
		dev@6000 { reg = <0x6000 0x10>; interrupts-extended = <&intc 1>; interrupts = <1 2 3>; interrupt-parent = <&intc>; };
		gpio: gpio@7000 { reg = <0x7000 0x10>; gpio-controller; #gpio-cells = <2>; };
		user@8000 { reg = <0x8000 0x10>; enable-gpios = <&gpio 1 0 &gpio 2>; foo-gpio = <&gpio 1 0>; };
		imap@9000 { reg = <0x9000 0x10>; interrupt-map = <0 0 &intc 1 2>; #interrupt-cells = <1>; #address-cells = <1>; interrupt-map-mask = <0 0 0>; };
	};
	pcie@10000000 {
		device_type = "pci";
		reg = <0x10000000 0x1000>;
		#address-cells = <3>;
		#size-cells = <2>;
		ranges = <0x02000000 0 0x20000000 0x20000000 0 0x1000000>;
		bus-range = <0 0x10>;
		dev@1,1 { reg = <0x0900 0 0 0 0>; };
		dev@2 { reg = <0x1000 0 0 0 0>; };
		bad@3 { reg = <0x03001801 1 0 0 0>; };
	};
	ports {
		#address-cells = <1>;
		#size-cells = <0>;
		port@0 { reg = <0>; ep0: endpoint { remote-endpoint = <&ep1>; }; };
		port@1 { reg = <1>; #address-cells = <1>; #size-cells = <0>; ep1: endpoint@0 { reg = <0>; remote-endpoint = <&ep0>; }; };
	};
	node_a@00 { reg = <0 1>; };
	node_b@0x10 { reg = <0x10 1>; };
	node_c@10 { reg = <0x10 1>; status = "disabled"; };
	node_d@10 { reg = <0x10 1>; };
	Upper_Case,x { a_b,#c = <1>; #d#e = <2>; device_type = "x"; };
	gpio-hog { gpio-hog; gpios = <1 2>; };
	nr { x,nr-gpios = <3>; };
};
`,
  'node-name-chars.dts': '/dts-v1/;\n/ {\n\tUpper_Case,#x { };\n};\n',
  'property-name-chars.dts': '/dts-v1/;\n/ {\n\tok { a@b = <1>; };\n};\n',
  'strict-names.dts': '/dts-v1/;\n/ {\n\tUpper_Case.x { a_b,#c = <1>; #d#e = <2>; v,#f-cells = <0>; };\n};\n',
};

function cases(tmp: string): Case[] {
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
  for (const [name, text] of Object.entries(INLINE_INPUTS)) {
    const file = path.join(tmp, name);
    writeFileSync(file, text);
    for (const flags of [[], OFF_BY_DEFAULT_FLAGS])
      out.push({ name: `inline/${name}${flags.length ? ' (off-by-default checks on)' : ''}`, files: [file], preset: 'dtc', flags });
  }
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
    let sameText = 0;
    let withFindings = 0;
    const all = cases(tmp);
    try {
      for (const c of all) {
        const dtcFlags = [...(c.preset === 'linux' ? LINUX_DTC_FLAGS : []), ...c.flags];
        let dtcInput = c.files[0];
        if (c.files.length > 1) {
          // dtc reads one file: append the overlays after the base, as the real builds do.
          dtcInput = path.join(tmp, `${c.name.replace(/[^a-z0-9]+/gi, '_')}.dts`);
          writeFileSync(dtcInput, c.files.map((f) => readFileSync(f, 'utf8')).join('\n'));
        }
        const theirFindings = dtcFindings(dtcInput, dtcFlags);
        const ourFound = ourFindings(c.files, c.flags, c.preset);
        const theirs = theirFindings.pairs;
        const ours = ourFound.pairs;
        if (sameMessages(theirFindings.messages, ourFound.messages)) sameText++;
        const missing = [...theirs].filter((k) => !ours.has(k));
        const extra = [...ours].filter((k) => !theirs.has(k));
        if (missing.length === 0 && extra.length === 0) {
          agree++;
          if (theirs.has(PARSE_FAILED)) bothRejected++;
          else if (theirs.size > 0) withFindings++;
          if (exceptionFor(c.name)) stale.push(c.name);
          continue;
        }
        differences.push(
          `${c.name}:\n${missing.map((k) => `    dtc only: ${k}`).join('\n')}${missing.length && extra.length ? '\n' : ''}${extra.map((k) => `    ours only: ${k}`).join('\n')}`,
        );
        if (!exceptionFor(c.name)) unlisted.push(c.name);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(
      `  dtc agreement: ${agree}/${all.length} inputs agree (${withFindings} with findings, ${agree - withFindings - bothRejected} clean, ${bothRejected} rejected by both before the checks)`,
    );
    console.log(`  identical message text (not required): ${sameText}/${all.length}`);
    if (differences.length) console.log(`  differences:\n  ${differences.join('\n  ')}`);
    if (stale.length) console.log(`  listed as exceptions but now agreeing: ${stale.join(', ')}`);
    assert.deepEqual(unlisted, [], `unlisted disagreements: ${unlisted.join(', ')}`);
  });
});

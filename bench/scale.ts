// Scale suite (issue 13): how the front ends grow with input size. Each figure is CPU time (the
// machine is shared: CPU time does not grow with other processes' load, wall time does), the best of
// a few runs, at two or three sizes; each ratio is t(n) / ((n / n0) · t(n0)): 1 is linear, 2 is
// "within two times linear", and about n / n0 is quadratic.
import { defaultCheckConfig, runChecks } from '../src/devicetree/checks';
import { compileText, writeDtb } from '../src/devicetree/compile';
import { MemoryFileHost } from '../src/common/host';
import { lintSystemFile } from '../src/system/index';

export function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const u = process.cpuUsage(before);
  return (u.user + u.system) / 1000;
}

/** Best of `runs` CPU times (after one warm-up run at the smallest size done by the caller). */
export function best(fn: () => void, runs: number): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    min = Math.min(min, cpuMs(fn));
  }
  return min;
}

/** A tree of about `lines` lines, shaped like a board file: buses of devices with reg, interrupts, clocks, labels and references. */
export function generateTree(lines: number): string {
  const out = [
    '/dts-v1/;',
    '/ {',
    '\t#address-cells = <2>;',
    '\t#size-cells = <2>;',
    '\tcompatible = "bench,board";',
    '\tgic: interrupt-controller@38800000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller; reg = <0 0x38800000 0 0x10000>; };',
    '\tclk: clock-controller@30380000 { compatible = "bench,clk"; #clock-cells = <1>; reg = <0 0x30380000 0 0x10000>; };',
  ];
  let dev = 0;
  for (let bus = 0; out.length < lines - 3; bus++) {
    out.push(
      `\tbus@${(0x40000000 + bus * 0x100000).toString(16)} {`,
      '\t\tcompatible = "simple-bus";',
      '\t\t#address-cells = <1>;',
      '\t\t#size-cells = <1>;',
      `\t\tranges = <0x0 0x0 ${(0x40000000 + bus * 0x100000).toString(16).replace(/^/, '0x')} 0x100000>;`,
    );
    for (let i = 0; i < 100 && out.length < lines - 4; i++, dev++) {
      const addr = (i * 0x1000).toString(16);
      out.push(
        `\t\tdev${dev}: serial@${addr} {`,
        `\t\t\tcompatible = "bench,uart${dev % 7}", "bench,uart";`,
        `\t\t\treg = <0x${addr} 0x1000>;`,
        `\t\t\tinterrupts = <0 ${dev % 200} 4>;`,
        '\t\t\tinterrupt-parent = <&gic>;',
        `\t\t\tclocks = <&clk ${dev % 64}>;`,
        '\t\t\tclock-names = "ipg";',
        `\t\t\tstatus = "${dev % 3 ? 'okay' : 'disabled'}";`,
        '\t\t};',
      );
    }
    out.push('\t};');
  }
  out.push('};', '');
  return out.join('\n');
}

function compileAll(text: string): void {
  const host = new MemoryFileHost({});
  const r = compileText('/bench/tree.dts', text, { host });
  runChecks(r, defaultCheckConfig('dtc'));
  if (!r.diagnostics.some((d) => d.severity === 'error')) writeDtb(r.tree);
}

function systemText(pds: number, maps: number, oneRegion: boolean): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<system>'];
  const regions = oneRegion ? 1 : maps;
  for (let i = 0; i < regions; i++) out.push(`  <memory_region name="mr${i}" size="0x1000" />`);
  for (let p = 0; p < pds; p++) {
    out.push(`  <protection_domain name="pd${p}" priority="${1 + (p % 250)}">`, `    <program_image path="pd${p}.elf" />`);
    for (let m = p; m < maps; m += pds)
      out.push(`    <map mr="mr${oneRegion ? 0 : m}" vaddr="0x${(0x10000000 + m * 0x1000).toString(16)}" perms="rw" setvar_vaddr="v${m}" />`);
    out.push('  </protection_domain>');
  }
  for (let p = 0; p + 1 < pds; p++) out.push(`  <channel><end pd="pd${p}" id="${(p % 60) + 1}" /><end pd="pd${p + 1}" id="${(p % 60) + 2}" /></channel>`);
  out.push('</system>', '');
  return out.join('\n');
}

function lintSystem(text: string): void {
  lintSystemFile('/bench/s.system', new MemoryFileHost({ '/bench/s.system': text }));
}

function labelsTree(n: number): string {
  const labels = Array.from({ length: n }, (_, i) => `l${i}:`).join(' ');
  return `/dts-v1/;\n/ { ${labels} n { }; };\n&l${n >> 1} { p; };\n`;
}

function duplicatesTree(n: number): string {
  return `/dts-v1/;\n/ { n {\n${'\t\tp;\n'.repeat(n)}\t}; };\n`;
}

export const notes: string[] = [];

export function runScaleBench(): Record<string, number> {
  const f: Record<string, number> = {};
  const series = (name: string, sizes: number[], make: (n: number) => string, run: (text: string) => void, runs: number): void => {
    run(make(sizes[0])); // warm the JIT
    const t = sizes.map((n) => {
      const text = make(n);
      return best(() => run(text), runs);
    });
    sizes.forEach((n, i) => {
      f[`${name}_${n >= 1000 ? `${n / 1000}k` : n}_cpu_ms`] = t[i];
    });
    for (let i = 1; i < sizes.length; i++) f[`${name}_${sizes[i] / 1000}k_to_linear`] = t[i] / ((sizes[i] / sizes[0]) * t[0]);
  };
  series('tree_lines', [50_000, 100_000, 200_000], generateTree, compileAll, 3);
  series('system_63pds_maps', [500, 2_000], (n) => systemText(63, n, false), lintSystem, 3);
  series('labels_on_one_node', [25_000, 100_000], labelsTree, compileAll, 3);
  series('maps_of_one_region', [4_000, 16_000], (n) => systemText(1, n, true), lintSystem, 3);
  series('duplicate_properties', [4_000, 8_000, 16_000], duplicatesTree, compileAll, 3);
  const heap = process.memoryUsage();
  f.heap_used_MB = heap.heapUsed / 1024 / 1024;
  notes.push(
    "CPU milliseconds of this process (best of 3 runs), compile = preprocess, scan, parse, evaluate, dtc's default checks and the DTB; a `.system` is linted with `lintSystemFile` (XML, model, rules, roles).",
    "`..._to_linear` = t(n) / ((n / n0) · t(n0)) against the suite's smallest size: 1 is linear; the target is at most 2. A quadratic figure shows as about n / n0 (2 at 2×, 4 at 4×).",
    '`tree_lines`: a generated board-shaped tree (buses of devices with reg, interrupts, clocks, labels and references), about 9 lines per device.',
    '`system_63pds_maps`: 63 PDs, one region per map, 62 channels. `maps_of_one_region`: one PD mapping one region n times.',
    '`duplicate_properties`: one node with n copies of `p;`: each copy with a later namesake is reported once (n-1 messages; dtc repeats the line per later copy, n·(n-1)/2 lines: 8 million at 4,000).',
  );
  return f;
}

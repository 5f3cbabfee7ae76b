// Devicetree benchmark: compile the real MaaXBoard tree (base + overlay, as the real build appends
// them) to DTB, warm and in-process, against the dtc process on the same input. dtc's figure is a
// whole process (start, read, compile, write), which is what a user's build pays for each tree.
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileFiles, compileText, writeDtb } from '../src/devicetree/compile';
import { checkConfigFromFlags, runChecks } from '../src/devicetree/checks';
import { NodeFileHost } from '../src/node/file-host';

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'sel4devkit-dual');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void, iterations: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

/**
 * A realistic editor-sized DTS of about `lines` lines: an interrupt controller, a clock provider and
 * buses of devices with labels, compatible, reg, status, interrupts, clocks and phandle references
 * (including references to earlier devices), as board files have them.
 */
export function generateDts(lines: number): string {
  const out = [
    '/dts-v1/;',
    '',
    '/ {',
    '\tcompatible = "example,board";',
    '\t#address-cells = <2>;',
    '\t#size-cells = <2>;',
    '\tinterrupt-parent = <&gic>;',
    '',
    '\tgic: interrupt-controller@38800000 {',
    '\t\tcompatible = "arm,gic-v3";',
    '\t\treg = <0x0 0x38800000 0x0 0x10000>, <0x0 0x38880000 0x0 0xc0000>;',
    '\t\t#interrupt-cells = <3>;',
    '\t\t#address-cells = <0>;',
    '\t\tinterrupt-controller;',
    '\t};',
    '',
    '\tclk: clock-controller@30380000 {',
    '\t\tcompatible = "fsl,imx8mq-ccm";',
    '\t\treg = <0x0 0x30380000 0x0 0x10000>;',
    '\t\t#clock-cells = <1>;',
    '\t};',
  ];
  let bus = 0;
  let dev = 0;
  while (out.length < lines - 2) {
    const busBase = 0x30000000 + bus * 0x400000;
    out.push('', `\tbus${bus}: bus@${busBase.toString(16)} {`, '\t\tcompatible = "simple-bus";', '\t\t#address-cells = <1>;', '\t\t#size-cells = <1>;', `\t\tranges = <0x0 0x0 0x${busBase.toString(16)} 0x400000>;`);
    for (let k = 0; k < 40 && out.length < lines - 4; k++, dev++) {
      const addr = (k * 0x10000).toString(16);
      out.push(
        '',
        `\t\t/* device ${dev} */`,
        `\t\tdev${dev}: serial@${addr} {`,
        `\t\t\tcompatible = "fsl,imx8mq-uart", "fsl,imx6q-uart";`,
        `\t\t\treg = <0x${addr} 0x10000>;`,
        `\t\t\tinterrupts = <0 ${dev % 128} 4>;`,
        `\t\t\tclocks = <&clk ${dev % 200}>, <&clk ${(dev + 1) % 200}>;`,
        '\t\t\tclock-names = "ipg", "per";',
        dev > 0 ? `\t\t\tlink = <&dev${dev - 1}>;` : '\t\t\tlink-self;',
        `\t\t\tstatus = "${dev % 3 === 0 ? 'disabled' : 'okay'}";`,
        '\t\t};',
      );
    }
    out.push('\t};');
    bus++;
  }
  out.push('};', '');
  return out.join('\n');
}

/** Median time of compileText + runChecks (what the language server runs) after a one-character edit. */
function editBench(lines: number, config: ReturnType<typeof checkConfigFromFlags>['config'], host: NodeFileHost): { ms: number; actualLines: number } {
  const file = '/bench/generated.dts';
  const text = generateDts(lines);
  // Edits alternate a digit of an interrupt number in the middle of the file, as typing does.
  const at = text.indexOf('interrupts = <0 ', Math.floor(text.length / 2)) + 'interrupts = <0 '.length;
  const variants = ['1', '2', '3', '4'].map((d) => text.slice(0, at) + d + text.slice(at + 1));
  let k = 0;
  const step = (): void => {
    const r = compileText(file, variants[k++ % variants.length], { host });
    runChecks(r, config);
  };
  for (let i = 0; i < 20; i++) step();
  return { ms: median(timeMs(step, 40)), actualLines: text.split('\n').length };
}

export function runDevicetreeBench(): Record<string, number> {
  const base = path.join(CORPUS, 'maaxboard.dts');
  const overlay = path.join(CORPUS, 'maaxboard-overlay.dts');
  if (!existsSync(base) || !existsSync(overlay)) throw new Error(`corpus missing at ${CORPUS}`);
  const host = new NodeFileHost();
  const config = checkConfigFromFlags([]).config;
  const compile = (): Uint8Array => {
    const r = compileFiles([base, overlay], { host });
    runChecks(r, config);
    return writeDtb(r.tree);
  };
  for (let i = 0; i < 20; i++) compile(); // warm the JIT
  const ours = timeMs(compile, 50);

  // dtc reads the two files appended, as the real build gives them to it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dg-bench-'));
  const joined = path.join(dir, 'joined.dts');
  writeFileSync(joined, Buffer.concat([readFileSync(base), readFileSync(overlay)]));
  const out = path.join(dir, 'out.dtb');
  const runDtc = (): void => { execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, joined], { stdio: 'ignore' }); };
  runDtc();
  const dtc = timeMs(runDtc, 30);
  const same = Buffer.compare(Buffer.from(compile()), readFileSync(out)) === 0;

  const lines = readFileSync(base, 'utf8').split('\n').length + readFileSync(overlay, 'utf8').split('\n').length;
  const oursMs = median(ours);
  const edit = editBench(5000, config, host);
  const dtcMs = median(dtc);
  return {
    maaxboard_source_lines: lines,
    compile_warm_median_ms: oursMs,
    compile_warm_min_ms: Math.min(...ours),
    dtc_process_median_ms: dtcMs,
    speedup_vs_dtc_process: dtcMs / oursMs,
    dtb_identical_to_dtc: same ? 1 : 0,
    edit_source_lines: edit.actualLines,
    edit_5000_lines_median_ms: edit.ms,
  };
}

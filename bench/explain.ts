// Explain suite: a board's serial log of 5 and 10 MB (guest boot output with a libvmm fault block,
// a monitor fault report and a deferred probe now and then) explained against the example project.
// The target is under 1 s for 10 MB; the baseline is splitting the same text into lines.
import { readFileSync } from 'fs';
import * as path from 'path';
import { explainLog, loadExplainContext } from '../src/explain';
import { NodeFileHost } from '../src/node/file-host';
import { best } from './scale';

const LOGS = path.resolve(__dirname, '..', 'test', 'unit', 'explain', 'logs');

/** About `bytes` of log: kernel lines with time stamps, sDDF and VMM info lines, and reports every few thousand lines. */
export function generateLog(bytes: number): string {
  const reports = ['libvmm-disabled-device.log', 'monitor-cap-fault.log', 'linux-deferred-probe.log', 'libvmm-virq-owner.log'].map((f) =>
    readFileSync(path.join(LOGS, f), 'utf8'),
  );
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const t = `[${(i / 1000).toFixed(6).padStart(12)}] `;
    const line =
      i % 5000 === 4999
        ? reports[((i / 5000) % reports.length) | 0]
        : i % 7 === 0
          ? `CLIENT_VMM-${(i % 2) + 1}|INFO: virtio console notified, ${i} bytes queued`
          : `${t}imx-sdma 302c0000.dma-controller: loaded firmware ${i}: unexpected value at ${i.toString(16)}`;
    out.push(line);
    size += line.length + 1;
  }
  return out.join('\n');
}

export const notes: string[] = [];

export function runExplainBench(): Record<string, number> {
  const ctx = loadExplainContext(path.resolve(__dirname, '..', 'examples', 'dual-guest', 'dual-guest.json'), new NodeFileHost());
  const f: Record<string, number> = {};
  const sizes = [5, 10];
  const texts = sizes.map((mb) => generateLog(mb * 1024 * 1024));
  // Cold: the first log this process explains (what one `dual-guest explain` run pays, JIT included).
  f.explain_10MB_cold_cpu_ms = best(() => explainLog(texts[1], ctx), 1);
  let explained = 0;
  sizes.forEach((mb, i) => {
    f[`explain_${mb}MB_cpu_ms`] = best(() => {
      explained = explainLog(texts[i], ctx).length;
    }, 3);
    f[`split_lines_${mb}MB_cpu_ms`] = best(() => {
      texts[i].split('\n');
    }, 3);
    f[`explain_${mb}MB_to_split`] = f[`explain_${mb}MB_cpu_ms`] / f[`split_lines_${mb}MB_cpu_ms`];
  });
  f.explain_10MB_to_linear = f.explain_10MB_cpu_ms / (2 * f.explain_5MB_cpu_ms);
  f.explanations_10MB = explained;
  notes.push(
    'CPU milliseconds (best of 3) of `explainLog` on a generated log: time-stamped kernel lines, VMM info lines, and every 5,000 lines one report from the test corpus (a libvmm fault block with register dumps, a monitor cap fault, a deferred probe, a vIRQ error), explained against examples/dual-guest. Target: under 1,000 ms at 10 MB; `explain_10MB_cold_cpu_ms` is the first run in the process (before the JIT has warmed up), the others the best of 3 after it.',
    '`_to_split`: against splitting the same text into lines in the same run; `explain_10MB_to_linear`: 1 is linear.',
  );
  return f;
}

// The session as a Chrome/Perfetto trace (src/emulator/trace.ts), checked against the JSON trace
// event format (the Trace Event Format document that chrome://tracing and Perfetto's JSON importer
// read): every event's fields and types per phase, B/E properly nested per track, flow ids that
// start before they end, counters with numeric values; and what it must hold for the default
// example: a track per PD and vCPU, notification and IRQ flows, a fill counter per queue.
import { strict as assert } from 'assert';
import * as path from 'path';
import { BootSession } from '../../../src/cli/boot-session';
import { TraceRecorder, type TraceFile } from '../../../src/emulator/trace';
import { NodeFileHost } from '../../../src/node/file-host';
import { bootPiped } from '../cli/boot-harness';

const EXAMPLE = path.resolve(__dirname, '..', '..', '..', 'examples', 'dual-guest', 'dual-guest.json');
const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 's', 't', 'f', 'C', 'M', 'b', 'e', 'n']);

/** Problems with `x` as a JSON trace (object form); empty when it conforms. */
export function traceFormatProblems(x: unknown): string[] {
  const problems: string[] = [];
  if (typeof x !== 'object' || x === null || !Array.isArray((x as { traceEvents?: unknown }).traceEvents)) return ['not an object with a traceEvents array'];
  const file = x as { traceEvents: unknown[]; displayTimeUnit?: unknown };
  if (file.displayTimeUnit !== undefined && file.displayTimeUnit !== 'ms' && file.displayTimeUnit !== 'ns')
    problems.push(`displayTimeUnit ${String(file.displayTimeUnit)}`);
  const open = new Map<string, number[]>(),
    lastTs = new Map<string, number>();
  const started = new Set<number>();
  file.traceEvents.forEach((raw, i) => {
    const e = raw as Record<string, unknown>;
    const bad = (why: string) => problems.push(`event ${i} (${JSON.stringify(e).slice(0, 120)}): ${why}`);
    if (typeof e.name !== 'string') bad('name is not a string');
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) return bad(`phase ${String(e.ph)}`);
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) bad('ts is not a finite number >= 0');
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) bad('pid/tid are not integers');
    if (e.args !== undefined && (typeof e.args !== 'object' || e.args === null)) bad('args is not an object');
    const track = `${String(e.pid)}/${String(e.tid)}`;
    if (e.ph !== 'M' && e.ph !== 'C') {
      if ((lastTs.get(track) ?? 0) > (e.ts as number)) bad('time goes backwards on its track');
      lastTs.set(track, e.ts as number);
    }
    switch (e.ph) {
      case 'B':
        (open.get(track) ?? open.set(track, []).get(track)!).push(e.ts as number);
        break;
      case 'E':
        if (!open.get(track)?.pop() && open.get(track)?.length !== 0) bad('E without B');
        break;
      case 'C':
        if (!e.args || Object.values(e.args).some((v) => typeof v !== 'number')) bad('counter args are not all numbers');
        break;
      case 'i':
      case 'I':
        if (e.s !== undefined && e.s !== 't' && e.s !== 'p' && e.s !== 'g') bad(`instant scope ${String(e.s)}`);
        break;
      case 's':
        if (typeof e.id !== 'number' && typeof e.id !== 'string') bad('flow without id');
        else started.add(e.id as number);
        break;
      case 'f':
        if (!started.has(e.id as number)) bad('flow ends before it starts');
        if (e.bp !== undefined && e.bp !== 'e') bad(`binding point ${String(e.bp)}`);
        break;
      case 'M':
        if (!['process_name', 'thread_name', 'thread_sort_index', 'process_sort_index'].includes(e.name as string)) bad(`metadata ${String(e.name)}`);
        if (typeof e.args !== 'object') bad('metadata without args');
        break;
    }
  });
  for (const [track, stack] of open) if (stack.length > 0) problems.push(`track ${track}: ${stack.length} B without E`);
  return problems;
}

function exampleTrace(): TraceFile {
  const trace = new TraceRecorder();
  const loaded = BootSession.load(EXAMPLE, { host: new NodeFileHost(), seed: 1, realtime: false, onOutput: () => undefined, trace });
  assert.ok(loaded.session, loaded.diagnostics.map((d) => d.message).join('\n'));
  const emu = loaded.session.emulator;
  emu.runFor(1.5e9);
  for (const input of ['root\r', 'echo hi\r', '@1\r', 'root\r']) {
    emu.typeInput(input);
    emu.runFor(50e6);
  }
  // Through JSON, as the file is read.
  return JSON.parse(JSON.stringify(trace.toJSON())) as TraceFile;
}

describe('emulator: the session as a Chrome/Perfetto trace', function () {
  this.timeout(120_000);
  let file: TraceFile;
  before(() => {
    file = exampleTrace();
  });

  it('conforms to the JSON trace event format', () => {
    assert.deepEqual(traceFormatProblems(file), []);
    assert.equal(file.metadata.truncated, false);
  });

  it('has a track per PD and vCPU, notification and IRQ flows, and a fill counter per queue', () => {
    const names = new Set(file.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args!.name));
    for (const pd of [
      'uart_driver',
      'serial_virt_rx',
      'serial_virt_tx',
      'CLIENT_VMM-1',
      'CLIENT_VMM-2',
      'client_linux-1 (vCPU)',
      'client_linux-2 (vCPU)',
      'GIC (IRQs)',
    ])
      assert.ok(names.has(pd), pd);
    const cats = (c: string) => file.traceEvents.filter((e) => e.cat === c).length;
    assert.ok(cats('notify') > 10 && cats('irq') > 2 && cats('virq') > 5, JSON.stringify({ notify: cats('notify'), irq: cats('irq'), virq: cats('virq') }));
    const starts = file.traceEvents.filter((e) => e.ph === 's').length,
      ends = file.traceEvents.filter((e) => e.ph === 'f').length;
    assert.ok(ends > 0 && ends <= starts);
    const counters = new Set(file.traceEvents.filter((e) => e.ph === 'C').map((e) => e.name));
    assert.deepEqual([...counters].sort(), [
      'CLIENT_VMM-1 -> serial_virt_tx',
      'CLIENT_VMM-2 -> serial_virt_tx',
      'serial_virt_rx -> CLIENT_VMM-1',
      'serial_virt_rx -> CLIENT_VMM-2',
      'serial_virt_tx -> uart_driver',
      'uart_driver -> serial_virt_rx',
    ]);
  });

  it('rejects what the format does not allow (the checker can fail)', () => {
    assert.deepEqual(traceFormatProblems({ traceEvents: [{ name: 'x', ph: 'E', ts: 1, pid: 1, tid: 2 }] }).length, 1);
    assert.equal(traceFormatProblems({ traceEvents: [{ name: 'x', ph: 'f', id: 9, ts: 1, pid: 1, tid: 2 }] }).length, 1);
    assert.equal(traceFormatProblems({ traceEvents: [{ name: 'x', ph: 'C', ts: 1, pid: 1, tid: 0, args: { fill: 'a' } }] }).length, 1);
    assert.equal(traceFormatProblems({ events: [] }).length, 1);
  });

  it('is what `dual-guest boot --trace FILE` writes', async () => {
    const run = await bootPiped([EXAMPLE, '--trace', 'out.json'], 'root\n', { cwd: '/w' });
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.written.get('/w/out.json')!) as TraceFile;
    assert.deepEqual(traceFormatProblems(out), []);
    assert.ok(out.traceEvents.some((e) => e.cat === 'irq'));
  });
});

// Logs the emulator itself prints, for every fault it can produce, explained against the project it
// booted: the emulator runs in the test, so the formats cannot drift apart.
import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { Kernel } from '../../../src/emulator/kernel';
import { createEmulator } from '../../../src/emulator/emulator';
import { exampleDualGuestConfig } from '../../../src/emulator/example-system';
import { bootProject } from '../../../src/emulator/from-project';
import { explainLog, loadExplainContext, type ExplainContext } from '../../../src/explain';
import { loadProject } from '../../../src/system';
import { build, IdleGuest } from '../emulator/helpers';
import { formatLogRecord } from '../../../src/host/dual-guest-session';
import { noticeText } from '../../../src/host/serial-terminal';

const EXAMPLE = path.resolve(__dirname, '..', '..', '..', 'examples', 'dual-guest');
const FILES: Record<string, string> = Object.fromEntries(readdirSync(EXAMPLE).map((f) => [`/p/${f}`, readFileSync(path.join(EXAMPLE, f), 'utf8')]));

/** The example with client_linux-1's gpc map removed: its kernel's GPC irqchip driver faults there. */
function withoutGpcMap(): MemoryFileHost {
  const files = { ...FILES };
  const system = files['/p/dual-guest.system'];
  const vm = system.indexOf('<virtual_machine name="client_linux-1"');
  const gpc = system.indexOf('<map mr="gpc"', vm);
  const end = system.indexOf('/>', gpc) + 2;
  assert.ok(vm > 0 && gpc > vm && gpc < system.indexOf('</virtual_machine>', vm));
  files['/p/dual-guest.system'] = system.slice(0, gpc) + system.slice(end);
  return new MemoryFileHost(files);
}

function exampleContext(host = new MemoryFileHost(FILES)): ExplainContext {
  return loadExplainContext('/p/dual-guest.json', host);
}

describe('explain: what the emulator prints', function () {
  this.timeout(60000);

  it('a guest kernel probing an unmapped device: names the node and offers both fixes', () => {
    const host = withoutGpcMap();
    const { emulator, diagnostics } = bootProject(loadProject('/p/dual-guest.json', host), { host });
    assert.ok(emulator, diagnostics.map((d) => d.message).join('\n'));
    while (emulator.snapshot().guests[0].haltReason === undefined && emulator.now() < 1e9) emulator.runFor(5_000_000);
    const log = emulator
      .logs()
      .map((r) => r.text)
      .join('\n');
    const got = explainLog(log, exampleContext(host)).filter((x) => x.code === 'log-vmm-memory-fault');
    assert.equal(got.length, 1, log);
    assert.match(
      got[0].message,
      /^0x303a[0-9a-f]{4} is gpc@303a0000 \(board\.dts:\d+\), enabled in client_linux-1's tree and not mapped into its VM: disable it or map it/,
    );
    assert.deepEqual(
      got[0].fixes.map((f) => f.kind),
      ['disable-node', 'map-device'],
    );
    assert.equal(got[0].fixes[1].title, "Map 'gpc' into 'client_linux-1' at 0x303a0000");

    // The same failure as VS Code shows it: the output channel's records, then the stop notice (explained once),
    // and the notice alone in the guest's terminal.
    const halt = emulator.snapshot().guests[0].haltReason!;
    const channel = [...emulator.logs().map(formatLogRecord), `client_linux-1 stopped: ${halt}`].join('\n');
    const fromChannel = explainLog(channel, exampleContext(host)).filter((x) => x.severity === 'error');
    assert.deepEqual(
      fromChannel.map((x) => x.code),
      ['log-vmm-memory-fault'],
      channel,
    );
    assert.equal(fromChannel[0].message, got[0].message);
    const terminal = explainLog(`login: ${noticeText(`client_linux-1 stopped: ${halt}`)}`, exampleContext(host));
    assert.deepEqual(
      terminal.map((x) => x.code),
      ['log-vm-stopped'],
    );
    assert.match(
      terminal[0].message,
      /^0x303a[0-9a-f]{4} is gpc@303a0000 \(board\.dts:\d+\), enabled in client_linux-1's tree and not mapped into its VM: disable it or map it$/,
    );
    assert.deepEqual(
      terminal[0].fixes.map((f) => f.kind),
      ['disable-node', 'map-device'],
    );
  });

  it('a read of an unmapped address, an unknown PSCI call, a bad virtio feature select', () => {
    const idle = [new IdleGuest(), new IdleGuest()];
    const emu = build({ programs: [() => idle[0], () => idle[1]] });
    emu.runFor(10_000);
    idle[1].machine.mmioWrite(0x150014, 4, 5);
    idle[1].machine.mmioRead(0x150010, 4);
    assert.equal(idle[0].machine.mmioRead(0x38800000, 4), undefined);
    idle[1].machine.psci(0x84000055);
    const got = explainLog(
      emu
        .logs()
        .map((r) => r.text)
        .join('\n'),
      exampleContext(),
    );
    assert.deepEqual(
      got.map((x) => x.code),
      ['log-virtio-error', 'log-vmm-memory-fault', 'log-vmm-unhandled-call', 'log-vmm-fault-unhandled'],
    );
    assert.match(got[0].message, /DeviceFeaturesSel to 0x5/);
    assert.match(
      got[1].message,
      /^0x38800000 is interrupt-controller@38800000 \(board\.dts:\d+\), the interrupt controller libvmm emulates for 'client_linux-1': its vGIC distributor is registered at another address.*FSR 0x92000006: data abort from a lower EL, translation fault level 2, read/,
    );
    assert.deepEqual(got[1].fixes, [], 'the GIC is not disabled or mapped');
    assert.match(got[2].message, /'client_linux-2' called PSCI function 0x84000055/);
  });

  it("libvmm's image placement refusal", () => {
    const config = exampleDualGuestConfig({ programs: [() => new IdleGuest(), () => new IdleGuest()], ramSize: 0x800000 });
    config.guests[0].initrd = { gpa: config.guests[0].dtbGpa + 0x10, bytes: new Uint8Array(0x100) };
    const log = createEmulator(config)
      .emulator!.logs()
      .map((r) => r.text)
      .join('\n');
    const got = explainLog(log, exampleContext());
    assert.deepEqual(
      got.map((x) => x.code),
      ['log-vmm-image'],
    );
    assert.match(got[0].message, /could not place the guest's images: DTB \[.*overlaps.*'client_linux-1': RAM/);
  });

  it("a PD fault (the monitor's report)", () => {
    const k = new Kernel();
    const logs: string[] = [];
    k.onLog((r) => logs.push(r.text));
    k.addPd('serial_virt_rx', { priority: 99, budgetNs: 1_000_000, periodNs: 1_000_000, passive: false });
    k.pds.get('serial_virt_rx')!.program = {
      notified: () => {
        throw new Error('null pointer');
      },
    };
    k.pds.get('serial_virt_rx')!.setPending(0);
    k.runUntil(1_000_000);
    const got = explainLog(logs.join('\n'), exampleContext());
    assert.deepEqual(
      got.map((x) => x.code),
      ['log-pd-fault'],
    );
    assert.match(got[0].message, /^'serial_virt_rx' faulted \(monitor fault label 0x6\)/);
    assert.equal(got[0].span.endLine - got[0].span.line, 1, 'the report is one block');
  });
});

// Faults as on the board, libvmm's image placement checks, the MON|ERROR path for a crashing PD.
import { strict as assert } from 'assert';
import { build, IdleGuest, testGuest, fillPattern, Collector } from './helpers';
import type { ConsoleTestGuest } from '../../../src/emulator/guest/console-test-guest';
import { decodeFsr, encodeStage2Fsr } from '../../../src/emulator/fault';
import { createEmulator } from '../../../src/emulator/emulator';
import { exampleDualGuestConfig, minimalDtb } from '../../../src/emulator/example-system';

describe('emulator: VM faults', () => {
  it('decodes 0x92000046 as a data abort, translation fault level 2, write', () => {
    assert.equal(encodeStage2Fsr({ write: true }), 0x92000046);
    assert.deepEqual(decodeFsr(0x92000046), {
      exceptionClass: 0x24,
      className: 'data abort from a lower EL',
      kind: 'data abort',
      il: true,
      write: true,
      fsc: 6,
      status: 'translation fault level 2',
    });
    assert.equal(decodeFsr(encodeStage2Fsr({ write: false })).write, false);
  });

  it("stops a guest touching an unmapped device with libvmm's messages; the other guest runs on", () => {
    const idle = new IdleGuest();
    const others: ConsoleTestGuest[] = [];
    const emu = build({
      programs: [() => idle, testGuest({ txTotal: 50_000, fill: fillPattern(1) }, others)],
      describeAddress: (vm, gpa) =>
        gpa === 0x30860000
          ? {
              path: '/soc/serial@30860000',
              defined: { file: 'maaxboard.dts', start: { line: 411, col: 3 }, end: { line: 411, col: 20 } },
              where: `${vm}: maaxboard.dts:412:4`,
            }
          : undefined,
    });
    const logs: string[] = [];
    emu.onLog((r) => logs.push(r.text));
    const out = new Collector();
    emu.onUartOutput(out.push);
    emu.runFor(10_000);
    assert.equal(idle.machine.mmioWrite(0x30860000, 4, 0x41), false);
    assert.deepEqual(logs, [
      'CLIENT_VMM-1|ERROR: unexpected memory fault on address: 0x30860000, FSR: 0x92000046, IP: 0x0, is_prefetch: false, is_write: true',
      'CLIENT_VMM-1|ERROR: (emulator) 0x30860000 belongs to /soc/serial@30860000 (client_linux-1: maaxboard.dts:412:4)',
      'CLIENT_VMM-1|ERROR: Failed to handle virtual memory fault',
    ]);
    assert.equal(emu.vcpu(0).state, 'halted');
    assert.equal(idle.machine.mmioRead(0x303a0000, 4), undefined, 'a stopped vCPU does nothing more');
    assert.ok(emu.runUntilIdle(1e9));
    assert.equal(others[0].txCompleted, 50_000);
    assert.equal(out.length, 13 + 50_000);
    const f = emu.snapshot().guests[0].faults;
    assert.equal(f.length, 1);
    assert.equal(f[0].gpa, 0x30860000);
  });

  it('lets the guest use mapped device regions (gpc, gic_vcpu) as plain memory', () => {
    const idle = new IdleGuest();
    const emu = build({ programs: [() => idle, () => new IdleGuest()] });
    emu.runFor(10_000);
    assert.ok(idle.machine.mmioWrite(0x303a0004, 4, 0xdeadbeef));
    assert.equal(idle.machine.mmioRead(0x303a0004, 4), 0xdeadbeef);
    assert.equal(idle.machine.mmioRead(0x303a0004, 2), 0xbeef);
    assert.ok(idle.machine.mmioWrite(0x31000ffc, 4, 7));
    assert.equal(emu.vcpu(0).state, 'idle');
  });

  it('reports a read fault with is_write: false and FSR 0x92000006', () => {
    const idle = new IdleGuest();
    const emu = build({ programs: [() => idle, () => new IdleGuest()] });
    const logs: string[] = [];
    emu.onLog((r) => logs.push(r.text));
    emu.runFor(10_000);
    assert.equal(idle.machine.mmioRead(0x38800000, 4), undefined);
    assert.ok(logs[0].endsWith('unexpected memory fault on address: 0x38800000, FSR: 0x92000006, IP: 0x0, is_prefetch: false, is_write: false'));
  });

  it('handles PSCI SYSTEM_OFF and reports unknown PSCI functions', () => {
    const idle = new IdleGuest();
    const emu = build({ programs: [() => idle, () => new IdleGuest()] });
    const logs: string[] = [];
    emu.onLog((r) => logs.push(r.text));
    emu.runFor(10_000);
    idle.machine.psci(0x84000000);
    assert.deepEqual(logs, [], 'PSCI_VERSION is answered');
    idle.machine.psci(0x84000008);
    assert.equal(emu.vcpu(0).state, 'halted');
    const other = emu.vcpu(1).program as IdleGuest;
    other.machine.psci(0x84000055);
    assert.deepEqual(logs.slice(-2), ['CLIENT_VMM-2|ERROR: Unhandled PSCI function ID 0x84000055', 'CLIENT_VMM-2|ERROR: Failed to handle VCPU fault']);
    assert.equal(emu.vcpu(1).state, 'halted');
  });
});

describe("emulator: libvmm's log lines for a VM", () => {
  it('prints "unexpected memory fault" after a registered handler failed too (fault.c:421-423, 454-455, 495)', () => {
    const idle = new IdleGuest();
    const emu = build({ programs: [() => idle, () => new IdleGuest()] });
    const logs: string[] = [];
    emu.onLog((r) => logs.push(r.text));
    emu.runFor(10_000);
    assert.equal(idle.machine.mmioWrite(0x150000 + 0x0ac, 4, 1), false);
    assert.deepEqual(logs, [
      'CLIENT_VMM-1|ERROR: unknown virtIO MMIO register write at offset 0xac',
      'CLIENT_VMM-1|ERROR: registered virtual memory exception handler for region [0x150000..0x150200) at address 0x1500ac failed',
      'CLIENT_VMM-1|ERROR: unexpected memory fault on address: 0x1500ac, FSR: 0x92000046, IP: 0x0, is_prefetch: false, is_write: true',
      'CLIENT_VMM-1|ERROR: Failed to handle virtual memory fault',
    ]);
  });

  it("prints LOG_VMM's INFO lines at boot (linux.c:114, 126; guest.c:105) and at SYSTEM_OFF (guest.c:116-118)", () => {
    const config = exampleDualGuestConfig({ programs: [() => new IdleGuest(), () => new IdleGuest()], ramSize: 0x800000 });
    config.guests[0].initrd = { gpa: 0x40400000, bytes: new Uint8Array(0x100) };
    const emu = createEmulator(config).emulator!;
    const info = (): string[] =>
      emu
        .logs()
        .filter((r) => r.source === 'CLIENT_VMM-1' && r.level === 'info')
        .map((r) => r.text);
    assert.deepEqual(info(), [
      `CLIENT_VMM-1|INFO: Copying guest DTB to GPA 0x407f0000 (0x${config.guests[0].dtb.length.toString(16)} bytes)`,
      'CLIENT_VMM-1|INFO: Copying guest initial RAM disk to GPA 0x40400000 (0x100 bytes)',
      'CLIENT_VMM-1|INFO: starting guest at 0x40000000, DTB at 0x407f0000, initial RAM disk at 0x40400000',
    ]);
    (emu.vcpu(0).program as IdleGuest).machine.psci(0x84000008);
    assert.deepEqual(info().slice(3), ['CLIENT_VMM-1|INFO: Stopping guest', 'CLIENT_VMM-1|INFO: Stopped guest']);
  });
});

describe('emulator: VMM image placement checks', () => {
  // libvmm src/arch/aarch64/linux.c at 7069ab9, each message with the line that prints it.
  const cases: [string, (c: ReturnType<typeof exampleDualGuestConfig>) => void, string][] = [
    [
      'RAM not 2 MiB aligned (linux.c:71)',
      (c) => {
        c.guests[0].ramGpa = 0x40100000;
        c.guests[0].dtbGpa = 0x40200000;
      },
      'Linux requires that guest RAM starting GPA must be 2MiB aligned, got 0x40100000',
    ],
    [
      'a DTB without the magic (linux.c:90)',
      (c) => {
        c.guests[0].dtb = new Uint8Array(64);
      },
      'Given DTB does not match DTB magic.',
    ],
    [
      'a DTB over 2 MiB (linux.c:97)',
      (c) => {
        const d = new Uint8Array((1 << 21) + 8);
        d.set(c.guests[0].dtb);
        c.guests[0].dtb = d;
      },
      'Linux expects size of DTB to be less than 2MB, DTB size is 0x200008 bytes',
    ],
    [
      'a DTB not 8-byte aligned (linux.c:104)',
      (c) => {
        c.guests[0].dtbGpa += 4;
      },
      'Linux expects DTB address to be on an 8-byte boundary, DTB address is 0x407f0004',
    ],
    [
      'a DTB outside RAM (linux.c:110)',
      (c) => {
        c.guests[0].dtbGpa = 0x3ff00000;
      },
      'DTB copy destination [0x3ff00000..0x3ff00048) not in valid guest RAM',
    ],
    [
      'an initrd outside RAM (linux.c:122)',
      (c) => {
        c.guests[0].initrd = { gpa: 0x407ff000, bytes: new Uint8Array(0x2000) };
      },
      'Initrd copy destination [0x407ff000..0x40801000) not in valid guest RAM',
    ],
    [
      'a DTB overlapping the initrd (linux.c:40)',
      (c) => {
        c.guests[0].initrd = { gpa: c.guests[0].dtbGpa + 0x10, bytes: new Uint8Array(0x100) };
      },
      'DTB [0x407f0000..0x407f0048) overlaps with the destination of the initial RAM disk [0x407f0010, 0x407f0110)',
    ],
    // Order: the overlap (line 39) before the alignment (line 70), the alignment before the magic (89).
    [
      'an overlap in misaligned RAM: the overlap first',
      (c) => {
        c.guests[0].ramGpa = 0x40100000;
        c.guests[0].initrd = { gpa: c.guests[0].dtbGpa, bytes: new Uint8Array(8) };
      },
      'DTB [0x407f0000..0x407f0048) overlaps with the destination of the initial RAM disk [0x407f0000, 0x407f0008)',
    ],
    [
      'misaligned RAM and no DTB magic: the alignment first',
      (c) => {
        c.guests[0].ramGpa = 0x40100000;
        c.guests[0].dtb = new Uint8Array(64);
      },
      'Linux requires that guest RAM starting GPA must be 2MiB aligned, got 0x40100000',
    ],
    [
      'no DTB magic and a DTB outside RAM: the magic first',
      (c) => {
        c.guests[0].dtb = new Uint8Array(64);
        c.guests[0].dtbGpa = 0x3ff00000;
      },
      'Given DTB does not match DTB magic.',
    ],
  ];
  for (const [name, edit, message] of cases) {
    it(`refuses ${name}`, () => {
      const config = exampleDualGuestConfig({ programs: [() => new IdleGuest(), () => new IdleGuest()], ramSize: 0x800000 });
      edit(config);
      const { emulator } = createEmulator(config);
      assert.ok(emulator);
      const logs = emulator
        .logs()
        .filter((r) => r.source === 'CLIENT_VMM-1')
        .map((r) => r.text);
      assert.deepEqual(logs, [`CLIENT_VMM-1|ERROR: ${message}`]);
      assert.equal(emulator.vcpu(0).state, 'off');
      assert.equal(emulator.vcpu(1).state, 'running');
      assert.equal(emulator.snapshot().guests[0].bootError, message);
    });
  }

  it('copies the DTB and initrd into guest RAM and passes the DTB address', () => {
    let seen = -1;
    const config = exampleDualGuestConfig({
      programs: [
        () => ({
          ...new IdleGuest(),
          start: (_m, dtb) => {
            seen = dtb;
          },
          run: () => 'idle',
          onInterrupt: () => undefined,
          onTimer: () => undefined,
        }),
        () => new IdleGuest(),
      ],
      ramSize: 0x800000,
    });
    config.guests[0].initrd = { gpa: 0x40400000, bytes: Uint8Array.of(1, 2, 3) };
    const emu = createEmulator(config).emulator!;
    const ram = emu.vcpu(0).ram;
    assert.equal(seen, config.guests[0].dtbGpa);
    assert.deepEqual(Array.from(ram.subarray(config.guests[0].dtbGpa - 0x40000000, config.guests[0].dtbGpa - 0x40000000 + 72)), Array.from(minimalDtb()));
    assert.deepEqual(Array.from(ram.subarray(0x400000, 0x400003)), [1, 2, 3]);
  });
});

describe('emulator: configuration errors are diagnostics', () => {
  it('names a missing memory region and a missing channel instead of throwing', () => {
    const config = exampleDualGuestConfig({ programs: [() => new IdleGuest(), () => new IdleGuest()], ramSize: 0x800000 });
    config.memoryRegions = config.memoryRegions.filter((m) => m.name !== 'rx_data_serial_vmm_2');
    config.channels = config.channels.filter((c) => !(c.a.pd === 'uart_driver' && c.b.pd === 'serial_virt_rx'));
    config.memoryRegions.find((m) => m.name === 'tx_data_serial_driver')!.size = 3000;
    const { emulator, diagnostics } = createEmulator(config);
    assert.equal(emulator, undefined);
    const messages = diagnostics.map((d) => d.message);
    assert.ok(messages.includes("RX queue of 'CLIENT_VMM-2': data region 'rx_data_serial_vmm_2' does not exist"), messages.join('\n'));
    assert.ok(messages.includes("no channel connects 'uart_driver' and 'serial_virt_rx'"));
    assert.ok(messages.includes('driver TX queue: queue capacity 3000 is not a power of two'));
  });
});

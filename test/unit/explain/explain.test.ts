// The log corpus (test/unit/explain/logs, written from the formats in the Microkit monitor, libvmm,
// sDDF, seL4 and Linux sources) explained against the example project: each log with what it must say.
import { strict as assert } from 'assert';
import { readFileSync, readdirSync } from 'fs';
import { resolve } from 'path';
import { explainLog, loadExplainContext, type ExplainContext } from '../../../src/explain';
import { NodeFileHost } from '../../../src/node/file-host';

const LOGS = resolve(__dirname, 'logs');
const EXAMPLE = resolve(__dirname, '../../../examples/dual-guest/dual-guest.json');

interface Expected {
  code: string;
  severity: 'error' | 'warning';
  /** Lines of the report (1-based, first and last). */
  lines: [number, number];
  says: string[];
  fixes?: string[];
  related?: string[];
}

const TABLE: Record<string, Expected[]> = {
  'libvmm-disabled-device.log': [
    {
      code: 'log-vmm-memory-fault',
      severity: 'error',
      lines: [2, 12],
      says: [
        '0x30280004 is watchdog@30280000 (board.dts:97)',
        "disabled in client_linux-1's tree and not mapped into its VM",
        'FSR 0x93830046: data abort from a lower EL, translation fault level 2, write of 4 bytes from w3',
        'guest pc 0xffff800008a1c2d0',
      ],
      fixes: ["Map watchdog@30280000 into 'client_linux-1': a memory region 'watchdog' at 0x30280000 (size 0x10000)"],
      related: ["/soc@0/bus@30000000/watchdog@30280000 in the device tree of 'client_linux-1'", "virtual machine 'client_linux-1'"],
    },
  ],
  'libvmm-plain-fault.log': [
    {
      code: 'log-vmm-memory-fault',
      severity: 'error',
      lines: [1, 2],
      says: ["0x90000000 is in no device-tree node of 'client_linux-2' and outside its RAM [0x40000000..0x4f000000)", 'read'],
    },
  ],
  'libvmm-virq-plus32.log': [
    {
      code: 'log-vmm-virq-disabled',
      severity: 'error',
      lines: [1, 1],
      says: ['vIRQ 42 (GIC INTID 42, SPI 10)', 'virtio-console@150000 (guest-1.dts:', 'has SPI 42 = INTID 74', "an SPI's is its number + 32"],
    },
  ],
  'libvmm-virq-owner.log': [
    {
      code: 'log-vmm-virq-disabled',
      severity: 'warning',
      lines: [1, 1],
      says: ['vIRQ 74 (GIC INTID 74, SPI 42)', 'it is the interrupt of virtio-console@150000', 'whose driver has not set it up'],
    },
  ],
  'libvmm-vcpu-exception.log': [
    { code: 'log-vmm-vcpu-exception', severity: 'error', lines: [1, 1], says: ["'client_linux-1'", 'ESR 0x62300000 (MSR/MRS/system instruction trapped)'] },
  ],
  'libvmm-psci.log': [
    { code: 'log-vmm-unhandled-call', severity: 'error', lines: [1, 1], says: ["'client_linux-2' called PSCI function 0xc4000003 (CPU_ON)"] },
    {
      code: 'log-vmm-fault-unhandled',
      severity: 'error',
      lines: [2, 2],
      says: ["'client_linux-2' stopped: its VMM 'CLIENT_VMM-2' could not handle a VCPU fault"],
    },
  ],
  'libvmm-unexpected-channel.log': [
    {
      code: 'log-vmm-unexpected-channel',
      severity: 'error',
      lines: [1, 1],
      says: ["'CLIENT_VMM-1' notified on channel 5, which is not in dual-guest.system (its channels: 1 (to 'serial_virt_tx'), 2 (to 'serial_virt_rx'))"],
    },
  ],
  'monitor-cap-fault.log': [
    {
      code: 'log-pd-fault',
      severity: 'error',
      lines: [1, 8],
      says: ["'CLIENT_VMM-1' invoked the notification cap (microkit_notify) of channel 3, which is not in dual-guest.system"],
      related: ["protection domain 'CLIENT_VMM-1'"],
    },
  ],
  'monitor-stack-overflow.log': [
    {
      code: 'log-pd-fault',
      severity: 'error',
      lines: [1, 9],
      says: [
        "'serial_virt_rx' overflowed its stack: the fault at 0xffffffbff0 is just below the stack (stack_size 0x2000)",
        'translation fault level 3, write',
        "raise stack_size on 'serial_virt_rx'",
      ],
      fixes: ['Give \'serial_virt_rx\' a 0x4000-byte stack (stack_size="0x4000")'],
    },
  ],
  'monitor-read-only.log': [
    {
      code: 'log-pd-fault',
      severity: 'error',
      lines: [1, 6],
      says: ["'serial_virt_tx' wrote to 0x4006010, in 'tx_data_serial_vmm_1' which it maps at 0x4006000 read-only (perms=\"r\")", 'permission fault level 3'],
      fixes: ["Map 'tx_data_serial_vmm_1' into 'serial_virt_tx' with perms=\"rw\""],
    },
  ],
  'sel4-invalid-cap.log': [
    {
      code: 'log-kernel-invalid-cap',
      severity: 'error',
      lines: [1, 1],
      says: [
        "'uart_driver' invoked the notification cap (microkit_notify) of channel 3, which is not in dual-guest.system (its channels: 1 (to 'serial_virt_tx'), 2 (to 'serial_virt_rx'), 0 (irq 58))",
      ],
    },
  ],
  'sel4-double-fault.log': [
    { code: 'log-kernel-fault', severity: 'error', lines: [1, 6], says: ["'serial_virt_tx' dereferenced a NULL pointer (address 0x0)", 'setvar_vaddr'] },
  ],
  'microkit-invalid-channel.log': [
    {
      code: 'log-pd-invalid-channel',
      severity: 'error',
      lines: [1, 1],
      says: ["'serial_virt_rx' called microkit_notify on channel 7, which is not in dual-guest.system"],
    },
  ],
  'virt-rx-invalid-client.log': [
    {
      code: 'log-virt-rx-invalid-client',
      severity: 'warning',
      lines: [1, 1],
      says: ["no client 2 (0 = 'CLIENT_VMM-1', 1 = 'CLIENT_VMM-2')", 'numbered from 0'],
    },
  ],
  'linux-oops.log': [
    {
      code: 'log-linux-paging-request',
      severity: 'error',
      lines: [1, 8],
      says: ['kernel virtual address 0xffff80000a3a0030 in imx_gpc_irq_unmask+0x30/0x60', 'ESR 0x96000021: data abort from the same EL, alignment fault, read'],
    },
  ],
  'linux-deferred-probe.log': [{ code: 'log-linux-deferred-probe', severity: 'warning', lines: [1, 1], says: ['never probed serial@30860000 (board.dts:'] }],
  'linux-no-console.log': [{ code: 'log-linux-no-console', severity: 'warning', lines: [2, 2], says: ['the guest found no console device'] }],
  'silence-after-begin.log': [
    {
      code: 'log-silence-after-begin',
      severity: 'warning',
      lines: [3, 3],
      says: ['the log ends with the TX virtualiser\'s "Begin input"', 'the guests printed nothing'],
    },
  ],
  'loader-el2.log': [
    {
      code: 'log-loader-error',
      severity: 'error',
      lines: [5, 5],
      says: ['the Microkit loader stopped before seL4 started: seL4 configured as a hypervisor, but not in EL2', 'runs at EL2'],
    },
  ],
  'loader-exception.log': [
    {
      code: 'log-loader-error',
      severity: 'error',
      lines: [3, 10],
      says: ['loader trapped exception: Synchronous', 'ESR 0x96000010: data abort from the same EL, synchronous external abort, read, FAR 0x0000000040480000'],
    },
  ],
  'unrecognised.log': [],
};

describe('explain: the log corpus against the example project', () => {
  let ctx: ExplainContext;
  before(() => {
    ctx = loadExplainContext(EXAMPLE, new NodeFileHost());
    assert.deepEqual(
      [...ctx.trees].filter(([, t]) => !t).map(([vm]) => vm),
      [],
      'the example trees compile',
    );
  });

  it('has an expectation for every log in the corpus', () => {
    assert.deepEqual(
      readdirSync(LOGS)
        .filter((f) => f.endsWith('.log'))
        .sort(),
      Object.keys(TABLE).sort(),
    );
  });

  for (const [file, expected] of Object.entries(TABLE)) {
    it(`${file}: ${expected.length === 0 ? 'explains nothing' : expected.map((e) => e.code).join(', ')}`, () => {
      const got = explainLog(readFileSync(resolve(LOGS, file), 'utf8'), ctx);
      assert.deepEqual(
        got.map((x) => x.code),
        expected.map((e) => e.code),
        JSON.stringify(
          got.map((x) => x.message),
          null,
          1,
        ),
      );
      expected.forEach((e, i) => {
        const x = got[i];
        assert.equal(x.severity, e.severity, x.message);
        assert.deepEqual([x.span.line + 1, x.span.endLine + 1], e.lines);
        for (const s of e.says) assert.ok(x.message.includes(s), `${x.message}\n  lacks: ${s}`);
        if (e.fixes)
          assert.deepEqual(
            x.fixes.map((f) => f.title),
            e.fixes,
          );
        for (const r of e.related ?? [])
          assert.ok(
            x.related.some((y) => y.message === r),
            `${JSON.stringify(x.related.map((y) => y.message))} lacks ${r}`,
          );
        // Positions name files the user has.
        for (const r of x.related) assert.ok(readFileSync(r.range.file), r.range.file);
      });
    });
  }

  it('explains the lines alone when there is no project', () => {
    const got = explainLog(readFileSync(resolve(LOGS, 'libvmm-disabled-device.log'), 'utf8'));
    assert.equal(got.length, 1);
    assert.ok(got[0].message.includes('no project to map it to a device'), got[0].message);
  });
});

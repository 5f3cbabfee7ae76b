// libvmm 0.2.0 (../shared/upstream/libvmm) compiled to wasm32 with a console VMM program of the
// tests' own, run over the emulator's seL4/Microkit vCPU interface: guest_start through
// seL4_TCB_WriteRegisters, guest accesses delivered as VM faults that libvmm's own decoder
// emulates (virtio-mmio), its unexpected-fault block and register dumps, PSCI through an SMC
// vCPU fault, and interrupts through the list registers with maintenance faults.
import { strict as assert } from 'assert';
import * as path from 'path';
import { existsSync } from 'fs';
import { Kernel, type LogRecord } from '../../../../src/emulator/kernel';
import { Vcpu, TCB_PC, TCB_X0 } from '../../../../src/emulator/vcpu';
import type { GuestMachine, GuestProgram } from '../../../../src/emulator/guest/interface';
import { RealPd } from '../../../../src/emulator/real/real-pd';
import { RealVmmFaults, dataAbortSyndrome } from '../../../../src/emulator/real/real-vmm';
import { Sel4VcpuInterface } from '../../../../src/emulator/real/sel4-vcpu';
import { arm64ImageHeader, vmmBuildSpec } from '../../../../src/emulator/real/vmm-build';
import { wasm } from '../../../../src/emulator/real/wasm-api';
import { describeReal, sddf, toolchain } from './harness';

const LIBVMM = path.resolve(__dirname, '../../../../../shared/upstream/libvmm');
const PROGRAM = path.resolve(__dirname, '../../../fixtures/real-vmm/console_vmm.c');
const RAM_GPA = 0x40000000,
  RAM_SIZE = 0x1000000,
  DTB_GPA = 0x40f00000;
const VIRTIO = 0x150000;
/** The VMM's image at 64 KiB; guest RAM above it, 16 MiB-aligned. */
const VMM_BASE = 0x10000,
  RAM_HVA = 0x1000000;

/** A DTB-shaped blob: the FDT magic and a total size (all libvmm checks). */
function fakeDtb(): Uint8Array {
  const d = new Uint8Array(64);
  new DataView(d.buffer).setUint32(0, 0xd00dfeed);
  new DataView(d.buffer).setUint32(4, 64);
  return d;
}

class IdleGuest implements GuestProgram {
  machine: GuestMachine | undefined;
  dtbGpa = -1;
  start(m: GuestMachine, dtbGpa: number): void {
    this.machine = m;
    this.dtbGpa = dtbGpa;
  }
  run(): 'idle' {
    return 'idle';
  }
  onInterrupt(): void {}
  onTimer(): void {}
}

interface Rig {
  kernel: Kernel;
  vcpu: Vcpu;
  guest: IdleGuest;
  logs: string[];
  faults: RealVmmFaults;
  ram: Uint8Array;
}

function boot(): Rig {
  const bytes = toolchain.build(
    vmmBuildSpec({
      name: 'VMM',
      programSources: [PROGRAM],
      libvmm: LIBVMM,
      sddf: sddf!,
      images: { kernel: arm64ImageHeader(64), dtb: fakeDtb(), initrd: new Uint8Array([1, 2, 3, 4]) },
      globalBase: VMM_BASE,
      stackSize: 0x10000,
    }),
  );
  const memory = new wasm.Memory({ initial: (RAM_HVA + RAM_SIZE) / 0x10000, maximum: (RAM_HVA + RAM_SIZE) / 0x10000 });
  const kernel = new Kernel();
  const logs: string[] = [];
  kernel.onLog((r: LogRecord) => logs.push(r.text));
  const sched = { priority: 50, budgetNs: 1e6, periodNs: 1e6, passive: false };
  const pd = kernel.addPd('VMM', sched);
  const ram = new Uint8Array(memory.buffer, RAM_HVA, RAM_SIZE);
  const vcpu = new Vcpu(kernel, 'guest', { ...sched }, ram, RAM_GPA, []);
  kernel.addThread(vcpu);
  const guest = new IdleGuest();
  vcpu.programFactory = () => guest;
  vcpu.vgic.vmmLoadsListRegisters = true;
  const sel4 = new Sel4VcpuInterface(memory, { vcpu: (id) => (id === 0 ? vcpu : undefined), event: (k, t) => kernel.event(k, t) });
  const program = new RealPd(kernel.contextFor(pd), new wasm.Module(bytes), memory, [], undefined, { sel4: sel4.imports() });
  program.setName('VMM');
  const ramVar = program.symbolAddress('guest_ram_vaddr')!;
  new DataView(memory.buffer).setUint32(ramVar, RAM_HVA, true);
  const faults = new RealVmmFaults(kernel, pd, program, vcpu, 0);
  vcpu.faultHandler = faults;
  pd.program = program;
  kernel.initPds([pd]);
  return { kernel, vcpu, guest, logs, faults, ram };
}

describeReal('real VMM: libvmm over the seL4/Microkit vCPU interface', function () {
  this.timeout(120_000);
  before(function () {
    if (!existsSync(path.join(LIBVMM, 'include', 'libvmm', 'libvmm.h'))) throw new Error(`the pinned libvmm is not at ${LIBVMM}`);
  });

  it('init places the images, starts the vCPU at the kernel entry with x0 = the DTB, and logs as on the board', () => {
    const r = boot();
    assert.ok(r.logs.includes('VMM|INFO: starting "VMM"'), r.logs.join('\n'));
    assert.ok(r.logs.includes('VMM|INFO: VMM is ready'), r.logs.join('\n'));
    // libvmm prints 64-bit and 32-bit values with %lx in one line (LP64): each as on the board.
    assert.ok(r.logs.includes('VMM|INFO: Copying guest kernel image to 0x40000000 (0x40 bytes)'), r.logs.join('\n'));
    assert.ok(r.logs.includes('VMM|INFO: Copying guest DTB to GPA 0x40f00000 (0x40 bytes)'), r.logs.join('\n'));
    assert.ok(r.logs.includes('VMM|INFO: Copying guest initial RAM disk to GPA 0x40e00000 (0x4 bytes)'), r.logs.join('\n'));
    assert.ok(r.logs.includes('VMM|INFO: starting guest at 0x40000000, DTB at 0x40f00000, initial RAM disk at 0x40e00000'), r.logs.join('\n'));
    assert.ok(
      r.logs.some((l) => /^VMM\|INFO: initialised virtual GICv3 \(distributor: 0x38800000/.test(l)),
      r.logs.join('\n'),
    );
    assert.equal(r.guest.dtbGpa, DTB_GPA, 'the guest program started with x0 = the DTB');
    assert.equal(r.vcpu.tcb[TCB_PC], BigInt(RAM_GPA));
    assert.equal(r.vcpu.state, 'running');
    assert.deepEqual([...r.ram.subarray(DTB_GPA - RAM_GPA, DTB_GPA - RAM_GPA + 4)], [0xd0, 0x0d, 0xfe, 0xed], 'the DTB is in guest RAM');
    assert.deepEqual([...r.ram.subarray(0x38, 0x3c)], [0x41, 0x52, 0x4d, 0x64], 'the kernel image header at text_offset 0');
  });

  it('a virtio-mmio load is a VM fault that libvmm decodes and emulates into the transfer register', () => {
    const r = boot();
    const pc = r.vcpu.tcb[TCB_PC];
    assert.equal(r.vcpu.mmioRead(VIRTIO + 0x000, 4, 5), 0x74726976, 'MagicValue into w5');
    assert.equal(r.vcpu.tcb[TCB_X0 + 5], 0x74726976n);
    assert.equal(r.vcpu.tcb[TCB_PC], pc + 4n, 'libvmm advanced the PC past the access');
    assert.equal(r.vcpu.mmioRead(VIRTIO + 0x008, 4), 3, 'DeviceID: console');
    assert.equal(r.vcpu.mmioRead(VIRTIO + 0x004, 4, 2), 2, 'Version 2');
    assert.ok(r.vcpu.mmioWrite(VIRTIO + 0x070, 4, 1, 3), 'Status ACKNOWLEDGE from w3');
    assert.equal(r.vcpu.mmioRead(VIRTIO + 0x070, 4), 1);
    assert.equal(r.vcpu.state, 'running');
  });

  it("an access nothing handles prints libvmm's fault block and register dumps, and stops the vCPU", () => {
    const r = boot();
    assert.equal(r.vcpu.mmioRead(0x303a0000, 4), undefined);
    const fsr = dataAbortSyndrome(4, 0, false);
    const at = r.logs.findIndex((l) => l.includes('unexpected memory fault on address: 0x303a0000'));
    assert.ok(at >= 0, r.logs.join('\n'));
    assert.match(
      r.logs[at],
      new RegExp(
        `^VMM\\|ERROR \\(fault_handle_vm_exception:\\d+\\): unexpected memory fault on address: 0x303a0000, FSR: 0x${fsr.toString(16)}, IP: 0x40000000, is_prefetch: false, is_write: false$`,
      ),
    );
    assert.ok(r.logs.includes('VMM|INFO: dumping TCB (ID 0x0) registers:'));
    assert.ok(r.logs.includes('    pc: 0x0000000040000000'));
    assert.ok(r.logs.includes('VMM|INFO: dumping VCPU (ID 0x0) registers:'));
    assert.ok(r.logs.some((l) => /Failed to handle virtual memory fault$/.test(l)));
    assert.equal(r.vcpu.state, 'halted');
    assert.deepEqual(
      r.faults.faults.map((f) => f.gpa),
      [0x303a0000],
    );
  });

  it('PSCI through an SMC: VERSION answers 1.2 in x0, SYSTEM_OFF stops the guest', () => {
    const r = boot();
    r.vcpu.psci(0x84000000);
    assert.equal(r.vcpu.tcb[TCB_X0], 0x10002n);
    assert.equal(r.vcpu.state, 'running');
    r.vcpu.psci(0x84000008);
    assert.ok(r.logs.includes('VMM|INFO: Stopping guest'));
    assert.equal(r.vcpu.state, 'halted');
  });

  it("an interrupt libvmm injects goes into a list register; the guest's EOI is a maintenance fault that frees it", () => {
    const r = boot();
    const GICD = 0x38800000,
      INTID = 74,
      word = 4 * Math.floor(INTID / 32),
      bit = 1 << (INTID % 32);
    assert.ok(r.vcpu.mmioWrite(GICD + 0x000, 4, 0x12), 'GICD_CTLR: enable group 1 (ARE)');
    assert.ok(r.vcpu.mmioWrite(GICD + 0x100 + word, 4, bit), 'GICD_ISENABLER: SPI 42');
    assert.ok(r.vcpu.mmioWrite(GICD + 0x200 + word, 4, bit), 'GICD_ISPENDR: libvmm injects it');
    assert.deepEqual(r.vcpu.vgic.listRegisters()[0], { intid: INTID, state: 'pending' });
    assert.equal(r.vcpu.vgic.take(), INTID);
    r.vcpu.endOfInterrupt(INTID);
    assert.deepEqual(r.vcpu.vgic.listRegisters()[0], { intid: -1, state: 'empty' });
    assert.ok(r.vcpu.mmioWrite(GICD + 0x200 + word, 4, bit), 'pending again');
    assert.equal(r.vcpu.vgic.take(), INTID, "libvmm's shadow of the register was freed by the maintenance fault");
    assert.equal(r.vcpu.state, 'running', r.logs.join('\n'));
  });

  it("the virtual timer's PPI is a VPPI event: libvmm injects INTID 27, and its ack at the guest's end of it unmasks the PPI", () => {
    const r = boot();
    let ticks = 0;
    r.guest.onTimer = () => ticks++;
    r.kernel.devices.push(r.vcpu.timer);
    r.vcpu.distributorBase = 0x38800000;
    r.vcpu.redistributorBase = 0x38880000;
    // Not enabled at libvmm's redistributor: libvmm drops the event and acks it (fault.c's VPPI path).
    r.vcpu.setTimer(BigInt(r.kernel.now));
    r.kernel.runUntil(r.kernel.now + 100_000);
    assert.equal(ticks, 0);
    assert.ok(
      r.logs.some((l) => /VPPI IRQ 27 dropped on vCPU 0/.test(l)),
      r.logs.join('\n'),
    );
    // Enabled (GICD_CTLR, then GICR_ISENABLER0 bit 27, as the guest's GIC driver does): each tick goes through a list register.
    r.guest.machine!.enableInterrupt(27);
    for (let i = 1; i <= 3; i++) {
      r.vcpu.setTimer(BigInt(r.kernel.now + 1000));
      r.kernel.runUntil(r.kernel.now + 100_000);
      assert.equal(ticks, i, `tick ${i}`);
    }
    const counts = r.vcpu.vgic.perIrq.get(27)!;
    assert.deepEqual([counts.injected, counts.delivered, counts.acked], [3, 3, 3]);
    assert.equal(r.vcpu.state, 'idle', r.logs.join('\n'));
  });
});

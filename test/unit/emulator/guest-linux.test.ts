// The Linux guest model on the real emulator (the example's dual-guest system, fast mode).
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { DEFAULT_LINUX_DRIVERS, driversForCompatibles } from '../../../src/emulator/guest/linux';
import { KERNEL_RESERVED_BYTES } from '../../../src/emulator/guest/linux/procfs';
import { bootBoth, CONSOLE_INTID, dualSystem, exampleDtb, runUntil, type DualSystem } from './guest-harness';

const MS = 1_000_000;

/** Type at the UART, then run until guest `g`'s output (after this point) contains `expect`. */
function command(sys: DualSystem, g: 0 | 1, input: string, expect: string, maxNs = 200 * MS): string {
  const start = sys.output[g].length;
  sys.emulator.typeInput(input);
  sys.emulator.runFor(MS);
  const ok = runUntil(sys, () => sys.output[g].slice(start).includes(expect), maxNs, MS);
  const got = sys.output[g].slice(start);
  assert.ok(ok, `guest ${g + 1} did not print ${JSON.stringify(expect)} after ${JSON.stringify(input)}; got ${JSON.stringify(got.slice(-400))}`);
  return got;
}

function login(sys: DualSystem, g: 0 | 1): void {
  if (g === 1) command(sys, 0, '@1\r', '', MS); // virt_rx: '@' then 1 selects client 1 (guest 2)
  command(sys, g, 'root\r', '# ');
}

describe('Linux guest model on the emulator', function () {
  this.timeout(20000);

  let sys: DualSystem;
  before(() => {
    sys = dualSystem();
    assert.ok(bootBoth(sys), `no login prompt: ${JSON.stringify(sys.output)}`);
  });

  it('boots both guests to a login prompt with a boot log derived from their device trees', () => {
    for (const out of sys.output) {
      assert.match(out, /Machine model: Microkit Dual Guest emulated board/);
      assert.match(out, new RegExp(`Memory: ${(0xf000000 - KERNEL_RESERVED_BYTES) / 1024}K/${0xf000000 / 1024}K available`));
      assert.match(out, /Kernel command line: console=hvc0 earlycon=hvc0 nosmp clk_ignore_unused\r\n/);
      assert.match(out, /ttyHVC0 at MMIO 0x150000 \(irq = 74\) is a virtio console/);
      assert.match(out, /Freeing initrd memory: 44032K/);
      assert.match(out, /Welcome to Buildroot\r\nbuildroot login: $/);
    }
    // Guest 1 reaches its console IRQ through the GPC (the root's interrupt-parent), guest 2 directly.
    const logs = sys.logs().join('\n');
    assert.match(logs, /client_linux-1: model: \/soc@0\/bus@30000000\/gpc@303a0000: unmasking hwirq 42 \(IMR at 0x303a0034\)/);
    assert.doesNotMatch(logs, /client_linux-2: model: .*gpc/);
    assert.ok(sys.emulator.now() < 1_000 * MS, `boot took ${sys.emulator.now() / MS} ms of virtual time`);
  });

  it('logs in and answers shell commands', () => {
    login(sys, 0);
    assert.match(command(sys, 0, 'echo hello   "big world"\r', '# '), /^echo hello {3}"big world"\r\nhello big world\r\n# $/);
    assert.match(command(sys, 0, 'uname -a\r', '# '), /Linux buildroot 6\.1\.0-model #1 SMP PREEMPT .* aarch64 GNU\/Linux\r\n/);
    assert.match(command(sys, 0, 'help\r', '# '), /model of a small Linux system/);
    assert.match(command(sys, 0, 'frobnicate\r', '# '), /-sh: frobnicate: not found\r\n/);
    assert.match(command(sys, 0, 'cat /proc/cpuinfo\r', '# '), /CPU part\t: 0xd03/);
    assert.match(command(sys, 0, 'cat /proc/device-tree/chosen/bootargs\r', '# '), /console=hvc0 earlycon=hvc0 nosmp clk_ignore_unused\0/);
    assert.match(command(sys, 0, 'ls /proc/device-tree\r', '# '), /virtio-console@150000/);
    assert.match(
      // '@' is the serial switch character: typed twice it reaches the guest as one '@'.
      command(sys, 0, 'hexdump -C /proc/device-tree/memory@@40000000/reg\r', '# '),
      /\r\n00000000 {2}00 00 00 00 40 00 00 00 {2}00 00 00 00 0f 00 00 00 {2}\|\.{4}@\.{11}\|\r\n00000010\r\n# $/,
    );
    // cat without a file copies lines until Ctrl-D.
    command(sys, 0, 'cat\r', 'cat\r\n');
    assert.equal(command(sys, 0, 'typed line\r', 'typed line\r\ntyped line\r\n'), 'typed line\r\ntyped line\r\n');
    assert.equal(command(sys, 0, '\x04', '# '), '# ');
    // Ctrl-D inside a line hands the text over without ending the line: the shell waits for the rest.
    assert.match(command(sys, 0, 'echo spl\x04', 'spl'), /^echo spl$/);
    assert.match(command(sys, 0, 'it\r', '# '), /^it\r\nsplit\r\n# $/);
    assert.match(command(sys, 0, 'dmesg\r', '# '), /Kernel command line: console=hvc0/);
    assert.match(command(sys, 0, 'date\r', '# '), /Thu Jan {2}1 00:00:0\d UTC 1970\r\n/);
    assert.match(command(sys, 0, 'uptime\r', '# '), / 00:00:0\d up 0 min, {2}load average: 0\.00, 0\.00, 0\.00\r\n/);
    assert.match(command(sys, 0, 'clear\r', '# '), /\x1b\[H\x1b\[J/);
  });

  it('shows the DT memory size in free and /proc/meminfo', () => {
    const kib = (0xf000000 - KERNEL_RESERVED_BYTES) / 1024;
    assert.match(command(sys, 0, 'cat /proc/meminfo\r', '# '), new RegExp(`MemTotal: +${kib} kB`));
    assert.match(command(sys, 0, 'free\r', '# '), new RegExp(`Mem: +${kib} `));
  });

  it('reports in /proc/interrupts the console interrupts it actually took', () => {
    const before = sys.emulator.snapshot().guests[0].irq.delivered;
    const out = command(sys, 0, 'cat /proc/interrupts\r', '# ');
    const m = /^ *12: +(\d+) +GPCv2 +42 Level +virtio0\r$/m.exec(out);
    assert.ok(m, out);
    const printed = Number(m[1]);
    const after = sys.emulator.snapshot().guests[0];
    assert.equal(after.irq.intid, CONSOLE_INTID);
    assert.ok(printed >= before && printed <= after.irq.delivered, `${before} <= ${printed} <= ${after.irq.delivered}`);
    assert.equal(sys.guests[0].consoleInterrupts, after.irq.delivered);
    assert.ok(printed > 10, 'typing and output should have raised interrupts');
  });

  it('edits the line: backspace, Ctrl-U, Ctrl-C at the prompt', () => {
    assert.match(command(sys, 0, 'echo abX\x7fc\r', '# '), /\x08 \x08c\r\nabc\r\n/);
    assert.match(command(sys, 0, 'junk\x15echo ok\r', '# '), /\r\nok\r\n# $/);
    assert.match(command(sys, 0, 'half a line\x03', '# '), /\^C\r\n# $/);
    // Ctrl-D on an empty line ends the shell; getty comes back with a fresh login.
    assert.match(command(sys, 0, '\x04', 'login: '), /^\r\n\r\nWelcome to Buildroot\r\nbuildroot login: $/);
    command(sys, 0, 'root\r', '# ');
  });

  it('floods with yes until Ctrl-C, then the shell answers again', () => {
    const start = sys.output[0].length;
    sys.emulator.typeInput('yes\r');
    sys.emulator.runFor(30 * MS);
    const flood = sys.output[0].slice(start);
    assert.ok(flood.split('y\r\n').length > 200, `only ${flood.length} bytes of yes`);
    const out = command(sys, 0, '\x03', '^C');
    runUntil(sys, () => sys.output[0].endsWith('\r\n# '), 200 * MS, MS);
    assert.ok(sys.output[0].endsWith('\r\n# '), JSON.stringify(out.slice(-200)));
    const settled = sys.output[0].length;
    sys.emulator.runFor(50 * MS);
    assert.equal(sys.output[0].length, settled, 'yes kept printing after Ctrl-C');
    assert.match(command(sys, 0, 'echo after\r', '# '), /after\r\n# $/);
  });

  it('sleeps through the timer for the virtual time asked', () => {
    command(sys, 0, 'sleep 1', 'sleep 1');
    const t0 = sys.emulator.now();
    command(sys, 0, '\r', '# ', 2_000 * MS);
    const took = sys.emulator.now() - t0;
    assert.ok(took >= 1_000 * MS && took < 1_010 * MS, `sleep 1 took ${took / MS} ms`);
    command(sys, 0, 'sleep 1e400\r', '', MS);
    assert.match(command(sys, 0, '\x03', '# '), /\^C\r\n# $/);
    assert.match(command(sys, 0, 'sleep x\r', '# '), /sleep: invalid number 'x'/);
    command(sys, 0, 'sleep 5\r', '', MS);
    const t1 = sys.emulator.now();
    command(sys, 0, '\x03', '# ');
    assert.ok(sys.emulator.now() - t1 < 100 * MS, 'Ctrl-C ends sleep early');
  });

  it('serves the second guest after a switch, and powers it off through PSCI', () => {
    login(sys, 1);
    assert.match(command(sys, 1, 'cat /proc/interrupts\r', '# '), /GICv3 +42 Level +virtio0/);
    const out = command(sys, 1, 'poweroff\r', 'reboot: Power down');
    assert.match(out, /The system is going down NOW!\r\n[^]*Requesting system poweroff\r\n/);
    runUntil(sys, () => sys.emulator.vcpu(1).halted(), 100 * MS, MS);
    assert.equal(sys.emulator.vcpu(1).haltReason, 'PSCI SYSTEM_OFF');
    assert.match(sys.logs().join('\n'), /CLIENT_VMM-2\|INFO: Stopping guest\n.*CLIENT_VMM-2\|INFO: Stopped guest/);
    // The other guest runs on.
    command(sys, 0, '@0\r', '', MS);
    assert.match(command(sys, 0, 'echo still here\r', '# '), /still here/);
  });
});

describe('Linux guest model: device-tree driven boot outcomes', function () {
  this.timeout(20000);

  it('faults in the VMM on an enabled device whose registers are not mapped, naming the node', () => {
    const sys = dualSystem({ dtbs: [exampleDtb(1, '&uart1 { status = "okay"; };'), exampleDtb(2)] });
    runUntil(sys, () => sys.emulator.vcpu(0).halted() && sys.output[1].includes('login: '), 1_000 * MS);
    assert.ok(sys.emulator.vcpu(0).halted());
    const logs = sys.logs().join('\n');
    assert.match(logs, /client_linux-1: model: probing \/soc@0\/bus@30800000\/serial@30860000 \(fsl,imx8mq-uart\) at 0x30860000 with imx-uart/);
    assert.match(logs, /unexpected memory fault on address: 0x30860080, FSR: 0x[0-9a-f]+, IP: 0x0, is_prefetch: false, is_write: false/);
    assert.match(logs, /0x30860080 belongs to \/soc@0\/bus@30800000\/serial@30860000/);
    // The console never came up, so the guest printed nothing; the other guest is unaffected.
    assert.equal(sys.output[0], '');
    assert.match(sys.output[1], /login: $/);
  });

  it('probes only what its driver list has drivers for (a project can change the list)', () => {
    const enabledUart = exampleDtb(1, '&uart1 { status = "okay"; };');
    const withoutUart = DEFAULT_LINUX_DRIVERS.filter((d) => d.name !== 'imx-uart');
    const sys = dualSystem({ dtbs: [enabledUart, exampleDtb(2)], guestOptions: { drivers: withoutUart } });
    assert.ok(bootBoth(sys), 'with no UART driver the enabled UART is left alone');
    assert.doesNotMatch(sys.logs().join('\n'), /probing .*serial@30860000/);
    // A kernel without the GPC's irqchip driver cannot map guest 1's console interrupt (it goes through the GPC).
    const noGpc = dualSystem({ guestOptions: { drivers: driversForCompatibles([]) } });
    runUntil(noGpc, () => noGpc.guests[0]?.currentPhase === 'no-console' && noGpc.output[1].includes('login: '), 1_000 * MS);
    assert.match(
      noGpc.guests[0].dmesg(),
      /virtio-mmio 150000\.virtio-console: failed to get IRQ: no irqchip driver for \/soc@0\/bus@30000000\/gpc@303a0000 \(fsl,imx8mq-gpc\)/,
    );
    assert.equal(noGpc.output[0], '');
  });

  it('faults at the GPC when its registers are not mapped and the console inherits it', () => {
    const sys = dualSystem({ mapGpc: false });
    runUntil(sys, () => sys.emulator.vcpu(0).halted() && sys.output[1].includes('login: '), 1_000 * MS);
    assert.ok(sys.emulator.vcpu(0).halted());
    assert.match(sys.logs().join('\n'), /unexpected memory fault on address: 0x303a0030, .*is_write: true/);
    assert.match(sys.output[1], /login: $/, 'guest 2 routes its console to the GIC and disables the GPC');
  });

  it('stays silent after the early lines without console=hvc0', () => {
    const noHvc = exampleDtb(1, '/ { chosen { bootargs = "console=ttymxc0,115200 earlycon"; }; };');
    const silent = exampleDtb(2, '/ { chosen { bootargs = "nosmp"; }; };');
    const sys = dualSystem({ dtbs: [noHvc, silent] });
    runUntil(sys, () => sys.logs().filter((l) => l.includes('unable to open an initial console')).length === 2, 1_000 * MS);
    sys.emulator.runFor(100 * MS);
    assert.match(sys.output[0], /Kernel command line: console=ttymxc0,115200 earlycon\r\n/);
    assert.match(sys.output[0], /printk: bootconsole \[hvc0\] disabled\r\n$/);
    assert.doesNotMatch(sys.output[0], /login|Run \/init/);
    assert.equal(sys.output[1], '');
    assert.equal(sys.guests[0].currentPhase, 'no-console');
    assert.match(sys.guests[0].dmesg(), /Warning: unable to open an initial console\./);
  });

  it('takes its memory size from the DT memory node', () => {
    const small = exampleDtb(1, '/ { memory@40000000 { reg = <0x0 0x40000000 0x0 0x8000000>; }; };');
    const sys = dualSystem({ dtbs: [small, exampleDtb(2)] });
    assert.ok(bootBoth(sys));
    assert.match(sys.output[0], new RegExp(`Memory: ${(0x8000000 - KERNEL_RESERVED_BYTES) / 1024}K/131072K available`));
    command(sys, 0, 'root\r', '# ');
    assert.match(command(sys, 0, 'cat /proc/meminfo\r', '# '), new RegExp(`MemTotal: +${(0x8000000 - KERNEL_RESERVED_BYTES) / 1024} kB`));
    // Unknown users are refused after BusyBox login's delay; reboot reaches the VMM as SYSTEM_RESET,
    // which boots the guest again.
    command(sys, 0, 'exit\r', 'login: ');
    command(sys, 0, 'bob\r', 'Password: ');
    const t0 = sys.emulator.now();
    assert.match(command(sys, 0, 'hunter2\r', 'login: ', 4_000 * MS), /^\r\nLogin incorrect\r\n/);
    assert.ok(sys.emulator.now() - t0 >= 3_000 * MS);
    command(sys, 0, 'root\r', '# ');
    const kernels = sys.output[0].split('Run /init as init process').length;
    assert.match(command(sys, 0, 'reboot\r', 'reboot: Restarting system'), /Requesting system reboot/);
    const after = sys.output[0].length;
    assert.ok(
      runUntil(sys, () => sys.output[0].slice(after).includes('login: '), 2_000 * MS, MS),
      'no login prompt after reboot',
    );
    assert.equal(sys.output[0].split('Run /init as init process').length, kernels + 1, 'a fresh kernel boots');
    assert.equal(sys.emulator.vcpu(0).halted(), false);
    assert.match(sys.logs().join('\n'), /CLIENT_VMM-1: CLIENT_VMM-1\|INFO: Attempting to restart guest\n[^]*CLIENT_VMM-1\|INFO: Restarted guest/);
    assert.match(command(sys, 0, 'root\r', '# '), /# $/);
  });

  it('faults early when the DT promises more memory than the VM has', () => {
    const tooBig = exampleDtb(1, '/ { memory@40000000 { reg = <0x0 0x40000000 0x0 0x10000000>; }; };');
    const sys = dualSystem({ dtbs: [tooBig, exampleDtb(2)] });
    runUntil(sys, () => sys.emulator.vcpu(0).halted(), 500 * MS);
    assert.ok(sys.emulator.vcpu(0).halted());
    assert.match(sys.logs().join('\n'), /unexpected memory fault on address: 0x4ffff000, .*is_write: true/);
    assert.equal(sys.output[0], '');
  });

  it('halts cleanly on a DTB with a good magic and a broken body', () => {
    const broken = exampleDtb(1).slice(0, 64);
    new DataView(broken.buffer).setUint32(4, 64); // totalsize fits, offsets do not
    const sys = dualSystem({ dtbs: [broken, exampleDtb(2)] });
    runUntil(sys, () => sys.emulator.vcpu(0).halted() && sys.output[1].includes('login: '), 1_000 * MS);
    assert.ok(sys.emulator.vcpu(0).halted());
    assert.match(sys.logs().join('\n'), /client_linux-1: model: Error: invalid device tree blob at physical address 0x44000000: DTB structure block/);
  });

  it('stops a flood on a 115200-baud line: Ctrl-C gets through while the output is blocked', () => {
    const sys = dualSystem();
    assert.ok(bootBoth(sys));
    sys.emulator.setFast(false);
    command(sys, 0, 'root\r', '# ');
    sys.emulator.typeInput('yes\r');
    sys.emulator.runFor(300 * MS);
    const before = sys.output[0].length;
    // At 11,520 bytes/s the queues are full: the guest is blocked in its write, not spinning.
    assert.ok(sys.emulator.snapshot().guests[0].cpuNs < 250 * MS);
    command(sys, 0, '\x03', '^C\r\n# ', 2_000 * MS);
    // What was already in the sDDF queues still drains; the guest's own pending output was flushed.
    assert.ok(sys.output[0].length - before < 16 * 1024, `${sys.output[0].length - before} bytes after Ctrl-C`);
  });

  it('is deterministic: the same input gives the same bytes', () => {
    const transcript = (): string => {
      const sys = dualSystem();
      bootBoth(sys);
      sys.emulator.typeInput('root\r');
      sys.emulator.runFor(50 * MS);
      sys.emulator.typeInput('yes\r');
      sys.emulator.runFor(5 * MS);
      sys.emulator.typeInput('\x03cat /proc/interrupts\r');
      sys.emulator.runFor(50 * MS);
      return sys.uart();
    };
    assert.equal(transcript(), transcript());
  });

  it('gives the same bytes however the host cuts time into runFor calls', () => {
    // The extension runs the emulator in wall-clock frames and the CLI in other steps: what the
    // guests print (printk timestamps included) must not depend on it.
    const transcript = (step: number): string => {
      const sys = dualSystem();
      while (sys.emulator.now() < 400 * MS) sys.emulator.runFor(step);
      return sys.uart().slice(0, 6000);
    };
    const oneMs = transcript(1 * MS);
    assert.ok(oneMs.includes('login: '), oneMs);
    assert.equal(transcript(7.3 * MS), oneMs);
    assert.equal(transcript(100 * MS), oneMs);
  });
});

describe('Linux guest model: random typing', function () {
  this.timeout(30000);

  it('keeps answering whatever bytes arrive on its console', () => {
    const sys = dualSystem();
    assert.ok(bootBoth(sys));
    command(sys, 0, 'root\r', '# ');
    // Any byte but the serial switch character '@' (which would route keys to the other guest).
    const key = fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x40);
    fc.assert(
      fc.property(fc.array(key, { maxLength: 40 }), (bytes) => {
        sys.emulator.typeInput(Uint8Array.from(bytes));
        sys.emulator.runFor(20 * MS);
        assert.notEqual(sys.guests[0].currentPhase, 'halted', 'random typing stopped the guest');
      }),
      { numRuns: 40 },
    );
    // Whatever state the shell or getty is in, Ctrl-C and Enter bring a prompt back.
    sys.emulator.typeInput('\x03\r');
    assert.ok(
      runUntil(sys, () => /(# |login: )$/.test(sys.output[0]), 5_000 * MS, MS),
      JSON.stringify(sys.output[0].slice(-200)),
    );
    assert.doesNotMatch(sys.logs().join('\n'), /guest program failed/);
  });
});

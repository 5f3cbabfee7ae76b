// The default example with both VMMs real (libvmm 0.2.0 with the example's vmm.c, compiled to
// wasm32) against the model VMM: the same sessions put the same bytes on the serial line, printk
// stamps included (a real VMM is charged the model's costs: per trap, per byte, per virtqueue chain
// used), and end with the same indices in every sDDF queue and every virtio console queue.
import { strict as assert } from 'assert';
import { EXAMPLE_VMMS_REAL, describeReal, runSession, type SessionOptions, type Step } from './harness';

const line = (s: string): Step => ({ type: `${s}\r` });
const ms = (n: number): number => n * 1e6;
const VMMS: SessionOptions = { request: { components: EXAMPLE_VMMS_REAL } };

const SESSIONS: [string, Step[]][] = [
  ['boot only', []],
  ['log in to both guests', [line('root'), line('uname -a'), line('@1'), line('root'), line('pwd')]],
  ['switch back and forth', [line('root'), line('@1'), line('root'), line('@0'), line('echo zero'), line('@1'), line('echo one')]],
  ['flood from client 0 then Ctrl-C', [line('root'), { type: 'yes\r', runNs: ms(20) }, { type: '\x03' }]],
  ['a line longer than a queue (9000 bytes)', [line('root'), { type: `echo ${'x'.repeat(9000)}\r` }]],
  ['cat and dmesg', [line('root'), line('cat /proc/cpuinfo'), line('@1'), line('root'), line('dmesg')]],
  [
    'sleep on the virtual timer in both guests',
    [line('root'), { type: 'sleep 1\r', runNs: ms(1200) }, line('@1'), line('root'), { type: 'sleep 2\r', runNs: ms(2500) }, line('cat /proc/interrupts')],
  ],
];

describeReal("real VMM: libvmm and the example's vmm.c against the model VMM", function () {
  this.timeout(300_000);

  it("both guests reach a shell, with libvmm's own lines on the board's log", () => {
    const r = runSession(
      'real',
      [
        line('root'),
        line('echo one'),
        { type: 'sleep 1\r', runNs: ms(1200) },
        line('@1'),
        line('root'),
        line('echo two'),
        { type: 'sleep 1\r', runNs: ms(1200) },
      ],
      VMMS,
    );
    assert.ok(r.emulator.real?.vmmFaults.size === 2, 'both VMMs run as libvmm');
    assert.match(r.transcript, /client_linux-1 login: /);
    assert.match(r.transcript, /client_linux-2 login: /);
    assert.match(r.transcript, /# echo one\r\none\r\n# /);
    assert.match(r.transcript, /# echo two\r\ntwo\r\n# /);
    for (const vmm of ['CLIENT_VMM-1', 'CLIENT_VMM-2']) {
      assert.ok(r.logs.includes(`${vmm}: ${vmm}|INFO: initialised virtual GICv3 (distributor: 0x38800000, redistributor: 0x38880000)`), r.logs.join('\n'));
      assert.ok(
        r.logs.some((l) => l.startsWith(`${vmm}: ${vmm}|INFO: Copying guest DTB to GPA 0x44000000 (0x`)),
        r.logs.join('\n'),
      );
      assert.ok(r.logs.includes(`${vmm}: ${vmm}|INFO: starting guest at 0x40000000, DTB at 0x44000000, initial RAM disk at 0x44500000`));
      assert.ok(r.logs.includes(`${vmm}: ${vmm}|INFO: ${vmm} is ready`));
    }
    assert.ok(!r.logs.some((l) => /\|ERROR/.test(l)), r.logs.filter((l) => /ERROR/.test(l)).join('\n'));
    for (const i of [0, 1]) {
      // The virtual timer as on the board: VPPI events that libvmm injects into a list register, and
      // acks (unmasking the PPI) at the guest's end of each.
      const timer = r.emulator.vcpu(i).vgic.perIrq.get(27);
      assert.ok(timer && timer.injected >= 1, `guest ${i}: timer ticks through libvmm's vGIC: ${JSON.stringify(timer)}`);
      assert.equal(timer.acked, timer.delivered, `guest ${i}: every tick taken was ended`);
      assert.ok(timer.injected - timer.acked <= 1, `guest ${i}: at most one tick outstanding`);
    }
    r.emulator.resetGuest(0);
    assert.ok(r.emulator.logs().some((l) => l.text.includes("'client_linux-1' is not reset: its VMM is the real libvmm")));
    assert.equal(r.emulator.vcpu(0).state !== 'halted', true, 'the guest runs on');
  });

  for (const [name, steps] of SESSIONS) {
    it(name, () => {
      const model = runSession('model', steps);
      const real = runSession('real', steps, VMMS);
      assert.equal(real.transcript, model.transcript, 'the serial transcripts differ');
      assert.deepEqual(real.queues, model.queues, 'every sDDF queue ends at the same indices');
      assert.equal(real.virtqs.length, 4, 'both guests show their two virtqueues');
      assert.ok(
        real.virtqs.every((q) => / ready true .* idx \d+ .* idx \d+ /.test(q)),
        real.virtqs.join('\n'),
      );
      assert.deepEqual(real.virtqs, model.virtqs, 'every virtio console queue ends at the same place and indices');
      // The protocol checker watches libvmm's virtqueues too, and finds what it finds with the model.
      const findings = (r: typeof real): string[] => r.emulator.findings().map((f) => `${f.rule}: ${f.message}`);
      assert.deepEqual(findings(real), findings(model));
    });
  }
});

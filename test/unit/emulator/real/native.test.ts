// The native client example (examples/serial): two clients whose code is C compiled to WebAssembly,
// beside sDDF's real virtualisers. And a client that traps: the monitor's report names it, the
// other client goes on.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeReal, runSession } from './harness';

const SERIAL_EXAMPLE = path.resolve(__dirname, '../../../../examples/serial/dual-guest.json');

describeReal('real components: the native serial client example', function () {
  this.timeout(120_000);
  it('greets from both clients, counts received characters, and @1 switches to client1', () => {
    const r = runSession('real', [{ type: '0123456789' }, { type: '@1\r' }, { type: 'abcdefghij' }], { project: SERIAL_EXAMPLE });
    const t = r.transcript;
    assert.ok(t.includes('Hello world! I am client0.\r\nPlease give me character!\r\n'), t);
    assert.ok(t.includes('Hello world! I am client1.\r\n'));
    assert.ok(t.includes('0123456789\r\nclient0 has received 10 characters so far!\r\n'), t);
    assert.ok(t.includes('abcdefghij\r\nclient1 has received 10 characters so far!\r\n'), t);
    assert.ok(r.logs.includes('serial_virt_rx: VIRT_RX|LOG: switching to client 1'));
    assert.equal(r.emulator.snapshot().serial.currentClient, 1);
  });

  /** examples/serial with client0's code replaced by `notifiedBody`; client1 stays the example's. */
  const withFaultyClient0 = (notifiedBody: string, steps: Parameters<typeof runSession>[1]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dual-guest-trap-'));
    try {
      fs.copyFileSync(path.resolve(__dirname, '../../../../examples/serial/serial.system'), path.join(dir, 'serial.system'));
      fs.writeFileSync(
        path.join(dir, 'trap.c'),
        [
          '#include <os/sddf.h>',
          '#include <sddf/serial/config.h>',
          '__attribute__((__section__(".serial_client_config"))) serial_client_config_t config;',
          'void init(void) { if (!serial_config_check_magic(&config)) __builtin_trap(); }',
          `void notified(sddf_channel ch) { (void)ch; ${notifiedBody} }`,
          '',
        ].join('\n'),
      );
      const project = JSON.parse(fs.readFileSync(SERIAL_EXAMPLE, 'utf8'));
      project.pds.client0.sources = ['trap.c'];
      project.pds.client1.sources = [path.resolve(__dirname, '../../../../examples/serial/client.c')];
      fs.writeFileSync(path.join(dir, 'dual-guest.json'), JSON.stringify(project));
      return runSession('real', steps, { project: path.join(dir, 'dual-guest.json') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('a client that traps is reported as the monitor reports a PD fault, and the other client still answers', () => {
    const r = withFaultyClient0('__builtin_trap();', [{ type: 'x' }, { type: '@1\r' }, { type: 'still here' }]);
    assert.ok(r.logs.includes('MON: MON|ERROR: faulting PD: client0'), r.logs.join('\n'));
    assert.ok(r.logs.includes('MON: MON|ERROR: UserException'));
    assert.ok(r.logs.some((l) => l.includes('WebAssembly trap: unreachable')));
    assert.ok(r.emulator.snapshot().pds.find((p) => p.name === 'client0')!.faulted);
    assert.ok(r.transcript.includes('still here\r\nclient1 has received 10 characters so far!'), r.transcript);
  });

  it('an out-of-bounds store is a VM fault', () => {
    const r = withFaultyClient0('*(volatile char *)0xfffffff0 = 1;', [{ type: 'x' }]);
    assert.ok(r.logs.includes('MON: MON|ERROR: faulting PD: client0'), r.logs.join('\n'));
    assert.ok(r.logs.some((l) => l.startsWith('MON: MON|ERROR: received message 0x6 ')));
    assert.ok(
      r.logs.some((l) => l.includes('description of fault: WebAssembly trap: memory access out of bounds')),
      r.logs.join('\n'),
    );
  });

  it('a client that spins forever in a handler is stopped with a message, and the other client still answers', () => {
    const r = withFaultyClient0('for (;;) { __asm__ volatile("" ::: "memory"); }', [{ type: 'x' }, { type: '@1\r' }, { type: 'still here' }]);
    assert.ok(r.logs.includes('MON: MON|ERROR: faulting PD: client0'), r.logs.join('\n'));
    assert.ok(
      r.logs.some((l) => l.includes("'client0' spun for")),
      r.logs.join('\n'),
    );
    assert.ok(r.transcript.includes('still here\r\nclient1 has received 10 characters so far!'), r.transcript);
  });
});

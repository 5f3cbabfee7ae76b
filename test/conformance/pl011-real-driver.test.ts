// sDDF's PL011 driver (drivers/serial/arm/uart.c, compiled to wasm32) on the corpus's QEMU
// two-client system against the PL011 driver model, with the real virt_rx and virt_tx: the same
// bytes on the serial line and the same indices in every queue.
import { strict as assert } from 'assert';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Pl011Uart } from '../../src/emulator/devices/uart-pl011';
import { RealPd } from '../../src/emulator/real/real-pd';
import { describeReal, runSession, type Step } from '../unit/emulator/real/harness';
import { corpusPath } from './corpus';

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pl011-real-'));
  const c = (...p: string[]): string => corpusPath('libvmm-virtio-two-clients', ...p);
  const tree = (vm: string): string[] => [c('client_vm_1', 'dts', 'linux.dts'), c(vm, 'dts', 'init.dts'), c(vm, 'dts', 'virtio.dts')];
  const json = {
    system: c('virtio.system'),
    components: { uart_driver: 'real', serial_virt_rx: 'real', serial_virt_tx: 'real' },
    guests: {
      'client_linux-1': { dts: tree('client_vm_1'), virtio: { base: '0x130000' } },
      'client_linux-2': { dts: tree('client_vm_2'), virtio: { base: '0x130000' } },
      blk_driver_linux: { boot: false },
    },
  };
  writeFileSync(path.join(dir, 'dual-guest.json'), JSON.stringify(json));
  return path.join(dir, 'dual-guest.json');
}

describeReal("conformance: sDDF's PL011 driver on QEMU virt against the model", function () {
  this.timeout(300_000);
  const steps: Step[] = [{ type: 'root\r' }, { type: '\x1c1\r' }, { type: 'root\r' }, { type: 'uname -n\r' }, { type: 'yes\r', runNs: 20e6 }, { type: '\x03' }];
  for (const paced of [false, true]) {
    it(paced ? 'paced at 115200 baud' : 'unpaced', () => {
      const file = project();
      const real = runSession('real', steps, { project: file, paced });
      const model = runSession('model', steps, { project: file, paced, request: { components: 'model' } });
      assert.ok(real.emulator.uart instanceof Pl011Uart);
      assert.ok(real.emulator.kernel.pds.get('uart_driver')!.program instanceof RealPd, 'the driver runs its C code');
      assert.ok(real.transcript.includes('client_linux-2\r\n'), real.transcript.slice(-300));
      assert.ok(real.transcript === model.transcript, 'the serial transcripts differ');
      assert.deepEqual(real.queues, model.queues);
    });
  }
});

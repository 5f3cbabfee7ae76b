// The project file written from what was inferred (the quick fix's content): the trees found, the
// console read from the guest's tree, the serial configuration and roles; loadProject reads it back
// without a word and to the same project.

import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { compileGuestTrees, inferredProjectText, loadProject } from '../../../src/system';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const TREE = `/dts-v1/;
/ {
  #address-cells = <2>;
  #size-cells = <2>;
  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0xf000000>; };
  virtio-console@130000 { compatible = "virtio,mmio"; reg = <0x0 0x130000 0x0 0x200>; interrupts = <0x0 40 0x4>; };
  virtio_blk@150000 { compatible = "virtio,mmio"; reg = <0x0 0x150000 0x0 0x10000>; interrupts = <0x0 43 0x4>; };
};
`;

describe('the project file written from what was inferred', () => {
  it('names the trees found, the console the tree gives, the roles; and reads back the same', () => {
    const host = new MemoryFileHost({ '/p/sys/x.system': EXAMPLE, '/p/sys/client_vm_1/dts/linux.dts': TREE });
    const project = loadProject('/p/sys/x.system', host);
    const trees = new Map([...compileGuestTrees(project, host)].map(([vm, r]) => [vm, r.tree]));
    const text = inferredProjectText(project, '/p/sys/dual-guest.json', trees);
    assert.deepStrictEqual(JSON.parse(text), {
      system: 'x.system',
      serial: { switchChar: 28, clientBase: 0, colour: false, beginString: 'Begin input\r\n', baud: 115200 },
      roles: { uartDriver: 'uart_driver', rxVirtualiser: 'serial_virt_rx', txVirtualiser: 'serial_virt_tx', clients: ['CLIENT_VMM-1', 'CLIENT_VMM-2'] },
      guests: {
        'client_linux-1': { dts: ['client_vm_1/dts/linux.dts'], virtio: { base: '0x130000', size: '0x200', spi: 40 }, dtbAddr: '0x44000000' },
        // No tree found: an empty list to fill in (the console's window is libvmm's default until then).
        'client_linux-2': { dts: [], virtio: { base: '0x150000', size: '0x200', spi: 42 }, dtbAddr: '0x44000000' },
      },
    });
    host.set('/p/sys/dual-guest.json', text);
    const back = loadProject('/p/sys/dual-guest.json', host);
    assert.deepStrictEqual(back.diagnostics, []);
    assert.deepStrictEqual(
      back.guests.map((g) => [g.vm, g.dtFiles, g.virtio, g.dtbAddr]),
      project.guests.map((g, i) => [g.vm, g.dtFiles, i === 0 ? { base: 0x130000, size: 0x200, spi: 40 } : g.virtio, g.dtbAddr]),
    );
  });

  it('a printable switch character is written as the character, a VM left out keeps "boot": false', () => {
    const host = new MemoryFileHost({
      '/p/x.system': EXAMPLE,
      '/p/x.json': '{ "serial": { "switchChar": "@" }, "guests": { "client_linux-2": { "boot": false } } }',
    });
    const json = JSON.parse(inferredProjectText(loadProject('/p/x.system', host), '/p/other.json', new Map()));
    assert.strictEqual(json.serial.switchChar, '@');
    assert.strictEqual(json.guests['client_linux-2'].boot, false);
  });
});

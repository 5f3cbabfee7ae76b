// sDDF serial configuration: terminate_num_char configurable (sdfgen's terminate_num_char, virt_rx.c:67
// at 650ace5), and the room the driver's TX data region needs with colour on (virt_tx.c:86-102).
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { loadProject } from '../../../src/system/project';
import { VirtRx } from '../../../src/emulator/pds/virt-rx';
import { SerialQueue } from '../../../src/emulator/queue';
import type { PdContext } from '../../../src/emulator/kernel';
import { assertDiagnostics } from './helpers';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const SYS = '/p/dual-guest.system',
  JSONF = '/p/dual-guest.json';

const load = (system: string, json?: object) => loadProject(SYS, new MemoryFileHost({ [SYS]: system, ...(json ? { [JSONF]: JSON.stringify(json) } : {}) }));

describe('sDDF serial configuration', () => {
  it('terminateNumChar comes from the project file (one character or a byte), default "\\r"', () => {
    assert.equal(load(EXAMPLE).serial.terminateNumChar, 0x0d);
    assert.equal(load(EXAMPLE, { serial: { terminateNumChar: '#' } }).serial.terminateNumChar, 0x23);
    assert.equal(load(EXAMPLE, { serial: { terminateNumChar: 10 } }).serial.terminateNumChar, 10);
    const bad = load(EXAMPLE, { serial: { terminateNumChar: 'ab' } });
    assert.ok(bad.diagnostics.some((d) => d.code === 'project-schema' && d.message.startsWith("'terminateNumChar' must be one character")));
  });

  it('virt_rx ends the client number with the configured terminate_num_char', () => {
    const q = (): SerialQueue => new SerialQueue(new Uint8Array(12), new Uint8Array(64), 64);
    const drv = q(),
      clients = [q(), q()];
    const logs: string[] = [];
    const ctx: PdContext = {
      name: 'rx',
      notify: () => undefined,
      irqAck: () => undefined,
      ppcall: () => undefined,
      charge: () => undefined,
      log: (t) => logs.push(t),
      now: () => 0,
    };
    const rx = new VirtRx(ctx, drv, clients, 0, [1, 2], { switchChar: 0x40, clientBase: 0, terminateNumChar: 0x23 });
    drv.enqueueBytes(Uint8Array.from('@1#x', (c) => c.charCodeAt(0)));
    rx.notified(0);
    assert.equal(rx.current, 1);
    assert.deepEqual(Array.from(clients[1].peekAll()), [0x78]);
    assert.deepEqual(logs, ['VIRT_RX|LOG: switching to client 1']);
  });

  it("with colour on, warns on the driver's TX data region when a client's whole queue and the colour codes do not fit", () => {
    const on = { serial: { colour: true } };
    const text = EXAMPLE;
    assertDiagnostics(
      SYS,
      text,
      load(text, on)
        .diagnostics.filter((d) => d.code === 'sddf-serial-colour-room')
        .slice(0, 1),
      [
        {
          severity: 'warning',
          code: 'sddf-serial-colour-room',
          at: '0x2000',
          in: '<memory_region name="tx_data_serial_driver" size="0x2000"',
          message:
            "with colour on, the driver's TX data region 'tx_data_serial_driver' (0x2000 bytes) must hold 'CLIENT_VMM-1''s whole TX data region 'tx_data_serial_vmm_1' (0x2000) plus 9 bytes of colour codes; virt_tx never moves a fuller queue",
        },
      ],
    );
    assert.deepEqual(
      load(text).diagnostics.filter((d) => d.code === 'sddf-serial-colour-room'),
      [],
      'colour off',
    );
    const bigger = text.replace('<memory_region name="tx_data_serial_driver" size="0x2000"', '<memory_region name="tx_data_serial_driver" size="0x4000"');
    assert.deepEqual(
      load(bigger, on).diagnostics.filter((d) => d.code === 'sddf-serial-colour-room'),
      [],
    );
  });
});

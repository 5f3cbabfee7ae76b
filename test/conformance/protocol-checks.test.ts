// The live protocol checker (src/emulator/protocol) on the systems users have: the default example
// and the corpus systems that boot, with both guests flooding their consoles (`yes`) in fast mode and
// at 115200 baud, typing and switching on the way. A finding here is a false alarm.
import { strict as assert } from 'assert';
import * as path from 'path';
import { bootProject } from '../../src/emulator/from-project';
import { NodeFileHost } from '../../src/node/file-host';
import { loadProject } from '../../src/system/index';
import { corpusPath } from './corpus';

const MS = 1_000_000;
const SYSTEMS = [path.resolve(__dirname, '..', '..', 'examples', 'dual-guest', 'dual-guest.json'), corpusPath('sel4devkit-dual', 'program.system')];

describe('protocol checks: no finding on the example and corpus systems, under floods', function () {
  this.timeout(600_000);
  for (const file of SYSTEMS) {
    for (const fast of [true, false]) {
      it(`${path.basename(path.dirname(file))} (${fast ? 'fast' : '115200 baud'})`, () => {
        const host = new NodeFileHost();
        const project = loadProject(file, host);
        const { emulator: emu, diagnostics } = bootProject(project, { host });
        assert.ok(emu, diagnostics.map((d) => d.message).join('\n'));
        assert.ok(emu.checker, 'the checker is on by default');
        emu.runFor(1500 * MS);
        emu.setFast(fast);
        const sw = String.fromCharCode(project.serial.switchChar);
        for (const input of ['root\r', 'yes\r', `${sw}1\r`, 'root\r', 'yes\r']) {
          emu.typeInput(input);
          emu.runFor(100 * MS);
        }
        emu.runFor(2000 * MS);
        for (const input of ['\x03', `${sw}0\r`, '\x03', 'cat /proc/interrupts\r']) {
          emu.typeInput(input);
          emu.runFor(200 * MS);
        }
        emu.runFor(1500 * MS);
        assert.ok(emu.snapshot().serial.uartTxBytes > 10_000, 'the guests flooded');
        assert.deepEqual(emu.findings(), []);
      });
    }
  }
});

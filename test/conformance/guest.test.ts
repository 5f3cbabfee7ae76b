// The guest side against real inputs and the real dtc: the FDT reader on every DTB dtc builds from
// its own test inputs (read back, then written again byte for byte), the example device trees
// (dtc-clean, and our compiler's DTB equal to dtc's), and the real sel4devkit MaaXBoard tree +
// overlay booting the Linux model to a login prompt on both guests.
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { readFdt } from '../../src/devicetree/fdt-reader';
import { writeDtb } from '../../src/devicetree/compile';
import { bootBoth, dualSystem, exampleDtb, EXAMPLE_DIR } from '../unit/emulator/guest-harness';
import { corpusPath } from './corpus';

/** dtc on the concatenation of files (as the real build appends overlays); stderr must be checked by the caller. */
function dtc(files: string[], includeDir?: string): { dtb?: Uint8Array; stderr: string } {
  const input = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  const args = ['-I', 'dts', '-O', 'dtb', ...(includeDir ? ['-i', includeDir] : []), '-'];
  const r = spawnSync('dtc', args, { input, timeout: 10000 });
  return { dtb: r.status === 0 ? new Uint8Array(r.stdout) : undefined, stderr: r.stderr.toString() };
}

describe('guest conformance', function () {
  this.timeout(120000);

  it('reads back every DTB dtc 1.6.1 builds from its test inputs, and writes it again byte for byte', () => {
    const dir = corpusPath('dtc-tests');
    let compared = 0;
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.dts'))
      .sort()) {
      let dtb: Buffer;
      try {
        // dtc hangs on phandle-args-overflow and crashes on a few others: a timeout and a failed run skip the input.
        dtb = execFileSync('dtc', ['-I', 'dts', '-O', 'dtb', '-i', dir, path.join(dir, f)], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
      } catch {
        continue;
      }
      const r = readFdt(new Uint8Array(dtb));
      assert.ok('tree' in r, `${f}: ${'error' in r ? r.error : ''}`);
      assert.ok(Buffer.from(writeDtb(r.tree)).equals(dtb), `${f}: the DTB written from the tree read back differs from dtc's`);
      compared++;
    }
    // The corpus README: dtc 1.6.1 compiles 110 of the 152 inputs.
    assert.equal(compared, 110);
  });

  for (const guest of [1, 2] as const) {
    it(`example guest ${guest}: dtc compiles board.dts + guest-${guest}.dts without warnings, to the same bytes as our compiler`, () => {
      const r = dtc([path.join(EXAMPLE_DIR, 'board.dts'), path.join(EXAMPLE_DIR, `guest-${guest}.dts`)]);
      assert.equal(r.stderr, '');
      assert.ok(r.dtb);
      assert.ok(Buffer.from(exampleDtb(guest)).equals(Buffer.from(r.dtb)));
    });
  }

  it('boots the real sel4devkit MaaXBoard tree + overlay to a login prompt on both guests', () => {
    const r = dtc([corpusPath('sel4devkit-dual', 'maaxboard.dts'), corpusPath('sel4devkit-dual', 'maaxboard-overlay.dts')]);
    assert.ok(r.dtb, r.stderr);
    const sys = dualSystem({ dtbs: [r.dtb, r.dtb] });
    assert.ok(bootBoth(sys), JSON.stringify(sys.output));
    for (const out of sys.output) {
      assert.match(out, /Machine model: Avnet MaaXBoard\r\n/);
      assert.match(out, /ttyHVC0 at MMIO 0x150000 \(irq = 74\) is a virtio console/);
    }
    // The console inherits the root's interrupt-parent, the GPC, which is why the real system maps it.
    assert.match(sys.logs().join('\n'), /client_linux-2: model: \/soc@0\/bus@30000000\/gpc@303a0000: unmasking hwirq 42/);
    // ...and without the gpc mapping both guests fault there, before their consoles come up.
    const unmapped = dualSystem({ dtbs: [r.dtb, r.dtb], mapGpc: false });
    unmapped.emulator.runFor(500_000_000);
    assert.ok(unmapped.emulator.vcpu(0).halted() && unmapped.emulator.vcpu(1).halted());
    assert.deepEqual(unmapped.output, ['', '']);
    assert.match(unmapped.logs().join('\n'), /unexpected memory fault on address: 0x303a0030/);
  });
});

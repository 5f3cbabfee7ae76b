// The driver list read from the user's kernel image (`guests.<vm>.kernel`): the compatibles its
// of_match tables carry as NUL-terminated text decide what the linter reports and what the
// emulated kernel probes. On a synthetic arm64 Image.

import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { createEmulator } from '../../../src/emulator/emulator';
import { emulatorConfigFromProject } from '../../../src/emulator/from-project';
import { scanKernelImage } from '../../../src/emulator/guest/linux/kernel-image';
import { lintSystemFile, loadProject } from '../../../src/system';
import { exampleFiles } from './helpers';

/** An arm64 Image: the 64-byte header with its magic, code-like bytes, and `strings` as an of_match table would lay them out. */
function image(strings: string[], magic = true): Uint8Array {
  const header = new Uint8Array(64);
  if (magic) header.set([0x41, 0x52, 0x4d, 0x64], 0x38);
  const code = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) & 0xff);
  const table = new TextEncoder().encode(`\0${strings.join('\0')}\0`);
  const out = new Uint8Array(header.length + code.length + table.length + code.length);
  out.set(header, 0);
  out.set(code, header.length);
  out.set(table, header.length + code.length);
  out.set(code, header.length + code.length + table.length);
  return out;
}

describe('kernel image: the compatibles its drivers carry', () => {
  it('finds NUL-terminated compatible strings and nothing that is not one', () => {
    const scan = scanKernelImage(image(['fsl,imx8mq-tmu', 'snps,dwc3', 'not a compatible', 'fsl,imx8mq-uart']));
    assert.ok('compatibles' in scan);
    for (const c of ['fsl,imx8mq-tmu', 'snps,dwc3', 'fsl,imx8mq-uart']) assert.ok(scan.compatibles.has(c), c);
    assert.ok(!scan.compatibles.has('not a compatible'));
    assert.ok(![...scan.compatibles].some((s) => s.includes(' ')));
  });

  it('refuses a compressed image and a file that is not a kernel', () => {
    const gz = image(['fsl,imx8mq-tmu']);
    gz.set([0x1f, 0x8b], 0);
    assert.match((scanKernelImage(gz) as { error: string }).error, /gzip/);
    assert.match((scanKernelImage(image(['fsl,imx8mq-tmu'], false)) as { error: string }).error, /neither an arm64 Linux Image/);
  });

  describe('on the example project', () => {
    const example = exampleFiles('/p');
    // A TMU and a second UART in the base, neither disabled nor mapped.
    const board = example['/p/board.dts']
      .replace(
        '\t\t\tgpc: gpc@303a0000 {',
        '\t\t\ttmu@30260000 {\n\t\t\t\tcompatible = "fsl,imx8mq-tmu";\n\t\t\t\treg = <0x30260000 0x10000>;\n\t\t\t};\n\n\t\t\tgpc: gpc@303a0000 {',
      )
      .replace(
        '\t\t\ti2c1: i2c@30a20000 {',
        '\t\t\tserial@30890000 {\n\t\t\t\tcompatible = "fsl,imx8mq-uart", "fsl,imx6q-uart";\n\t\t\t\treg = <0x30890000 0x10000>;\n\t\t\t};\n\n\t\t\ti2c1: i2c@30a20000 {',
      );
    const json = JSON.parse(example['/p/dual-guest.json']);
    json.guests['client_linux-1'].kernel = 'Image';
    json.guests['client_linux-2'].kernel = 'Image';
    // This kernel drives the TMU and the GPC, and has no UART driver.
    const files = {
      ...example,
      '/p/board.dts': board,
      '/p/dual-guest.json': JSON.stringify(json),
      '/p/Image': image(['fsl,imx8mq-gpc', 'fsl,imx8mq-tmu', 'arm,gic-v3']),
    };

    it('the lint reports what the image drives and hints at what it does not', () => {
      const host = new MemoryFileHost(files);
      const found = lintSystemFile('/p/dual-guest.system', host).filter((d) => d.code?.startsWith('guest-dt-unmapped'));
      assert.deepEqual(
        found.map((d) => [d.severity, d.code, d.subject]),
        [
          ['error', 'guest-dt-unmapped-device', '/soc@0/bus@30000000/tmu@30260000'],
          ['info', 'guest-dt-unmapped-no-driver', '/soc@0/bus@30800000/serial@30890000'],
        ],
      );
      assert.match(found[1].message, /the guest's kernel image has no driver for "fsl,imx8mq-uart", "fsl,imx6q-uart", so nothing probes it$/);
    });

    it('the emulated kernel probes the same: it faults at the TMU', () => {
      const host = new MemoryFileHost(files);
      const { config, diagnostics } = emulatorConfigFromProject(loadProject('/p/dual-guest.json', host), { host });
      assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
      const emulator = createEmulator(config).emulator!;
      emulator.runFor(500_000_000);
      assert.deepEqual(
        emulator.snapshot().guests.map((g) => g.haltReason),
        ['unexpected memory fault at 0x30260000', 'unexpected memory fault at 0x30260000'],
      );
    });

    it('a compressed image is a warning at the key, and the default list applies', () => {
      const gz = image([]);
      gz.set([0x1f, 0x8b], 0);
      const host = new MemoryFileHost({ ...files, '/p/Image': gz });
      const diags = lintSystemFile('/p/dual-guest.system', host);
      const warning = diags.filter((d) => d.code === 'project-schema');
      assert.equal(warning.length, 2);
      assert.match(warning[0].message, /^kernel image 'Image' cannot tell its drivers: it is gzip-compressed/);
      assert.deepEqual(
        diags.filter((d) => d.code?.startsWith('guest-dt-unmapped')).map((d) => [d.severity, d.subject]),
        [
          ['info', '/soc@0/bus@30000000/tmu@30260000'],
          ['error', '/soc@0/bus@30800000/serial@30890000'],
        ],
      );
    });
  });
});

// Protocol-level tests of the trees the server guesses for files no project names (a base with several
// headerless overlays beside it, as libvmm's linux.dts + init.dts + virtio.dts), and of navigation on
// dtc's own `/include/ "file"`. Fixtures are written to a temporary folder.
import { strict as assert } from 'assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { TestClient } from './client';

const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-contexts-'));
const LINUX = path.join(dir, 'linux.dts');
const GIC = path.join(dir, 'gic.dts');
const INIT = path.join(dir, 'init.dts');
const VIRTIO = path.join(dir, 'virtio.dts');

// The base #includes a headerless sibling: that one is part of the base, not an overlay.
const LINUX_TEXT = `/dts-v1/;
#include "gic.dts"
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    memory@40000000 {
        device_type = "memory";
        reg = <0x0 0x40000000 0x0 0x10000000>;
    };
    chosen {
        bootargs = "console=ttyAMA0";
    };
};
`;
const GIC_TEXT = `/ {
    gic: interrupt-controller@8000000 {
        compatible = "arm,cortex-a15-gic";
        reg = <0x0 0x8000000 0x0 0x10000>;
        interrupt-controller;
        #interrupt-cells = <3>;
        #address-cells = <0>;
    };
};
`;
// init.dts names the console that virtio.dts adds: only one tree of all three resolves the label.
const INIT_TEXT = `/ {
    /delete-node/ chosen;
    chosen {
        stdout-path = &vcon;
        bootargs = "console=hvc0";
    };
};
`;
const VIRTIO_TEXT = `/ {
    vcon: virtio-console@130000 {
        compatible = "virtio,mmio";
        reg = <0x0 0x130000 0x0 0x200>;
        interrupt-parent = <&gic>;
        interrupts = <0 42 4>;
    };
};
`;

const SUB = path.join(dir, 'sub');
const TOP = path.join(SUB, 'top.dts');
const PART = path.join(SUB, 'part.dtsi');
const TOP_TEXT = `/dts-v1/;
/ {
    compatible = "test,board";
};
/include/ "part.dtsi"
/include/ "missing.dtsi"
`;
const PART_TEXT = `/ {
    model = "part";
};
`;

describe('server: guessed trees and /include/', function () {
  this.timeout(20000);
  let client: TestClient;
  before(async () => {
    writeFileSync(LINUX, LINUX_TEXT);
    writeFileSync(GIC, GIC_TEXT);
    writeFileSync(INIT, INIT_TEXT);
    writeFileSync(VIRTIO, VIRTIO_TEXT);
    mkdirSync(SUB);
    writeFileSync(TOP, TOP_TEXT);
    writeFileSync(PART, PART_TEXT);
    client = await TestClient.start();
  });
  after(async () => client.stop());

  const contexts = (): Promise<{ files: string[]; origin: string }[]> => client.request('microkitDualGuest/contexts', {});

  it('builds one tree of a base and every headerless overlay beside it, init.dts first', async () => {
    await client.open(VIRTIO, VIRTIO_TEXT);
    assert.deepEqual(
      (await contexts()).map((c) => [c.files, c.origin]),
      [[[LINUX, INIT, VIRTIO], 'guess']],
    );
    // The overlays see each other's labels (init.dts refers to virtio.dts's vcon): no false error.
    for (const f of [LINUX, GIC, INIT, VIRTIO])
      assert.deepEqual(
        client.diagnostics(f).filter((d) => d.severity === 1),
        [],
        f,
      );
  });

  it('keeps that one tree when the other overlay and the base are opened', async () => {
    await client.open(INIT, INIT_TEXT);
    await client.open(LINUX, LINUX_TEXT);
    assert.deepEqual(
      (await contexts()).map((c) => c.files),
      [[LINUX, INIT, VIRTIO]],
    );
    assert.deepEqual(
      client.diagnostics(INIT).filter((d) => d.severity === 1),
      [],
    );
  });

  it('reports a real mistake in one overlay against the whole tree', async () => {
    await client.change(VIRTIO, VIRTIO_TEXT.replace('vcon:', 'console:'));
    const errors = client.diagnostics(INIT).filter((d) => d.severity === 1);
    assert.equal(errors.length, 1, JSON.stringify(client.diagnostics(INIT)));
    assert.match(errors[0].message, /vcon/);
    assert.equal(errors[0].range.start.line, 3);
    await client.change(VIRTIO, VIRTIO_TEXT);
    assert.deepEqual(
      client.diagnostics(INIT).filter((d) => d.severity === 1),
      [],
    );
  });

  it('reads a file again after it changed on disk (nothing read in one refresh is kept for the next)', async () => {
    writeFileSync(GIC, GIC_TEXT.replace('#interrupt-cells = <3>;', '#interrupt-cells = <3>;\n        broken = <&nolabel>;'));
    await client.filesChanged([GIC]);
    assert.ok(
      client.diagnostics(GIC).some((d) => d.severity === 1 && d.message.includes('nolabel')),
      JSON.stringify(client.diagnostics(GIC)),
    );
    writeFileSync(GIC, GIC_TEXT);
    await client.filesChanged([GIC]);
    assert.deepEqual(
      client.diagnostics(GIC).filter((d) => d.severity === 1),
      [],
    );
  });

  it('clears the diagnostics of a file whose last tree is dropped, and keeps the others', async () => {
    const lone = path.join(SUB, 'lone.dts');
    const text = '/dts-v1/;\n/ {\n    x = <&nowhere>;\n};\n';
    writeFileSync(lone, text);
    await client.open(lone, text);
    assert.equal(client.diagnostics(lone).filter((d) => d.severity === 1).length, 1);
    const before = client.diagnostics(LINUX);
    await client.close(lone);
    assert.deepEqual(client.diagnostics(lone), []);
    assert.deepEqual(client.diagnostics(LINUX), before);
  });

  it('goes to the file an /include/ reads, and hovers its path', async () => {
    await client.open(TOP, TOP_TEXT);
    const line = 4;
    for (const col of [0, 12]) {
      const defs = await client.definition(TOP, line, col);
      assert.deepEqual(
        defs?.map((d) => [d.uri, d.range.start.line]),
        [[`file://${PART}`, 0]],
        `column ${col}`,
      );
    }
    const hover = await client.hover(TOP, line, 12);
    assert.ok(hover && JSON.stringify(hover.contents).includes(PART), JSON.stringify(hover));
    // A missing file: an error on the directive, and nowhere to go.
    assert.deepEqual(await client.definition(TOP, 5, 12), []);
    assert.ok(client.diagnostics(TOP).some((d) => d.severity === 1 && d.range.start.line === 5 && d.message.includes('missing.dtsi')));
    // Outside the directive: not an include.
    assert.deepEqual(await client.definition(TOP, 0, 2), []);
  });
});

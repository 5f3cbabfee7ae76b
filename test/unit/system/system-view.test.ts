// The system view's facts: scheduling, channels, IRQs, each PD's address space as Microkit 2.3 lays
// it out (IPC buffer at the top page, a guard page, the stack below), setvars, and physical placement.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { parseSystem } from '../../../src/system/parse';
import { pdAddressSpace, systemView, userTop, type ViewDomain } from '../../../src/system/system-view';

const EXAMPLE = path.join(__dirname, '../../../examples/dual-guest/dual-guest.system');

function view(text: string, options = {}) {
  return systemView(parseSystem('/w/s.system', text).model, options);
}

function domain(v: { domains: ViewDomain[] }, name: string): ViewDomain {
  const d = v.domains.find((x) => x.name === name);
  assert.ok(d, `no domain ${name}`);
  return d;
}

const SMALL = `<system>
  <memory_region name="dev" size="0x1000" phys_addr="0x9000000" />
  <memory_region name="dev_alias" size="0x1000" phys_addr="0x9000000" />
  <memory_region name="buf" size="0x4000" />
  <memory_region name="dma" size="0x2000" />
  <protection_domain name="client" priority="10" budget="200" period="500" passive="true" stack_size="0x4000" cpu="1">
    <program_image path="client.elf" />
    <map mr="buf" vaddr="0x2000000" perms="r" setvar_vaddr="buf_vaddr" setvar_size="buf_size" />
    <map mr="dma" vaddr="0x2002000" perms="rw" cached="false" />
    <map mr="missing" vaddr="0x3000000" />
    <setvar symbol="dma_paddr" region_paddr="dma" />
  </protection_domain>
  <protection_domain name="server" priority="20">
    <program_image path="server.elf" />
    <map mr="dev" vaddr="0x1000000" perms="rw" cached="false" />
    <irq irq="33" id="3" trigger="edge" />
  </protection_domain>
  <channel><end pd="client" id="0" pp="true" notify="false" /><end pd="server" id="1" /></channel>
</system>`;

describe('system view', () => {
  it('places the IPC buffer at the top page, a guard page below, then the stack (Microkit 2.3)', () => {
    assert.strictEqual(userTop('aarch64'), 0xffffffffff);
    const as = pdAddressSpace(userTop('aarch64'), 0x4000);
    assert.deepStrictEqual(as, { ipcBuffer: 0xfffffff000, stackTop: 0xffffffe000, stackBottom: 0xffffffa000, mapLimit: 0xffffffa000 });
    assert.strictEqual(pdAddressSpace(userTop('aarch64', 44), 0x1000).ipcBuffer, 0xffffffff000);
    assert.strictEqual(pdAddressSpace(userTop('riscv64'), 0x1000).ipcBuffer, 0x3ffffff000);
    assert.strictEqual(pdAddressSpace(userTop('x86_64'), 0x2000).stackBottom, 0x7fffffffc000);
  });

  it("lays out each PD's virtual memory: maps by address, then stack, guard page and IPC buffer", () => {
    const client = domain(view(SMALL), 'client');
    assert.deepStrictEqual(
      client.space.map((s) => [s.kind, s.label, s.start, s.end]),
      [
        ['map', 'buf', 0x2000000, 0x2004000],
        ['map', 'dma', 0x2002000, 0x2004000],
        ['map', 'missing', 0x3000000, 0x3001000],
        ['stack', 'stack', 0xffffffa000, 0xffffffe000],
        ['guard', 'guard page', 0xffffffe000, 0xfffffff000],
        ['ipc', 'IPC buffer', 0xfffffff000, 0x10000000000],
      ],
    );
    const [buf, dma, missing] = client.space;
    assert.deepStrictEqual([buf.perms, buf.cached, buf.setvars, buf.overlaps], ['r', true, ['buf_vaddr', 'buf_size'], true]);
    assert.deepStrictEqual([dma.perms, dma.cached, dma.overlaps], ['rw', false, true]);
    assert.deepStrictEqual([missing.unknownRegion, missing.overlaps], [true, false]);
    assert.ok(client.space.slice(3).every((s) => !s.overlaps));
  });

  it('gives scheduling, CPUs, IRQs and setvars with the values the tool writes', () => {
    const v = view(SMALL);
    const client = domain(v, 'client');
    assert.deepStrictEqual(
      [client.priority, client.budget, client.period, client.passive, client.cpus, client.stackSize, client.programImage],
      [10, 200, 500, true, [1], 0x4000, 'client.elf'],
    );
    assert.deepStrictEqual(
      client.setvars.map((s) => [s.symbol, s.kind, s.value, s.of]),
      [
        ['buf_vaddr', 'vaddr', 0x2000000, 'buf'],
        ['buf_size', 'size', 0x4000, 'buf'],
        ['dma_paddr', 'region paddr', undefined, 'dma'],
      ],
    );
    const server = domain(v, 'server');
    assert.deepStrictEqual([server.budget, server.period, server.cpus], [1000, 1000, [0]]);
    assert.deepStrictEqual(
      server.irqs.map((i) => [i.id, i.label, i.details]),
      [[3, 'IRQ 33', ['edge']]],
    );
    assert.deepStrictEqual(
      v.channels.map((c) => c.ends.map((e) => [e.pd, e.id, e.pp, e.notify])),
      [
        [
          ['client', 0, true, false],
          ['server', 1, false, true],
        ],
      ],
    );
  });

  it('places regions with a phys_addr, flags shared physical memory, and marks regions the tool places for a setvar', () => {
    const regions = view(SMALL).regions;
    const by = (n: string) => regions.find((r) => r.name === n)!;
    assert.deepStrictEqual([by('dev').physAddr, by('dev').overlaps, by('dev_alias').overlaps], [0x9000000, true, true]);
    assert.deepStrictEqual([by('dma').toolPlaced, by('buf').toolPlaced, by('buf').physAddr], [true, false, undefined]);
    assert.deepStrictEqual(by('dev').mappedBy, ['server @ 0x1000000']);
    assert.deepStrictEqual(by('dev_alias').mappedBy, []);
  });

  it('points every element at its place in the file', () => {
    const text = SMALL;
    const v = view(text);
    const lineOf = (needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length - 1;
    assert.strictEqual(domain(v, 'server').ref.start.line, lineOf('<protection_domain name="server"'));
    assert.strictEqual(domain(v, 'server').irqs[0].ref.start.line, lineOf('<irq'));
    assert.strictEqual(domain(v, 'client').space[1].ref!.start.line, lineOf('<map mr="dma"'));
    assert.strictEqual(v.channels[0].ends[1].ref.start.line, lineOf('<end pd="server"'));
    assert.strictEqual(v.regions[2].ref.start.line, lineOf('name="buf"'));
  });

  it('shows the default example: VMs after their VMMs, guest-physical maps, the driver IRQ and the device windows', () => {
    const v = view(readFileSync(EXAMPLE, 'utf8'));
    assert.deepStrictEqual(
      v.domains.map((d) => `${d.kind}:${d.name}`),
      ['pd:CLIENT_VMM-1', 'vm:client_linux-1', 'pd:CLIENT_VMM-2', 'vm:client_linux-2', 'pd:serial_virt_tx', 'pd:serial_virt_rx', 'pd:uart_driver'],
    );
    const vm = domain(v, 'client_linux-1');
    assert.deepStrictEqual([vm.parent, vm.vcpus, vm.cpus, vm.priority], ['CLIENT_VMM-1', [{ id: 0, cpu: 0 }], [0], 50]);
    assert.deepStrictEqual(
      vm.space.map((s) => [s.label, s.start, s.perms]),
      [
        ['gpc', 0x303a0000, 'rw'],
        ['gic_vcpu', 0x31000000, 'rw'],
        ['client_vm_ram_1', 0x40000000, 'rwx'],
      ],
    );
    assert.ok(!vm.space.some((s) => s.kind !== 'map'), 'a VM has no stack or IPC buffer');
    assert.strictEqual(domain(v, 'CLIENT_VMM-1').vm, 'client_linux-1');
    assert.deepStrictEqual(
      domain(v, 'uart_driver').irqs.map((i) => i.label),
      ['IRQ 58'],
    );
    assert.deepStrictEqual(
      v.regions.filter((r) => r.physAddr !== undefined).map((r) => r.name),
      ['gic_vcpu', 'uart', 'gpc'],
    );
    assert.deepStrictEqual(v.regions.find((r) => r.name === 'gic_vcpu')!.mappedBy, ['client_linux-1 @ 0x31000000', 'client_linux-2 @ 0x31000000']);
    assert.ok(
      v.domains.every((d) => d.space.every((s) => !s.overlaps)),
      'the example has no overlapping maps',
    );
  });

  it('reads fields a newer model carries (x86 IRQs, vCPU cores, child ids, fpu) and the architecture', () => {
    const { model } = parseSystem('/w/s.system', SMALL);
    const server = model.protectionDomains[1];
    Object.assign(server.irqs[0], { irq: undefined, vector: 33, ioapic: 0, pin: 4, polarity: 'low', setvarId: 'serial_irq' });
    Object.assign(server, { fpu: false, domain: 'd1' });
    Object.assign(model, { arch: 'x86_64' });
    const v = systemView(model);
    assert.strictEqual(v.arch, 'x86_64');
    const s = domain(v, 'server');
    assert.deepStrictEqual([s.irqs[0].label, s.irqs[0].details], ['vector 33 (IOAPIC 0 pin 4)', ['edge', 'low']]);
    assert.deepStrictEqual(s.flags, ['no fpu', 'domain d1']);
    assert.deepStrictEqual(
      s.setvars.map((x) => [x.symbol, x.kind, x.value]),
      [['serial_irq', 'id', 3]],
    );
    assert.strictEqual(s.space.at(-1)!.start, 0x7ffffffff000);
    // A model without the optional fields at all still gives a view (a half-typed file while editing).
    const partial = parseSystem(
      '/w/p.system',
      '<system><protection_domain name="a"><map mr="x" vaddr="0x1000"/></protection_domain><channel><end pd="a" id="1"/></channel></system>',
    ).model;
    const pv = systemView(partial);
    assert.deepStrictEqual([pv.domains.length, pv.channels.length, pv.domains[0].space[0].unknownRegion], [1, 0, true]);
  });

  it('is plain data: a JSON round trip keeps it', () => {
    const v = view(readFileSync(EXAMPLE, 'utf8'));
    assert.strictEqual(JSON.stringify(JSON.parse(JSON.stringify(v))), JSON.stringify(v));
    assert.ok(!JSON.stringify(v).includes('"element"'), 'no XML element leaks into the view');
  });
});

// The device-window pass (src/emulator/real/mmio-rewrite.ts with runtime/mmio.c): a PD's loads and
// stores of every width inside the window reach the device, in program order and with its side
// effects, while accesses elsewhere stay plain memory accesses; memory.copy and memory.fill that
// touch the window go through the device byte by byte.
import { strict as assert } from 'assert';
import type { PdContext } from '../../../../src/emulator/kernel';
import { SharedAddressSpace, STACK_SIZE } from '../../../../src/emulator/real/address-space';
import { rewriteDeviceAccesses } from '../../../../src/emulator/real/mmio-rewrite';
import { RealPd } from '../../../../src/emulator/real/real-pd';
import { wasm } from '../../../../src/emulator/real/wasm-api';
import { describeReal, toolchain } from './harness';

const WINDOW_SIZE = 0x1000;

const PROGRAM = `
#include <microkit.h>
#include <stdint.h>
uint32_t window;            /* set by the test: the window's address */
uint32_t results[16];
uint8_t plain[16];
void init(void) {}
void notified(microkit_channel ch) {
    volatile uint32_t *w32 = (volatile uint32_t *)window;
    volatile uint8_t *w8 = (volatile uint8_t *)window;
    volatile uint16_t *w16 = (volatile uint16_t *)window;
    volatile uint64_t *w64 = (volatile uint64_t *)window;
    if (ch == 0) {
        results[0] = w32[0];          /* a FIFO pop */
        results[1] = w32[0];          /* the next one */
        w32[0x40 / 4] = 0x41;         /* a register write */
        results[2] = w8[0x85];        /* byte 1 of the register at 0x84 */
        results[3] = w16[0x86 / 2];   /* the high half of 0x84 */
        w8[0x89] = 0x7f;              /* byte 1 of 0x88, shifted into place */
        uint64_t both = w64[0x90 / 8];
        results[4] = (uint32_t)both;
        results[5] = (uint32_t)(both >> 32);
        plain[3] = 9;                 /* outside the window: memory */
        results[6] = plain[3];
    } else {
        /* Lengths unknown to the compiler: memory.copy and memory.fill, not wide loads and stores. */
        volatile uint32_t n4 = 4, n2 = 2, n3 = 3;
        char buf[4] = {'a', 'b', 'c', 'd'};
        __builtin_memcpy((void *)(window + 0x40), buf, n4);
        __builtin_memset((void *)(window + 0x40), 'z', n2);
        __builtin_memcpy(buf, (const void *)window, n3);
        results[7] = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16;
    }
}
`;

describeReal('real components: the device window of a driver', function () {
  this.timeout(120_000);

  function setup(): { pd: RealPd; reads: number[]; writes: [number, number][]; mem: DataView; sym: (n: string) => number } {
    const bytes = toolchain.build({
      name: 'device window probe',
      sources: [],
      generated: [{ name: 'device_window_probe.c', text: PROGRAM }],
      includeDirs: [],
      defines: [],
      globalBase: SharedAddressSpace.slotBase(0),
      stackSize: STACK_SIZE,
      exports: ['window', 'results', 'plain'],
      runtime: ['mmio.c'],
    });
    const rewritten = rewriteDeviceAccesses(bytes);
    assert.ok(rewritten.accesses > 10 && rewritten.bulk >= 1, `rewrote ${rewritten.accesses} accesses, ${rewritten.bulk} bulk`);
    const space = new SharedAddressSpace(1, [], [{ name: 'dev', size: WINDOW_SIZE }]);
    const win = space.windows.get('dev')!;
    const reads: number[] = [],
      writes: [number, number][] = [];
    let fifo = 0x30;
    const regs = new Map<number, number>([
      [0x84, 0xa1b2c3d4],
      [0x88, 0],
      [0x90, 0x11111111],
      [0x94, 0x22222222],
    ]);
    const device = {
      base: win.address,
      size: win.size,
      read: (o: number): number => {
        reads.push(o);
        return o === 0 ? fifo++ : (regs.get(o) ?? 0);
      },
      write: (o: number, v: number): void => {
        writes.push([o, v]);
      },
    };
    const ctx: PdContext = {
      name: 'probe',
      notify: () => undefined,
      irqAck: () => undefined,
      ppcall: () => undefined,
      charge: () => undefined,
      log: () => undefined,
      now: () => 0,
    };
    const pd = new RealPd(ctx, new wasm.Module(rewritten.bytes), space.memory, [], device);
    const mem = new DataView(space.memory.buffer);
    const sym = (n: string): number => pd.symbolAddress(n)!;
    mem.setUint32(sym('window'), win.address, true);
    pd.init();
    return { pd, reads, writes, mem, sym };
  }

  it('loads and stores of every width reach the device in order, with side effects; other accesses are memory', () => {
    const { pd, reads, writes, mem, sym } = setup();
    pd.notified(0);
    const r = (i: number): number => mem.getUint32(sym('results') + 4 * i, true);
    assert.deepEqual([r(0), r(1)], [0x30, 0x31], 'each read of the FIFO register pops');
    assert.equal(r(2), 0xc3, 'a byte read takes its byte of the register');
    assert.equal(r(3), 0xa1b2, 'a halfword read takes its half');
    assert.deepEqual([r(4), r(5)], [0x11111111, 0x22222222], 'a 64-bit read is two register reads');
    assert.equal(r(6), 9);
    assert.equal(mem.getUint8(sym('plain') + 3), 9, 'the plain store reached memory');
    assert.deepEqual(reads, [0, 0, 0x84, 0x84, 0x90, 0x94]);
    assert.deepEqual(writes, [
      [0x40, 0x41],
      [0x88, 0x7f00],
    ]);
  });

  it('memory.copy and memory.fill touching the window go through the device byte by byte', () => {
    const { pd, reads, writes, mem, sym } = setup();
    pd.notified(1);
    assert.deepEqual(writes, [
      [0x40, 0x61],
      [0x40, 0x62 << 8],
      [0x40, 0x63 << 16],
      [0x40, 0x64 << 24],
      [0x40, 0x7a],
      [0x40, 0x7a << 8],
    ]);
    // Bytes 0, 1 and 2 of the FIFO register: each read pops a word and takes its own byte of it
    // (the characters are in byte 0, so bytes 1 and 2 read as 0).
    assert.deepEqual(reads, [0, 0, 0]);
    assert.equal(mem.getUint32(sym('results') + 28, true), 0x30);
  });
});

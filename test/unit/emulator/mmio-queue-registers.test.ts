// The queue registers a real VMM's virtio console holds, read back from the guest's accesses that
// the VMM handled: libvmm's meaning of each register, and the rings read in guest RAM.
import { strict as assert } from 'assert';
import { GuestPhysical } from '../../../src/emulator/memory';
import { REG } from '../../../src/emulator/virtio/console';
import { MmioQueueRegisters } from '../../../src/emulator/virtio/mmio-queue-registers';

const RAM = 0x40000000;

function setup() {
  const ram = new Uint8Array(0x10000);
  const mem = new GuestPhysical(ram, RAM);
  return { mem, regs: new MmioQueueRegisters({ base: 0x150000, size: 0x200 }, mem, 2) };
}

function setUpQueue(regs: MmioQueueRegisters, sel: number, at: number): void {
  regs.written(REG.QueueSel, sel);
  regs.written(REG.QueueNum, 8);
  regs.written(REG.QueueDescLow, at);
  regs.written(REG.QueueDescHigh, 0);
  regs.written(REG.QueueDriverLow, at + 0x80);
  regs.written(REG.QueueDriverHigh, 0);
  regs.written(REG.QueueDeviceLow, at + 0x100);
  regs.written(REG.QueueDeviceHigh, 0);
  regs.written(REG.QueueReady, 1);
}

describe('virtio-mmio queue registers as the guest set them (a real VMM)', () => {
  it('places each selected queue, and reads used.idx in guest RAM as the device position', () => {
    const { mem, regs } = setup();
    setUpQueue(regs, 1, RAM + 0x1000);
    const tx = regs.vqs[1];
    assert.deepEqual([tx.num, tx.ready, tx.descGpa, tx.availGpa, tx.usedGpa], [8, true, RAM + 0x1000, RAM + 0x1080, RAM + 0x1100]);
    assert.equal(regs.vqs[0].ready, false);
    mem.setU16(RAM + 0x1102, 5);
    assert.equal(tx.usedIdx(), 5);
    assert.equal(tx.lastIdx, 5);
  });

  it('ORs each address half into the address, as libvmm does, until a Status of 0 resets every queue', () => {
    const { regs } = setup();
    setUpQueue(regs, 0, RAM + 0x1000);
    regs.written(REG.QueueDescLow, 0x2000);
    assert.equal(regs.vqs[0].descGpa, (RAM + 0x1000) | 0x2000);
    regs.written(REG.Status, 0);
    assert.deepEqual([regs.vqs[0].num, regs.vqs[0].ready, regs.vqs[0].descGpa, regs.resets], [0, false, 0, 1]);
    assert.equal(regs.vqs[0].usedIdx(), undefined, 'a queue that is not set up has no position');
  });

  it('keeps status as written and read, and takes the window offset of an access', () => {
    const { regs } = setup();
    regs.written(REG.Status, 1);
    regs.answered(REG.Status, 0xf);
    regs.answered(REG.InterruptStatus, 1);
    regs.written(REG.InterruptACK, 1);
    assert.deepEqual([regs.status, regs.interruptStatus], [0xf, 0]);
    assert.equal(regs.offsetOf(0x150070, 4), 0x70);
    assert.equal(regs.offsetOf(0x1501fe, 4), undefined);
  });
});

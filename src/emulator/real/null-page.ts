// The null page of a real VMM. On the board nothing is mapped at a PD's address 0, so a NULL
// dereference is a VM fault the Microkit monitor reports, and the PD stops. libvmm meets NULL where
// a guest gives it an address outside guest RAM: gpa_to_hva answers NULL and libvmm copies from or
// to it (libvmm src/virtio/virtio.c:103-107) (libvmm src/virtio/virtio.c:148-152). In the shared
// WebAssembly memory address 0 is ordinary memory, so a VMM's loads, stores, copies and fills go
// through runtime/mmio.c's helpers (as a driver's do for its device window), with the window at
// [0, FIRST_SLOT): an access there stops the VMM with the monitor's VM fault report instead of
// reading zeros or writing over memory.
import { PdFaultError } from '../kernel';
import { encodeStage2Fsr } from '../fault';
import { FIRST_SLOT } from './address-space';
import type { DeviceWindow } from './real-pd';

/** seL4's VM fault label (the monitor's "received message 0x6"). */
const VM_FAULT = 6;

const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, '0')}`;

/** The monitor's report of a data abort at `addr` (microkit monitor/src/main.c:667-722). */
function nullPageFault(addr: number, write: boolean): PdFaultError {
  // Nothing is mapped near 0 in a PD's address space: the walk ends at level 0.
  const fsr = encodeStage2Fsr({ write, level: 0 });
  const iss = fsr & 0x1ffffff;
  return new PdFaultError(`${write ? 'write to' : 'read of'} address 0x${addr.toString(16)} (a null pointer)`, VM_FAULT, [
    `MON|ERROR: VMFault: ip=${hex(0, 16)}  fault_addr=${hex(addr, 16)}  fsr=${hex(fsr, 16)}  (data fault)`,
    `MON|ERROR:   ec: ${hex(fsr >>> 26, 8)}  Data Abort from a lower Exception level   il: 1   iss: ${hex(iss, 8)}`,
    `MON|ERROR:   dfsc = translation fault, level 0 (${hex(iss & 0x3f, 8)})${write ? ' -- write not read' : ''}`,
  ]);
}

/** The VMM's window on its null page: every access there faults. */
export const NULL_PAGE_WINDOW: DeviceWindow = {
  base: 0,
  size: FIRST_SLOT,
  read: (offset) => {
    throw nullPageFault(offset, false);
  },
  write: (offset) => {
    throw nullPageFault(offset, true);
  },
};

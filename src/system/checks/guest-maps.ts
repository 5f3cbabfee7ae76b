// Checks on the guests that the .system alone decides: RAM shared with the VMM, 2 MiB aligned, not
// shared between guests; regions mapped both cached and uncached; SMP VMs below their VMM.

import type { Diagnostic } from '../../common/diagnostics';
import { allMaps, attribute, findVm, hex, type SystemModel } from '../model';
import type { GuestConfig } from '../project-model';

/** Linux requires guest RAM to start on a 2 MiB boundary (libvmm checks it too). */
export const GUEST_RAM_ALIGN = 0x200000;

export function checkGuestMaps(model: SystemModel, guests: GuestConfig[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ramUsers = new Map<string, GuestConfig>();
  for (const g of guests) {
    const vm = findVm(model, g.vm);
    if (!vm) continue;
    if (!g.ramRegion) {
      out.push({ severity: 'warning', code: 'guest-ram-vmm', range: vm.element.nameRange,
        message: `virtual machine '${g.vm}' has no RAM region mapped into both it and its VMM '${g.vmm}': the VMM cannot load the guest's images` });
      continue;
    }
    const vmMap = vm.maps.find((m) => m.mr === g.ramRegion);
    const vmmMap = vm.vmm.maps.find((m) => m.mr === g.ramRegion);
    // Two virtual machines of one name (an error of its own): the guest's RAM was found in the other.
    if (!vmMap || !vmmMap) continue;
    if (!vmmMap.perms.w || !vmmMap.perms.r) {
      out.push({ severity: 'error', code: 'guest-ram-vmm', range: attribute(vmmMap.element, 'perms')?.valueRange ?? vmmMap.element.nameRange,
        message: `the VMM '${g.vmm}' maps guest RAM '${g.ramRegion}' without read and write access: it copies the kernel, DTB and initrd into it` });
    }
    if (vmMap.cached !== vmmMap.cached) {
      out.push({ severity: 'warning', code: 'guest-ram-vmm', range: attribute(vmmMap.element, 'cached')?.valueRange ?? vmmMap.element.nameRange,
        message: `guest RAM '${g.ramRegion}' is mapped ${vmMap.cached ? 'cached' : 'uncached'} in '${g.vm}' but ${vmmMap.cached ? 'cached' : 'uncached'} in its VMM '${g.vmm}'` });
    }
    if (g.ramGpa % GUEST_RAM_ALIGN !== 0) {
      out.push({ severity: 'error', code: 'guest-ram-alignment', range: attribute(vmMap.element, 'vaddr')?.valueRange ?? vmMap.element.nameRange,
        message: `guest RAM of '${g.vm}' starts at ${hex(g.ramGpa)}: Linux requires that guest RAM starting GPA must be 2MiB aligned` });
    }
    const other = ramUsers.get(g.ramRegion);
    if (other) {
      out.push({ severity: 'error', code: 'guest-ram-overlap', range: attribute(vmMap.element, 'mr')?.valueRange ?? vmMap.element.nameRange,
        message: `guests '${other.vm}' and '${g.vm}' use the same memory region '${g.ramRegion}' as RAM: their RAM overlaps in physical memory` });
    } else ramUsers.set(g.ramRegion, g);
  }

  // One region mapped both cached and uncached: the uncached side reads stale data.
  const firstCaching = new Map<string, { cached: boolean; owner: string }>();
  for (const m of allMaps(model)) {
    const prev = firstCaching.get(m.mr);
    if (!prev) {
      firstCaching.set(m.mr, { cached: m.cached, owner: m.owner.name });
      continue;
    }
    // Guest RAM's VM/VMM pair is guest-ram-vmm's to report.
    if (prev.cached !== m.cached && !guests.some((g) => g.ramRegion === m.mr)) {
      out.push({ severity: 'warning', code: 'mr-cache-mismatch', range: attribute(m.element, 'cached')?.valueRange ?? m.element.nameRange,
        message: `memory region '${m.mr}' is mapped ${m.cached ? 'cached' : 'uncached'} in '${m.owner.name}' but ${prev.cached ? 'cached' : 'uncached'} in '${prev.owner}'` });
    }
  }

  // libvmm issue 374: vCPUs below their VMM's priority starve SMP guests.
  for (const vm of model.virtualMachines) {
    if (vm.vcpus.length > 1 && vm.priority < vm.vmm.priority) {
      out.push({ severity: 'warning', code: 'vm-priority-smp', range: attribute(vm.element, 'priority')?.valueRange ?? vm.element.nameRange,
        message: `virtual machine '${vm.name}' has ${vm.vcpus.length} vCPUs at priority ${vm.priority}, below its VMM '${vm.vmm.name}' (${vm.vmm.priority}): SMP guests hang when vCPUs sit below the VMM` });
    }
  }
  return out;
}

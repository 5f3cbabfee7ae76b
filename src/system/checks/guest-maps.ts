// Checks on the guests that the .system alone decides: RAM shared with the VMM, 2 MiB aligned, not
// shared between guests; regions mapped both cached and uncached; SMP VMs below their VMM.

import { allMaps, attribute, findVm, hex, type MapEntry, type VirtualMachine } from '../model';
import type { GuestConfig } from '../project-model';
import type { ProjectFacts, Report } from './rule';

/** Linux requires guest RAM to start on a 2 MiB boundary (libvmm checks it too). */
export const GUEST_RAM_ALIGN = 0x200000;

/** Each guest with its VM and the RAM maps of the VM and of its VMM (when both are found). */
function* guestRam(facts: ProjectFacts): Generator<{ g: GuestConfig; vm: VirtualMachine; vmMap?: MapEntry; vmmMap?: MapEntry }> {
  for (const g of facts.guests) {
    const vm = findVm(facts.system, g.vm);
    if (!vm) continue;
    // Two virtual machines of one name (an error of its own): the guest's RAM may be found in the other.
    const vmMap = g.ramRegion ? vm.maps.find((m) => m.mr === g.ramRegion) : undefined;
    const vmmMap = g.ramRegion ? vm.vmm.maps.find((m) => m.mr === g.ramRegion) : undefined;
    yield { g, vm, vmMap, vmmMap };
  }
}

/** guest-ram-vmm: the VMM maps its guest's RAM read-write, with the same caching (a milder case). */
export function checkGuestRamInVmm(facts: ProjectFacts, report: Report): void {
  for (const { g, vm, vmMap, vmmMap } of guestRam(facts)) {
    if (!g.ramRegion) {
      report({
        range: vm.element.nameRange,
        lesser: true,
        message: `virtual machine '${g.vm}' has no RAM region mapped into both it and its VMM '${g.vmm}': the VMM cannot load the guest's images`,
      });
      continue;
    }
    if (!vmMap || !vmmMap) continue;
    if (!vmmMap.perms.w || !vmmMap.perms.r) {
      report({
        range: attribute(vmmMap.element, 'perms')?.valueRange ?? vmmMap.element.nameRange,
        message: `the VMM '${g.vmm}' maps guest RAM '${g.ramRegion}' without read and write access: it copies the kernel, DTB and initrd into it`,
      });
    }
    if (vmMap.cached !== vmmMap.cached) {
      report({
        range: attribute(vmmMap.element, 'cached')?.valueRange ?? vmmMap.element.nameRange,
        lesser: true,
        message: `guest RAM '${g.ramRegion}' is mapped ${vmMap.cached ? 'cached' : 'uncached'} in '${g.vm}' but ${vmmMap.cached ? 'cached' : 'uncached'} in its VMM '${g.vmm}'`,
      });
    }
  }
}

/** guest-ram-alignment: guest RAM starts on a 2 MiB boundary. */
export function checkGuestRamAlignment(facts: ProjectFacts, report: Report): void {
  for (const { g, vmMap, vmmMap } of guestRam(facts)) {
    if (!vmMap || !vmmMap || g.ramGpa % GUEST_RAM_ALIGN === 0) continue;
    report({
      range: attribute(vmMap.element, 'vaddr')?.valueRange ?? vmMap.element.nameRange,
      message: `guest RAM of '${g.vm}' starts at ${hex(g.ramGpa)}: Linux requires that guest RAM starting GPA must be 2MiB aligned`,
    });
  }
}

/** guest-ram-overlap: no two guests use one region as RAM. */
export function checkGuestRamShared(facts: ProjectFacts, report: Report): void {
  const ramUsers = new Map<string, GuestConfig>();
  for (const { g, vmMap, vmmMap } of guestRam(facts)) {
    if (!vmMap || !vmmMap) continue;
    const other = ramUsers.get(g.ramRegion);
    if (other) {
      report({
        range: attribute(vmMap.element, 'mr')?.valueRange ?? vmMap.element.nameRange,
        message: `guests '${other.vm}' and '${g.vm}' use the same memory region '${g.ramRegion}' as RAM: their RAM overlaps in physical memory`,
      });
    } else ramUsers.set(g.ramRegion, g);
  }
}

/** mr-cache-mismatch: one region mapped both cached and uncached: the uncached side reads stale data. */
export function checkCacheAgreement(facts: ProjectFacts, report: Report): void {
  const firstCaching = new Map<string, { cached: boolean; owner: string }>();
  for (const m of allMaps(facts.system)) {
    const prev = firstCaching.get(m.mr);
    if (!prev) {
      firstCaching.set(m.mr, { cached: m.cached, owner: m.owner.name });
      continue;
    }
    // Guest RAM's VM/VMM pair is guest-ram-vmm's to report.
    if (prev.cached !== m.cached && !facts.guests.some((g) => g.ramRegion === m.mr)) {
      report({
        range: attribute(m.element, 'cached')?.valueRange ?? m.element.nameRange,
        message: `memory region '${m.mr}' is mapped ${m.cached ? 'cached' : 'uncached'} in '${m.owner.name}' but ${prev.cached ? 'cached' : 'uncached'} in '${prev.owner}'`,
      });
    }
  }
}

/** vm-priority-smp: vCPUs below their VMM's priority starve SMP guests (libvmm issue 374). */
export function checkSmpPriority(facts: ProjectFacts, report: Report): void {
  for (const vm of facts.system.virtualMachines) {
    if (vm.vcpus.length > 1 && vm.priority < vm.vmm.priority) {
      report({
        range: attribute(vm.element, 'priority')?.valueRange ?? vm.element.nameRange,
        message: `virtual machine '${vm.name}' has ${vm.vcpus.length} vCPUs at priority ${vm.priority}, below its VMM '${vm.vmm.name}' (${vm.vmm.priority}): SMP guests hang when vCPUs sit below the VMM`,
      });
    }
  }
}

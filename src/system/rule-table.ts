// Every rule of the system core, one record each (code, default severity, origin, description,
// and how it runs), as dtc's checks are one table (src/devicetree/checks). The table drives the
// checks (checks/run-rules.ts runs each stage's rules in this order), the diagnostic codes (the
// union below), the settings schema and `dual-guest lint --list-checks` (the `guest` stage, settable
// by name) and the rules section of docs/project-file.md (`npm run docs:checks`).

import {
  checkBootargs, checkConsoleInterruptRoute, checkDependencies, checkDmaIdentityMap, checkInitrdAndDtb, checkIrqOwners,
  checkMapsHaveDevices, checkMemoryNodes, checkProbedDevicesMapped, checkStdoutPath, checkUnprobedDevices, checkVirtioConsole,
  type GuestCheck,
} from './checks/guest-dt';
import { checkCacheAgreement, checkGuestRamAlignment, checkGuestRamInVmm, checkGuestRamShared, checkSmpPriority } from './checks/guest-maps';
import type { SystemRule } from './checks/rule';
import { checkNativePds } from './checks/native-pds';
import { checkConnectionRegions, checkRegionSizes, checkRegionsBothEnds, checkSerialPriorities } from './checks/serial';
import { checkSerialColourRoom } from './checks/serial-config';
import {
  checkChannelEnds, checkChannelNotToSelf, checkHasProtectionDomain, checkMapAlignment, checkMapOverlap, checkMapRegions,
  checkPhysicalOverlap, checkPpcEnd, checkPpcPriority, checkUniqueIds, checkUniqueIrqs, checkUniqueNamesRule, checkUnusedRegions,
  checkCapMaps, checkIoMaps, checkIoports, checkMapRange, checkPdCount, checkReservedNames, checkSetvarRegions, checkX86Vmms,
} from './rules';

export type { RuleOrigin, RuleSeverity } from './checks/rule';

export const SYSTEM_RULES = [
  { code: 'xml-syntax', severity: 'error', origin: 'xml', description: 'malformed XML (unclosed tag, mismatched end tag, stray characters)', stage: 'read' },
  { code: 'xml-duplicate-attribute', severity: 'error', origin: 'xml', description: 'an attribute given twice on one element', stage: 'read' },
  { code: 'sdf-invalid-element', severity: 'error', origin: 'microkit', description: 'an element the system format does not have there (or a virtual_machine outside a protection_domain)', stage: 'read' },
  { code: 'sdf-invalid-attribute', severity: 'error', origin: 'microkit', description: 'an attribute the element does not have', stage: 'read' },
  { code: 'sdf-missing-attribute', severity: 'error', origin: 'microkit', description: 'a required attribute is missing', stage: 'read' },
  { code: 'sdf-unexpected-text', severity: 'error', origin: 'microkit', description: 'text inside an element', stage: 'read' },
  { code: 'sdf-invalid-number', severity: 'error', origin: 'microkit', description: 'not a decimal or 0x-hex integer (underscores allowed)', stage: 'read' },
  { code: 'sdf-invalid-boolean', severity: 'error', origin: 'microkit', description: "not 'true' or 'false'", stage: 'read' },
  { code: 'sdf-invalid-perms', severity: 'error', origin: 'microkit', description: "perms other than a combination of 'r', 'w', 'x'", stage: 'read' },
  { code: 'sdf-write-only-map', severity: 'error', origin: 'microkit', description: "perms 'w' alone (write-only mappings are not allowed)", stage: 'read' },
  { code: 'sdf-invalid-trigger', severity: 'error', origin: 'microkit', description: "irq trigger other than 'level' or 'edge'", stage: 'read' },
  { code: 'sdf-out-of-range', severity: 'error', origin: 'microkit', description: 'priority > 254, id > 61, stack size outside 0x1000..0x1000000, vaddr above the address-space limit, size 0', stage: 'read' },
  { code: 'sdf-budget-period', severity: 'error', origin: 'microkit', description: 'budget greater than period', stage: 'read' },
  { code: 'sdf-page-size', severity: 'error', origin: 'microkit', description: 'page_size other than 0x1000 or 0x200000', stage: 'read' },
  { code: 'sdf-alignment', severity: 'error', origin: 'microkit', description: 'size or phys_addr not a multiple of the page size; stack size not page aligned', stage: 'read' },
  { code: 'sdf-duplicate-element', severity: 'error', origin: 'microkit', description: 'program_image or virtual_machine given twice in one protection domain', stage: 'read' },
  { code: 'sdf-missing-program-image', severity: 'error', origin: 'microkit', description: 'a protection domain without program_image', stage: 'read' },
  { code: 'sdf-missing-vcpu', severity: 'error', origin: 'microkit', description: 'a virtual machine without vcpu', stage: 'read' },
  { code: 'sdf-duplicate-setvar', severity: 'error', origin: 'microkit', description: 'a setvar symbol used twice in one protection domain', stage: 'read' },
  { code: 'sdf-channel-ends', severity: 'error', origin: 'microkit', description: 'a channel without exactly two end elements', stage: 'read' },
  { code: 'sdf-version', severity: 'error', origin: 'microkit', description: 'an element or attribute the selected Microkit release does not have (added later, or removed: pp on protection_domain and id on virtual_machine from 2.0)', stage: 'read' },
  { code: 'sdf-arch', severity: 'error', origin: 'microkit', description: 'a form the architecture or its kernel build does not support: x86 irqs, ioport and io_address_space off x86; ARM/RISC-V irqs on x86; virtual machines without a hypervisor; smc off ARM', stage: 'read' },
  { code: 'sdf-invalid-value', severity: 'error', origin: 'microkit', description: 'a value outside its set: polarity, prefill_bootinfo, a PCI address, a schedule duration', stage: 'read' },
  { code: 'sdf-domain', severity: 'error', origin: 'microkit', description: 'domain scheduler errors: undeclared or duplicate domains, ids beyond KernelNumDomains, a schedule missing, too long or started past its end, a PD domain without a schedule', stage: 'read' },
  { code: 'sdf-pp-bidirectional', severity: 'error', origin: 'microkit', description: 'pp on both ends of a channel', stage: 'read' },
  { code: 'sdf-no-pd', severity: 'error', origin: 'microkit', description: 'a system without protection domains', stage: 'system', run: checkHasProtectionDomain },
  { code: 'sdf-duplicate-name', severity: 'error', origin: 'microkit', description: 'two protection domains, memory regions or virtual machines with one name', stage: 'system', run: checkUniqueNamesRule },
  { code: 'sdf-duplicate-id', severity: 'error', origin: 'microkit', description: 'a channel/IRQ id, child PD id or vcpu id used twice in one protection domain', stage: 'system', run: checkUniqueIds },
  { code: 'sdf-duplicate-irq', severity: 'error', origin: 'microkit', description: 'one IRQ number given to two irq elements', stage: 'system', run: checkUniqueIrqs },
  { code: 'sdf-unknown-pd', severity: 'error', origin: 'microkit', description: 'a channel end naming no protection domain', stage: 'system', run: checkChannelEnds },
  { code: 'sdf-channel-self', severity: 'error', origin: 'new', description: 'a channel from a protection domain to itself', stage: 'system', run: checkChannelNotToSelf },
  { code: 'sdf-pp-priority', severity: 'error', origin: 'microkit', description: 'a protected procedure call not towards a strictly higher priority', stage: 'system', run: checkPpcPriority },
  { code: 'sdf-pp-wrong-end', severity: 'error', origin: 'microkit', description: 'pp written on the callee (higher-priority) end of a channel', stage: 'system', run: checkPpcEnd },
  { code: 'sdf-unknown-mr', severity: 'error', origin: 'microkit', description: 'a map of a memory region that does not exist', stage: 'system', run: checkMapRegions },
  { code: 'sdf-map-alignment', severity: 'error', origin: 'microkit', description: "a map's vaddr not aligned to its region's page size", stage: 'system', run: checkMapAlignment },
  { code: 'sdf-map-overlap', severity: 'error', origin: 'microkit', description: 'two maps overlapping in one protection domain or virtual machine', stage: 'system', run: checkMapOverlap },
  { code: 'sdf-phys-overlap', severity: 'error', origin: 'microkit', description: 'two memory regions overlapping in physical memory', stage: 'system', run: checkPhysicalOverlap },
  { code: 'sdf-too-many-pds', severity: 'error', origin: 'microkit', description: 'more than 63 protection domains', stage: 'system', run: checkPdCount },
  { code: 'sdf-reserved-name', severity: 'error', origin: 'microkit', description: "a protection domain named 'monitor'", stage: 'system', run: checkReservedNames },
  { code: 'sdf-x86-vmm', severity: 'error', origin: 'microkit', description: 'on x86-64, a PD with a virtual machine that has child PDs or receives PPCs', stage: 'system', run: checkX86Vmms },
  { code: 'sdf-ioport', severity: 'error', origin: 'microkit', description: 'an I/O port id used twice in one PD, or two I/O port ranges overlapping', stage: 'system', run: checkIoports },
  { code: 'sdf-map-range', severity: 'error', origin: 'microkit', description: "a map reaching past its address space: into a PD's stack and IPC buffer, or past the top", stage: 'system', run: checkMapRange },
  { code: 'sdf-iomap', severity: 'error', origin: 'microkit', description: 'an iomap of an unknown or large-page region, unaligned, past the IO address space, or overlapping another in its device', stage: 'system', run: checkIoMaps },
  { code: 'sdf-cap-map', severity: 'error', origin: 'microkit', description: 'a cspace cap naming no protection domain, or two caps in one slot', stage: 'system', run: checkCapMaps },
  { code: 'sdf-setvar-region', severity: 'error', origin: 'microkit', description: "setvar_prefill_size on a region without prefill_path; on x86-64, region_paddr of a region without phys_addr", stage: 'system', run: checkSetvarRegions },
  { code: 'sdf-legacy-form', severity: 'info', origin: 'microkit', description: "a Microkit 1.x form (pp on protection_domain, id on virtual_machine) in a file with no version set: read as Microkit 1.4 (2.0 rejects it: set microkitVersion to see the errors)", stage: 'read' },
  { code: 'sdf-unused-mr', severity: 'warning', origin: 'microkit', description: 'a memory region nothing maps', stage: 'system', run: checkUnusedRegions },
  { code: 'missing-file', severity: 'error', origin: 'project', description: 'the .system or project file given to `dual-guest lint` cannot be read', stage: 'read' },
  { code: 'project-json-syntax', severity: 'error', origin: 'project', description: 'the project file is not valid JSON', stage: 'read' },
  { code: 'project-schema', severity: 'error', origin: 'project', description: 'a value of the wrong type, an unknown virtual machine or a missing device-tree file (unknown keys: warning)', stage: 'read' },
  { code: 'project-missing-file', severity: 'error', origin: 'project', description: 'the project file or the .system it names cannot be read', stage: 'read' },
  { code: 'project-guest-files', severity: 'info', origin: 'project', description: "how a VM's trees were found when it was not plain: a base borrowed (from above its folder or from another VM); or why none was: several whole trees to choose from, overlays beside the .system with no base", stage: 'read' },
  { code: 'project-no-dts', severity: 'warning', origin: 'project', description: 'a VM to boot with no device tree named in the project file or found below the .system', stage: 'read' },
  { code: 'project-unknown-pd', severity: 'error', origin: 'project', description: 'an explicit role naming no protection domain', stage: 'read' },
  { code: 'project-switch-char', severity: 'warning', origin: 'project', description: "SERIAL_SWITCH_CHAR in the system's serial_config.h cannot be evaluated or is not a character (the switch character falls back to the default)", stage: 'read' },
  { code: 'sddf-region-size', severity: 'error', origin: 'new', description: 'an sDDF queue or data region whose size is not a power of two', stage: 'project', run: checkRegionSizes },
  { code: 'sddf-region-one-end', severity: 'warning', origin: 'new', description: 'an sDDF queue or data region mapped into one protection domain only', stage: 'project', run: checkRegionsBothEnds },
  { code: 'sddf-connection-regions', severity: 'warning', origin: 'new', description: 'a serial connection whose ends share fewer than two regions (queue and data)', stage: 'project', run: checkConnectionRegions },
  { code: 'sddf-native-pd-not-emulated', severity: 'warning', origin: 'new', description: 'a protection domain that is neither the serial driver, a serial virtualiser nor a VMM: the emulator does not run it, so the queues it consumes fill', stage: 'project', run: checkNativePds },
  { code: 'sddf-serial-colour-room', severity: 'warning', origin: 'new', description: "with colour on, a driver TX data region smaller than a client's TX data region plus the 9 bytes of colour codes: that client's full queue never moves", stage: 'project', run: checkSerialColourRoom },
  { code: 'sddf-priority-order', severity: 'warning', origin: 'new', description: 'the sDDF priority convention broken: driver above virtualisers above clients', stage: 'project', run: checkSerialPriorities },
  { code: 'guest-ram-vmm', severity: 'error', origin: 'new', description: "guest RAM not mapped read-write into the VMM (missing: warning; cached differently: warning)", stage: 'project', run: checkGuestRamInVmm },
  { code: 'guest-ram-alignment', severity: 'error', origin: 'libvmm', description: 'guest RAM not starting on a 2 MiB boundary', stage: 'project', run: checkGuestRamAlignment },
  { code: 'guest-ram-overlap', severity: 'error', origin: 'new', description: "two guests' RAM in the same physical memory", stage: 'project', run: checkGuestRamShared },
  { code: 'mr-cache-mismatch', severity: 'warning', origin: 'new', description: 'one memory region mapped cached in one place and uncached in another', stage: 'project', run: checkCacheAgreement },
  { code: 'vm-priority-smp', severity: 'warning', origin: 'new', description: 'a VM with several vCPUs below its VMM priority (libvmm issue 374)', stage: 'project', run: checkSmpPriority },
  { code: 'guest-dt-memory', severity: 'error', origin: 'new', description: "the guest's memory nodes describe memory outside the VM's RAM map, none, or not its start where the kernel runs (less than the RAM map: warning)", stage: 'guest', run: checkMemoryNodes },
  { code: 'guest-dt-virtio', severity: 'error', origin: 'new', description: "the virtio console node missing or not told apart from other virtio devices (warning), its reg inside another VM mapping, its SPI different from the VMM's", stage: 'guest', run: checkVirtioConsole },
  { code: 'guest-dt-irq-route', severity: 'warning', origin: 'new', description: "the virtio node's interrupt-parent chain passes a controller not mapped into the VM", stage: 'guest', run: checkConsoleInterruptRoute },
  { code: 'guest-dt-stdout', severity: 'warning', origin: 'new', description: 'chosen/stdout-path not resolving, to a disabled node, or to an unmapped device', stage: 'guest', run: checkStdoutPath },
  { code: 'guest-dt-bootargs', severity: 'warning', origin: 'new', description: 'a virtio console without console=hvc0 in bootargs', stage: 'guest', run: checkBootargs },
  { code: 'guest-dt-initrd', severity: 'error', origin: 'libvmm', description: 'initrd window or DTB outside guest RAM, the initrd outside the memory nodes, overlapping, the image too big (initrd-start different from initrdAddr: warning)', stage: 'guest', run: checkInitrdAndDtb },
  { code: 'guest-dt-unmapped-device', severity: 'error', origin: 'emulator', description: "an enabled device the guest kernel's drivers touch at boot (probe, irqchip init) whose registers are not mapped into the VM: the guest faults", stage: 'guest', run: checkProbedDevicesMapped },
  { code: 'guest-dt-unmapped-no-driver', severity: 'info', origin: 'new', description: "an enabled device not mapped into the VM that no driver of the guest kernel's list binds (a hint to extend kernelDrivers)", stage: 'guest', run: checkUnprobedDevices },
  { code: 'guest-map-no-device', severity: 'warning', origin: 'new', description: 'a VM mapping with no enabled device-tree node there', stage: 'guest', run: checkMapsHaveDevices },
  { code: 'guest-dt-dependency', severity: 'warning', origin: 'new', description: 'a provider (clocks, pinctrl-0, power-domains) of a passed-through device neither mapped nor disabled', stage: 'guest', run: checkDependencies },
  { code: 'guest-irq-two-owners', severity: 'warning', origin: 'new', description: "a passed-through device's IRQ also given to another protection domain", stage: 'guest', run: checkIrqOwners },
  { code: 'guest-dma-not-1to1', severity: 'warning', origin: 'new', description: 'a DMA-capable device passed through while guest RAM is not mapped 1:1', stage: 'guest', run: checkDmaIdentityMap },
] as const satisfies readonly SystemRule<GuestCheck>[];

export type SystemRuleRecord = SystemRule<GuestCheck>;

/** Every code a system rule reports. */
export type SystemRuleCode = (typeof SYSTEM_RULES)[number]['code'];

/** The cross checks: rules over a guest's compiled tree, whose severity can be set by name. */
export type CrossCheckCode = Extract<(typeof SYSTEM_RULES)[number], { stage: 'guest' }>['code'];

declare module '../common/diagnostics' {
  interface DiagnosticCodes extends Record<SystemRuleCode, true> {}
}

const BY_CODE: ReadonlyMap<string, SystemRuleRecord> = new Map(SYSTEM_RULES.map((r) => [r.code, r]));

export function findSystemRule(code: string): SystemRuleRecord | undefined {
  return BY_CODE.get(code);
}

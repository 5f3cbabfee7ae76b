// Every diagnostic code the system core emits, with its default severity and what it means: one
// registry for the docs (docs/project-file.md lists them) and for tests that keep the two in sync.

import type { Severity } from '../common/diagnostics';
import { NATIVE_PD_RULE } from './checks/native-pds';
import { SERIAL_COLOUR_ROOM_RULE } from './checks/serial-config';

export interface SystemRule {
  code: string;
  severity: Severity;
  /** Who else makes this check: the microkit tool, libvmm at run time, or nobody. */
  origin: 'microkit' | 'libvmm' | 'xml' | 'project' | 'new';
  summary: string;
  /**
   * A check across the .system and a guest's device tree: like dtc's checks, its severity can be
   * set by name (`devicetree.checks` setting, `dual-guest lint -W/-E`).
   */
  cross?: true;
}

export const SYSTEM_RULES: readonly SystemRule[] = [
  { code: 'xml-syntax', severity: 'error', origin: 'xml', summary: 'malformed XML (unclosed tag, mismatched end tag, stray characters)' },
  { code: 'xml-duplicate-attribute', severity: 'error', origin: 'xml', summary: 'an attribute given twice on one element' },
  { code: 'sdf-invalid-element', severity: 'error', origin: 'microkit', summary: 'an element the system format does not have there (or a virtual_machine outside a protection_domain)' },
  { code: 'sdf-invalid-attribute', severity: 'error', origin: 'microkit', summary: 'an attribute the element does not have' },
  { code: 'sdf-missing-attribute', severity: 'error', origin: 'microkit', summary: 'a required attribute is missing' },
  { code: 'sdf-unexpected-text', severity: 'error', origin: 'microkit', summary: 'text inside an element' },
  { code: 'sdf-invalid-number', severity: 'error', origin: 'microkit', summary: 'not a decimal or 0x-hex integer (underscores allowed)' },
  { code: 'sdf-invalid-boolean', severity: 'error', origin: 'microkit', summary: "not 'true' or 'false'" },
  { code: 'sdf-invalid-perms', severity: 'error', origin: 'microkit', summary: "perms other than a combination of 'r', 'w', 'x'" },
  { code: 'sdf-write-only-map', severity: 'error', origin: 'microkit', summary: "perms 'w' alone (write-only mappings are not allowed)" },
  { code: 'sdf-invalid-trigger', severity: 'error', origin: 'microkit', summary: "irq trigger other than 'level' or 'edge'" },
  { code: 'sdf-out-of-range', severity: 'error', origin: 'microkit', summary: 'priority > 254, id > 61, stack size outside 0x1000..0x1000000, vaddr above the address-space limit, size 0' },
  { code: 'sdf-budget-period', severity: 'error', origin: 'microkit', summary: 'budget greater than period' },
  { code: 'sdf-page-size', severity: 'error', origin: 'microkit', summary: 'page_size other than 0x1000 or 0x200000' },
  { code: 'sdf-alignment', severity: 'error', origin: 'microkit', summary: 'size or phys_addr not a multiple of the page size; stack size not page aligned' },
  { code: 'sdf-duplicate-element', severity: 'error', origin: 'microkit', summary: 'program_image or virtual_machine given twice in one protection domain' },
  { code: 'sdf-missing-program-image', severity: 'error', origin: 'microkit', summary: 'a protection domain without program_image' },
  { code: 'sdf-missing-vcpu', severity: 'error', origin: 'microkit', summary: 'a virtual machine without vcpu' },
  { code: 'sdf-duplicate-setvar', severity: 'error', origin: 'microkit', summary: 'a setvar symbol used twice in one protection domain' },
  { code: 'sdf-channel-ends', severity: 'error', origin: 'microkit', summary: 'a channel without exactly two end elements' },
  { code: 'sdf-pp-bidirectional', severity: 'error', origin: 'microkit', summary: 'pp on both ends of a channel' },
  { code: 'sdf-no-pd', severity: 'error', origin: 'microkit', summary: 'a system without protection domains' },
  { code: 'sdf-duplicate-name', severity: 'error', origin: 'microkit', summary: 'two protection domains, memory regions or virtual machines with one name' },
  { code: 'sdf-duplicate-id', severity: 'error', origin: 'microkit', summary: 'a channel/IRQ id, child PD id or vcpu id used twice in one protection domain' },
  { code: 'sdf-duplicate-irq', severity: 'error', origin: 'microkit', summary: 'one IRQ number given to two irq elements' },
  { code: 'sdf-unknown-pd', severity: 'error', origin: 'microkit', summary: 'a channel end naming no protection domain' },
  { code: 'sdf-channel-self', severity: 'error', origin: 'new', summary: 'a channel from a protection domain to itself' },
  { code: 'sdf-pp-priority', severity: 'error', origin: 'microkit', summary: 'a protected procedure call not towards a strictly higher priority' },
  { code: 'sdf-pp-wrong-end', severity: 'error', origin: 'microkit', summary: 'pp written on the callee (higher-priority) end of a channel' },
  { code: 'sdf-unknown-mr', severity: 'error', origin: 'microkit', summary: 'a map of a memory region that does not exist' },
  { code: 'sdf-map-alignment', severity: 'error', origin: 'microkit', summary: "a map's vaddr not aligned to its region's page size" },
  { code: 'sdf-map-overlap', severity: 'error', origin: 'microkit', summary: 'two maps overlapping in one protection domain or virtual machine' },
  { code: 'sdf-phys-overlap', severity: 'error', origin: 'microkit', summary: 'two memory regions overlapping in physical memory' },
  { code: 'sdf-legacy-form', severity: 'info', origin: 'microkit', summary: "a Microkit 1.x form (pp on protection_domain, id on virtual_machine) that Microkit 2.0 rejects; accepted" },
  { code: 'sdf-unused-mr', severity: 'warning', origin: 'microkit', summary: 'a memory region nothing maps' },
  { code: 'project-json-syntax', severity: 'error', origin: 'project', summary: 'the project file is not valid JSON' },
  { code: 'project-schema', severity: 'error', origin: 'project', summary: 'a value of the wrong type, an unknown virtual machine or a missing device-tree file (unknown keys: warning)' },
  { code: 'project-missing-file', severity: 'error', origin: 'project', summary: 'the project file or the .system it names cannot be read' },
  { code: 'project-guest-files', severity: 'info', origin: 'project', summary: "how a VM's trees were found when it was not plain: a base borrowed (from above its folder or from another VM); or why none was: several whole trees to choose from, overlays beside the .system with no base" },
  { code: 'project-no-dts', severity: 'warning', origin: 'project', summary: 'a VM to boot with no device tree named in the project file or found below the .system' },
  { code: 'project-unknown-pd', severity: 'error', origin: 'project', summary: 'an explicit role naming no protection domain' },
  { code: 'project-switch-char', severity: 'warning', origin: 'project', summary: "SERIAL_SWITCH_CHAR in the system's serial_config.h cannot be evaluated or is not a character (the switch character falls back to the default)" },
  { code: 'sddf-region-size', severity: 'error', origin: 'new', summary: 'an sDDF queue or data region whose size is not a power of two' },
  { code: 'sddf-region-one-end', severity: 'warning', origin: 'new', summary: 'an sDDF queue or data region mapped into one protection domain only' },
  { code: 'sddf-connection-regions', severity: 'warning', origin: 'new', summary: 'a serial connection whose ends share fewer than two regions (queue and data)' },
  NATIVE_PD_RULE,
  SERIAL_COLOUR_ROOM_RULE,
  { code: 'sddf-priority-order', severity: 'warning', origin: 'new', summary: 'the sDDF priority convention broken: driver above virtualisers above clients' },
  { code: 'guest-ram-vmm', severity: 'error', origin: 'new', summary: "guest RAM not mapped read-write into the VMM (missing: warning; cached differently: warning)" },
  { code: 'guest-ram-alignment', severity: 'error', origin: 'libvmm', summary: 'guest RAM not starting on a 2 MiB boundary' },
  { code: 'guest-ram-overlap', severity: 'error', origin: 'new', summary: "two guests' RAM in the same physical memory" },
  { code: 'mr-cache-mismatch', severity: 'warning', origin: 'new', summary: 'one memory region mapped cached in one place and uncached in another' },
  { code: 'vm-priority-smp', severity: 'warning', origin: 'new', summary: 'a VM with several vCPUs below its VMM priority (libvmm issue 374)' },
  { code: 'guest-dt-memory', severity: 'error', origin: 'new', summary: "the guest's memory nodes describe memory outside the VM's RAM map, none, or not its start where the kernel runs (less than the RAM map: warning)", cross: true },
  { code: 'guest-dt-virtio', severity: 'error', origin: 'new', summary: "the virtio console node missing or not told apart from other virtio devices (warning), its reg inside another VM mapping, its SPI different from the VMM's", cross: true },
  { code: 'guest-dt-irq-route', severity: 'warning', origin: 'new', summary: "the virtio node's interrupt-parent chain passes a controller not mapped into the VM", cross: true },
  { code: 'guest-dt-stdout', severity: 'warning', origin: 'new', summary: 'chosen/stdout-path not resolving, to a disabled node, or to an unmapped device', cross: true },
  { code: 'guest-dt-bootargs', severity: 'warning', origin: 'new', summary: 'a virtio console without console=hvc0 in bootargs', cross: true },
  { code: 'guest-dt-initrd', severity: 'error', origin: 'libvmm', summary: 'initrd window or DTB outside guest RAM, the initrd outside the memory nodes, overlapping, the image too big (initrd-start different from initrdAddr: warning)', cross: true },
  { code: 'guest-dt-unmapped-device', severity: 'error', origin: 'new', summary: "an enabled device the guest kernel's drivers touch at boot (probe, irqchip init) whose registers are not mapped into the VM: the guest faults", cross: true },
  { code: 'guest-dt-unmapped-no-driver', severity: 'info', origin: 'new', summary: "an enabled device not mapped into the VM that no driver of the guest kernel's list binds (a hint to extend kernelDrivers)", cross: true },
  { code: 'guest-map-no-device', severity: 'warning', origin: 'new', summary: 'a VM mapping with no enabled device-tree node there', cross: true },
  { code: 'guest-dt-dependency', severity: 'warning', origin: 'new', summary: 'a provider (clocks, pinctrl-0, power-domains) of a passed-through device neither mapped nor disabled', cross: true },
  { code: 'guest-irq-two-owners', severity: 'warning', origin: 'new', summary: "a passed-through device's IRQ also given to another protection domain", cross: true },
  { code: 'guest-dma-not-1to1', severity: 'warning', origin: 'new', summary: 'a DMA-capable device passed through while guest RAM is not mapped 1:1', cross: true },
];

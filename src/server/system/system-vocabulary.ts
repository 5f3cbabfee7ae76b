// The elements and attributes of a Microkit .system file (seL4/microkit tool/microkit/src/sdf.rs,
// docs/manual.md), for completion: which children each element takes, which attributes, and the
// values an attribute can take when they form a small set.

export const CHILD_ELEMENTS: Record<string, string[]> = {
  '': ['system'],
  system: ['memory_region', 'protection_domain', 'channel', 'domain_schedule'],
  protection_domain: ['program_image', 'map', 'irq', 'setvar', 'protection_domain', 'virtual_machine'],
  virtual_machine: ['vcpu', 'map'],
  channel: ['end'],
  domain_schedule: ['domain'],
};

export const ATTRIBUTES: Record<string, { name: string; doc: string }[]> = {
  memory_region: [
    { name: 'name', doc: 'Unique name of the region.' },
    { name: 'size', doc: 'Size in bytes: a multiple of the page size.' },
    { name: 'page_size', doc: '0x1000 (4 KiB, default) or 0x200000 (2 MiB).' },
    { name: 'phys_addr', doc: 'Fixed physical address (page aligned), e.g. device registers.' },
  ],
  protection_domain: [
    { name: 'name', doc: 'Unique name of the PD.' },
    { name: 'priority', doc: 'Scheduling priority 0..254 (default 0).' },
    { name: 'budget', doc: 'Scheduling budget in microseconds (default 1000).' },
    { name: 'period', doc: 'Scheduling period in microseconds (default = budget; at least the budget).' },
    { name: 'passive', doc: 'true: after init() its scheduling context is bound to its notification; it runs when notified, and on the caller\'s context for protected procedure calls.' },
    { name: 'stack_size', doc: 'Stack size in bytes (0x1000..0x1000000, page aligned).' },
    { name: 'smc', doc: 'true: the PD may make SMC calls.' },
    { name: 'cpu', doc: 'The CPU core the PD runs on.' },
    { name: 'id', doc: 'Child PD id 0..61 (only on a child protection_domain).' },
  ],
  program_image: [{ name: 'path', doc: 'The ELF file of the PD.' }],
  map: [
    { name: 'mr', doc: 'The memory_region to map.' },
    { name: 'vaddr', doc: 'Virtual address (aligned to the region\'s page size).' },
    { name: 'perms', doc: 'r, w, x combination (default rw; "w" alone is rejected).' },
    { name: 'cached', doc: 'true (default) or false (device memory).' },
    { name: 'setvar_vaddr', doc: 'Symbol in the PD\'s image to set to the vaddr.' },
    { name: 'setvar_size', doc: 'Symbol in the PD\'s image to set to the size.' },
  ],
  irq: [
    { name: 'irq', doc: 'Hardware IRQ number.' },
    { name: 'id', doc: 'Channel id 0..61 the IRQ is delivered on.' },
    { name: 'trigger', doc: 'level (default) or edge.' },
  ],
  setvar: [
    { name: 'symbol', doc: 'Symbol in the PD\'s image.' },
    { name: 'region_paddr', doc: 'The memory_region whose physical address is written to the symbol.' },
  ],
  virtual_machine: [
    { name: 'name', doc: 'Unique name of the VM.' },
    { name: 'priority', doc: 'Priority of its vCPUs 0..254 (default 0).' },
    { name: 'budget', doc: 'Scheduling budget in microseconds.' },
    { name: 'period', doc: 'Scheduling period in microseconds.' },
  ],
  vcpu: [{ name: 'id', doc: 'vCPU id 0..61.' }],
  channel: [],
  end: [
    { name: 'pd', doc: 'The protection_domain at this end.' },
    { name: 'id', doc: 'Channel id 0..61 as seen from this PD.' },
    { name: 'pp', doc: 'true: this end may make protected procedure calls to the other (strictly higher priority).' },
    { name: 'notify', doc: 'false: this end may not notify the other (default true).' },
  ],
  system: [],
};

/** Attribute values from a closed set. */
export const ATTRIBUTE_VALUES: Record<string, string[]> = {
  perms: ['r', 'rw', 'rx', 'rwx', 'x', 'wx'],
  trigger: ['level', 'edge'],
  cached: ['true', 'false'],
  passive: ['true', 'false'],
  smc: ['true', 'false'],
  pp: ['true', 'false'],
  notify: ['true', 'false'],
  page_size: ['0x1000', '0x200000'],
};

// The virtio-mmio devices of a guest's device tree, and which one is the console the VMM serves.
// A `virtio,mmio` node says nothing about its device kind in standard properties (the transport's
// DeviceID register does, at run time), so the kind comes from the node's name and labels, which
// real trees spell after the device: virtio-console@130000, virtio_blk@150000, virtio_net@160000,
// virtio_sound@170000 (libvmm's examples), hvc0, vda.
//
// The console's window and SPI: the project file's `virtio` keys when given; otherwise the console
// node's own `reg` and `interrupts` (the guest tree is the one place a project without a project file
// records them); otherwise libvmm's defaults (DEFAULT_VIRTIO). The linter and the emulator both ask
// here, so they agree on where the console is.
import { nameWords } from '../common/words';
import { getProperty, propertyCells, walkNodes, type DtNode, type DtTree } from '../devicetree/tree';
import { compatibles, isEnabled, regRanges } from './dt-facts';
import { DEFAULT_VIRTIO, type GuestConfig, type VirtioConsoleConfig } from './project-model';

export type VirtioKind = 'console' | 'block' | 'net' | 'sound' | 'vsock' | 'gpu' | 'rng' | 'input' | 'fs';

/** Words of a node name or label that name the device kind (whole words: see common/words.ts). */
const KIND_WORDS: Record<VirtioKind, readonly string[]> = {
  console: ['console', 'hvc', 'serial', 'tty'],
  block: ['blk', 'block', 'disk', 'vda', 'storage'],
  net: ['net', 'network', 'eth', 'ethernet'],
  sound: ['snd', 'sound', 'audio'],
  vsock: ['vsock', 'socket'],
  gpu: ['gpu', 'display'],
  rng: ['rng', 'entropy', 'random'],
  input: ['input', 'keyboard', 'mouse'],
  fs: ['fs'],
};

export function isVirtioMmio(node: DtNode): boolean {
  return compatibles(node).includes('virtio,mmio');
}

/** The device kind a virtio,mmio node's name or labels give, or undefined when they name none. */
export function virtioKind(node: DtNode): VirtioKind | undefined {
  const at = node.name.indexOf('@');
  const words = [at < 0 ? node.name : node.name.slice(0, at), ...node.labels].flatMap(nameWords);
  for (const [kind, names] of Object.entries(KIND_WORDS) as [VirtioKind, readonly string[]][]) {
    if (words.some((w) => names.includes(w))) return kind;
  }
  return undefined;
}

export interface VirtioDevice {
  node: DtNode;
  kind: VirtioKind | undefined;
  base: number;
  size: number;
}

export interface VirtioConsoleResolution {
  /** The window and SPI the VMM serves its console at. */
  window: VirtioConsoleConfig;
  /** The console's node, when one is found. */
  node?: DtNode;
  /** Enabled virtio,mmio nodes that are not the console: devices the VMM emulates (block, net, ...). */
  others: VirtioDevice[];
  /** Nodes of unknown kind among which the console could not be told apart (none named after it). */
  ambiguous: VirtioDevice[];
}

function device(node: DtNode): VirtioDevice | undefined {
  const reg = regRanges(node)[0];
  return reg ? { node, kind: virtioKind(node), base: reg.base, size: reg.size } : undefined;
}

/** The SPI number of a node's first interrupt when it is an SPI in GIC form (<0 n flags>). */
function spiOf(node: DtNode): number | undefined {
  const p = getProperty(node, 'interrupts');
  const cells = p ? propertyCells(p) : [];
  return cells.length >= 2 && cells[0] === 0 ? cells[1] : undefined;
}

/**
 * Which enabled virtio,mmio node is the console: the one at the project file's base when it gives
 * one; else the first named after a console; else the only one of unknown kind; else the one of
 * unknown kind at libvmm's default base.
 */
export function resolveVirtioConsole(guest: Pick<GuestConfig, 'virtio' | 'virtioSet'>, tree: DtTree | undefined): VirtioConsoleResolution {
  const devices = tree
    ? [...walkNodes(tree.root)]
        .filter((n) => isVirtioMmio(n) && isEnabled(n))
        .map(device)
        .filter((d): d is VirtioDevice => d !== undefined)
    : [];
  const set = guest.virtioSet;
  let console: VirtioDevice | undefined;
  let ambiguous: VirtioDevice[] = [];
  if (set.base !== undefined) {
    console = devices.find((d) => regRanges(d.node).some((r) => r.base === set.base));
  } else {
    console = devices.find((d) => d.kind === 'console');
    if (!console) {
      const unknown = devices.filter((d) => d.kind === undefined);
      console = unknown.length === 1 ? unknown[0] : unknown.find((d) => d.base === DEFAULT_VIRTIO.base);
      if (!console && unknown.length > 1) ambiguous = unknown;
    }
  }
  const window: VirtioConsoleConfig = {
    base: set.base ?? console?.base ?? guest.virtio.base,
    size: set.size ?? console?.size ?? guest.virtio.size,
    spi: set.spi ?? (console ? spiOf(console.node) : undefined) ?? guest.virtio.spi,
  };
  return { window, node: console?.node, others: devices.filter((d) => d !== console), ambiguous };
}

// Where a guest's device-tree files are, when the project file names none. Real projects keep them
// either beside the .system (sel4devkit: maaxboard.dts + maaxboard-overlay.dts; libvmm's simple
// example: linux.dts + overlay.dts) or in a folder per VM below it (libvmm's virtio example:
// client_vm_1/dts/linux.dts + init.dts + virtio.dts), and the build appends the overlays to the base
// (libvmm's dtscat; dtc then compiles the joined text).
//
// The rule (docs/project-file.md, "Finding the guests' device trees"):
// 1. Known file names beside the .system (below), as before.
// 2. Else the folder that belongs to the VM: the shallowest folder at most SEARCH_DEPTH levels below
//    the .system's (hidden folders, node_modules and build output skipped; at most SEARCH_FOLDERS
//    folders visited) whose name matches the VM's or its VMM's (see `belongsTo`). In it, or in its
//    `dts/` subfolder, the base is the one `.dts` with `/dts-v1/` (`linux.dts` when several), and the
//    overlays are the headerless `.dts` files beside it in name order, then those in `overlays/`.
// 3. A VM folder with overlays but no base borrows a base: the one whole tree in a folder between it
//    and the .system (libvmm once kept board/<board>/linux.dts there), else the base found for
//    another VM (libvmm's second client shared the first one's linux.dts). A note says which.
import type { Diagnostic } from '../common/diagnostics';
import { decodeUtf8, type FileHost } from '../common/host';
import { basename, dirname, join, relative } from '../common/paths';
import { nameWords } from '../common/words';
import type { VirtualMachine } from './model';

export const SEARCH_DEPTH = 3;
export const SEARCH_FOLDERS = 200;
const SKIPPED_FOLDERS = new Set(['node_modules', 'build', 'out', 'dist', 'target', 'zig-out', 'zig-cache', '.zig-cache']);
const TREE_EXTENSIONS = ['.dts', '.dtso'];
/** Words that name what a folder is, not which VM it is for ("client_vm_1" vs "client_linux-1"). */
const GENERIC_WORDS = new Set(['vm', 'vmm', 'linux', 'guest', 'dts', 'dt']);

export interface GuestFiles {
  /** Base first, then the overlays in the order the build appends them (absolute paths). */
  files: string[];
  /** Why the files are what they are, when a reader would ask (a borrowed base). */
  diagnostics: Diagnostic[];
}

/** Known file sets beside the .system, by the names the known examples use. */
function knownNamesBeside(dir: string, clientNumber: number, vm: VirtualMachine, host: FileHost): string[] {
  const n = clientNumber + 1;
  const sets: string[][] = [['board.dts', `guest-${n}.dts`], ['maaxboard.dts', 'maaxboard-overlay.dts'], ['linux.dts', 'overlay.dts'], [`${vm.name}.dts`]];
  for (const set of sets) {
    const paths = set.map((f) => join(dir, f));
    if (paths.every((p) => host.fileExists(p))) return paths;
  }
  return [];
}

/** nameWords keeps digits apart from letters, so a word that starts with a digit is a number. */
function isNumber(word: string): boolean {
  return word[0] >= '0' && word[0] <= '9';
}

function trailingNumber(ws: string[]): string | undefined {
  const last = ws[ws.length - 1];
  return last !== undefined && isNumber(last) ? String(Number(last)) : undefined;
}

/**
 * A folder belongs to a VM when its words equal the VM's or the VMM's, or when it ends in the same
 * number (or neither has one) and shares a word that is not generic with either name, or has no such
 * word at all ("vm1" for "client_linux-1").
 */
export function belongsTo(folder: string, vm: VirtualMachine): boolean {
  const f = nameWords(folder);
  if (f.length === 0) return false;
  const names = [nameWords(vm.name), nameWords(vm.vmm.name)];
  if (names.some((n) => n.join(' ') === f.join(' '))) return true;
  const fNumber = trailingNumber(f);
  const fWords = f.filter((w) => !isNumber(w) && !GENERIC_WORDS.has(w));
  return names.some((n) => {
    if (trailingNumber(n) !== fNumber) return false;
    return fWords.length === 0 ? fNumber !== undefined : fWords.some((w) => n.includes(w));
  });
}

interface TreeFolderScan {
  bases: string[];
  overlays: string[];
}

function isTreeFile(name: string): boolean {
  return TREE_EXTENSIONS.some((e) => name.endsWith(e));
}

/** The whole trees and the appendable overlays among a folder's device-tree files, in name order. */
function scanTreeFolder(dir: string, host: FileHost): TreeFolderScan {
  const out: TreeFolderScan = { bases: [], overlays: [] };
  for (const name of (host.listDirectory?.(dir) ?? []).filter(isTreeFile).sort()) {
    const path = join(dir, name);
    const bytes = host.readFile(path);
    if (!bytes) continue;
    const text = decodeUtf8(bytes);
    // A /plugin/ overlay is applied by a boot loader, not appended: not part of the joined source.
    if (text.includes('/plugin/')) continue;
    (text.includes('/dts-v1/') ? out.bases : out.overlays).push(path);
  }
  return out;
}

function pickBase(bases: string[]): string | undefined {
  if (bases.length === 1) return bases[0];
  return bases.find((b) => basename(b) === 'linux.dts');
}

/** Folders below `root`, breadth first (so shallower folders come first), bounded. */
function foldersBelow(root: string, host: FileHost): string[] {
  const out: string[] = [];
  let level = [root];
  for (let depth = 1; depth <= SEARCH_DEPTH && level.length > 0 && out.length < SEARCH_FOLDERS; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      for (const name of (host.listDirectory?.(dir) ?? []).sort()) {
        if (name.startsWith('.') || SKIPPED_FOLDERS.has(name) || host.fileExists(join(dir, name))) continue;
        const path = join(dir, name);
        // A name that lists nothing is a file (or an empty folder): nothing to find in it either way.
        if ((host.listDirectory?.(path) ?? []).length === 0) continue;
        next.push(path);
        if (out.length + next.length >= SEARCH_FOLDERS) break;
      }
      if (out.length + next.length >= SEARCH_FOLDERS) break;
    }
    out.push(...next);
    level = next;
  }
  return out;
}

interface VmFolderTrees {
  folder: string;
  treeDir: string;
  /** Every whole tree there; `base` is the one taken (undefined when none, or several and no linux.dts). */
  bases: string[];
  base?: string;
  overlays: string[];
}

/** The tree files in a VM's folder: the folder itself or its dts/ subfolder, plus overlays/ beside the base. */
function treesInVmFolder(folder: string, host: FileHost): VmFolderTrees | undefined {
  for (const treeDir of [folder, join(folder, 'dts')]) {
    const scan = scanTreeFolder(treeDir, host);
    const more = scanTreeFolder(join(treeDir, 'overlays'), host);
    const overlays = [...scan.overlays, ...more.overlays];
    const base = pickBase(scan.bases);
    if (scan.bases.length > 0 || overlays.length > 0) return { folder, treeDir, bases: scan.bases, base, overlays };
  }
  return undefined;
}

/**
 * Find each VM's device-tree files below the .system's folder (the rule at the top of this file).
 * `vms` are the VMs that name no files in the project file, with their serial client numbers.
 */
export function findGuestFiles(systemDir: string, vms: { vm: VirtualMachine; clientNumber: number }[], host: FileHost): Map<string, GuestFiles> {
  const out = new Map<string, GuestFiles>();
  const pending: { vm: VirtualMachine; found: VmFolderTrees }[] = [];
  const shown = (p: string) => relative(systemDir, p);
  let folders: string[] | undefined;
  let besideScan: TreeFolderScan | undefined;
  for (const { vm, clientNumber } of vms) {
    const beside = knownNamesBeside(systemDir, Math.max(0, clientNumber), vm, host);
    if (beside.length > 0) {
      out.set(vm.name, { files: beside, diagnostics: [] });
      continue;
    }
    folders ??= foldersBelow(systemDir, host);
    const found = folders
      .filter((f) => belongsTo(basename(f), vm))
      .map((f) => treesInVmFolder(f, host))
      .find((t) => t !== undefined);
    if (!found) {
      // Overlays beside the .system with no base (sel4devkit's single-guest repository keeps only its
      // overlay; the board tree comes from the kernel build): say what is missing.
      besideScan ??= scanTreeFolder(systemDir, host);
      if (besideScan.bases.length === 0 && besideScan.overlays.length > 0) {
        out.set(vm.name, {
          files: [],
          diagnostics: [
            note(
              vm,
              `${besideScan.overlays.map((o) => basename(o)).join(', ')} beside the .system ${besideScan.overlays.length === 1 ? 'is an overlay' : 'are overlays'} with no base tree to append to; name the base (the board's tree) and the overlays in the project file's "dts"`,
            ),
          ],
        });
      }
      continue;
    }
    if (found.base) out.set(vm.name, { files: [found.base, ...found.overlays], diagnostics: [] });
    else if (found.bases.length > 1) {
      // Several whole trees and none called linux.dts: which one the build uses is not for us to guess.
      out.set(vm.name, {
        files: [],
        diagnostics: [
          note(
            vm,
            `${shown(found.treeDir)} has several whole trees (${found.bases.map((b) => basename(b)).join(', ')}) and none is linux.dts; name the files in the project file's "dts"`,
          ),
        ],
      });
    } else pending.push({ vm, found });
  }
  for (const { vm, found } of pending) {
    const borrowed = baseAbove(found.folder, systemDir, host) ?? baseOfOtherVm(out);
    if (!borrowed) continue;
    out.set(vm.name, {
      files: [borrowed.path, ...found.overlays],
      diagnostics: [
        note(
          vm,
          `${shown(found.treeDir)} has overlays but no base tree; using ${shown(borrowed.path)}${borrowed.from ? `, the base of '${borrowed.from}'` : ''} (name the files in the project file's "dts" to choose)`,
        ),
      ],
    });
  }
  return out;
}

/** What was found for a VM and why, on its <virtual_machine>. */
function note(vm: VirtualMachine, text: string): Diagnostic {
  return { severity: 'info', code: 'project-guest-files', message: `'${vm.name}': ${text}`, range: vm.element.nameRange, subject: vm.name };
}

/** The one whole tree in a folder between `folder` (exclusive) and `top` (inclusive). */
function baseAbove(folder: string, top: string, host: FileHost): { path: string; from?: string } | undefined {
  for (let dir = dirname(folder); dir.length >= top.length; dir = dirname(dir)) {
    const base = pickBase(scanTreeFolder(dir, host).bases);
    if (base) return { path: base };
    if (dir === top || dir === '/') break;
  }
  return undefined;
}

/** The base found for another VM, when all the others that have one agree on it. */
function baseOfOtherVm(found: Map<string, GuestFiles>): { path: string; from: string } | undefined {
  const bases = [...found].filter(([, g]) => g.diagnostics.length === 0 && g.files.length > 0).map(([vm, g]) => ({ path: g.files[0], from: vm }));
  return bases.length > 0 && bases.every((b) => b.path === bases[0].path) ? bases[0] : undefined;
}

// A project file written out from what was inferred, for a user who has none yet (the language
// server's quick fix on a <virtual_machine> creates it): every guest's trees, console window and DTB
// placement, the serial configuration and roles, as loadProject would read them back. Keys
// and value forms are the schema's (schemas/dual-guest.schema.json), so the file is valid as written.
import type { DtTree } from '../devicetree/tree';
import { basename, dirname, relative } from '../common/paths';
import { hex } from './model';
import type { Project } from './project';
import { resolveVirtioConsole } from './virtio';

/** The switch character as the schema takes it: the character itself when printable, else its byte value. */
function switchChar(byte: number): string | number {
  return byte > 0x20 && byte < 0x7f ? String.fromCharCode(byte) : byte;
}

/**
 * The project file's text for `project` (loaded without a project file), to be written at
 * `projectFile`. `trees` are the guests' compiled trees by VM name (for the console's window); a
 * guest whose trees were not found gets an empty "dts" to fill in.
 */
export function inferredProjectText(project: Project, projectFile: string, trees: ReadonlyMap<string, DtTree | undefined>): string {
  const dir = dirname(projectFile);
  const rel = (p: string): string => (dirname(p) === dir ? basename(p) : relative(dir, p));
  const guests: Record<string, unknown> = {};
  for (const g of project.guests) {
    const entry: Record<string, unknown> = {};
    if (!g.boot) entry.boot = false;
    entry.dts = g.dtFiles.map(rel);
    if (g.includePaths.length > 0) entry.includePaths = g.includePaths.map(rel);
    if (g.virtioConsole) {
      const { window } = resolveVirtioConsole(g, trees.get(g.vm));
      entry.virtio = { base: hex(window.base), size: hex(window.size), spi: window.spi };
    }
    entry.dtbAddr = hex(g.dtbAddr);
    // initrdAddr is left out: given, it is checked against linux,initrd-start, and the default is no
    // knowledge of where the real VMM copies the initrd.
    guests[g.vm] = entry;
  }
  const s = project.serial;
  const r = project.roles;
  const file: Record<string, unknown> = {
    system: rel(project.systemFile),
    serial: { switchChar: switchChar(s.switchChar), clientBase: s.clientBase, colour: s.colour, beginString: s.beginString, baud: s.baud },
  };
  if (r.driver && r.virtRx && r.virtTx) {
    file.roles = { uartDriver: r.driver, rxVirtualiser: r.virtRx, txVirtualiser: r.virtTx, clients: r.clients.map((c) => c.pd) };
  }
  file.guests = guests;
  return JSON.stringify(file, null, 2) + '\n';
}

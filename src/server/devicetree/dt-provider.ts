// Which trees an open file belongs to. A project (the setting, else the nearest dual-guest.json above
// the file, else a .system beside it) names each guest's files; a file none of them reads gets a
// guessed tree: itself when it is a whole tree (/dts-v1/), else the base it overlays with the other
// overlays beside it, or the files beside it that include it.
import { basename, dirname, join, resolve } from '../../common/paths';
import { findProjectFileFor } from '../../system';
import { SEARCH_DEPTH } from '../../system/guest-files';
import type { AnalysisUnit } from '../unit';
import { isSystemFile, type UnitProvider, type Workspace } from '../workspace';
import { DtUnit } from './dt-unit';
import { projectUnit } from '../system/project-unit';

const DT_EXTENSIONS = ['.dts', '.dtsi', '.dtso', '.overlay'];

export function isDevicetreeFile(path: string): boolean {
  return DT_EXTENSIONS.some((e) => path.endsWith(e));
}

export class DevicetreeUnitProvider implements UnitProvider {
  unitsFor(path: string, ws: Workspace): AnalysisUnit[] {
    if (isSystemFile(path)) {
      const projectFile = findProjectFileFor(path, ws.host) ?? path;
      return [projectUnit(ws, projectFile)];
    }
    if (!isDevicetreeFile(path) && ws.docs.get(path)?.languageId !== 'devicetree') return [];
    return treesFor(path, ws);
  }
}

/**
 * The project that governs `path`, if any: the setting, else the nearest dual-guest.json above it,
 * else the nearest .system beside it or up to SEARCH_DEPTH folders above it (guest trees live in a
 * folder per VM below the .system: src/system/guest-files.ts). The caller checks that the project
 * really reads the file.
 */
export function projectFileFor(path: string, ws: Workspace): string | undefined {
  if (ws.settings.projectFile) return ws.settings.projectFile;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const candidate = join(dir, 'dual-guest.json');
    if (ws.host.fileExists(candidate)) return candidate;
    if (dir === '/' || dir === '.') break;
  }
  let dir = dirname(path);
  for (let level = 0; level <= SEARCH_DEPTH; level++, dir = dirname(dir)) {
    const system = ws.disk
      .listDirectory(dir)
      .filter((n) => n.endsWith('.system'))
      .sort()[0];
    if (system) return join(dir, system);
    if (dir === '/' || dir === '.') break;
  }
  return undefined;
}

/** The trees (DtUnits, and the project unit whose cross checks cover them) that read `path`. */
export function treesFor(path: string, ws: Workspace): AnalysisUnit[] {
  const out: AnalysisUnit[] = [];
  const projectFile = projectFileFor(path, ws);
  if (projectFile) {
    const project = projectUnit(ws, projectFile);
    const mine = project.guestUnits.filter((u) => u.deps.has(path));
    if (mine.length > 0) return [project, ...mine];
  }
  // Trees that other open files brought in and that read this file (a base under an open overlay).
  // (Not this file's own guess: that is re-derived from its current text, which may have stopped or
  // started being a whole tree.)
  const existing = ws.liveUnits().filter((u): u is DtUnit => u instanceof DtUnit && u.deps.has(path) && !(u.files.length === 1 && u.files[0] === path));
  if (existing.length > 0) return existing.map((u) => ws.unit(u.key, () => u));
  const guess = guessTree(path, ws);
  for (const files of guess.candidates) {
    const unit = ws.unit(
      DtUnit.keyFor(files, guess.includePaths),
      () => new DtUnit(files, guess.includePaths, 'guess', () => ws.settings, undefined, false, ws.frontEnds),
    );
    if (unit.deps.has(path)) out.push(unit);
    if (out.length > 0 && !path.endsWith('.dtsi')) break;
  }
  if (out.length === 0) {
    const files = [path];
    const fragment = !guess.whole;
    out.push(
      ws.unit(
        DtUnit.keyFor(files, guess.includePaths, fragment),
        () => new DtUnit(files, guess.includePaths, 'guess', () => ws.settings, undefined, fragment, ws.frontEnds),
      ),
    );
  }
  return out;
}

function textOf(ws: Workspace, path: string): string {
  return ws.host.readText(path) ?? '';
}

/** Candidate file lists for a file no project names, most likely first. */
function guessTree(path: string, ws: Workspace): { candidates: string[][]; includePaths: string[]; whole: boolean } {
  const dir = dirname(path);
  const includePaths = [...ws.settings.includePaths.map((p) => resolve(dir, p)), join(dir, 'include')];
  const text = textOf(ws, path);
  if (text.includes('/dts-v1/')) return { candidates: [[path]], includePaths, whole: true };
  const siblings = ws.disk
    .listDirectory(dir)
    .filter((n) => n.endsWith('.dts') && join(dir, n) !== path)
    .sort();
  const siblingText = new Map(siblings.map((n) => [n, textOf(ws, join(dir, n))]));
  const bases = siblings.filter((n) => siblingText.get(n)!.includes('/dts-v1/'));
  const name = basename(path);
  if (path.endsWith('.dtsi')) {
    // A fragment: the trees beside it that include it.
    return { candidates: bases.filter((n) => siblingText.get(n)!.includes(name)).map((n) => [join(dir, n)]), includePaths, whole: false };
  }
  // An overlay without a header goes on a base beside it: "x-overlay.dts" on "x.dts", else the usual
  // base names, else any base. The tree is that base followed by every headerless .dts beside it that
  // goes on it (this file included) and that the base does not #include itself: libvmm splits a
  // guest's overlays into linux.dts + init.dts + virtio.dts, and dtc sees them appended in one tree.
  // Order: init.dts first (every libvmm Makefile and build.zig lists it right after the base: it
  // replaces memory and chosen), then the others by name.
  const overlays = [name, ...siblings.filter((n) => !bases.includes(n))];
  const basesFor = (overlay: string): string[] => {
    const stem = overlay.replace('.dts', '').replace('-overlay', '').replace('_overlay', '');
    const rank = (n: string): number => (n === `${stem}.dts` ? 0 : n === 'linux.dts' || n === 'board.dts' ? 1 : 2);
    return [...bases].sort((a, b) => rank(a) - rank(b));
  };
  const order = (a: string, b: string): number => Number(b === 'init.dts') - Number(a === 'init.dts') || (a < b ? -1 : a > b ? 1 : 0);
  const candidates = basesFor(name).map((base) => {
    const onBase = overlays.filter((n) => n === name || (basesFor(n)[0] === base && !siblingText.get(base)!.includes(n)));
    return [join(dir, base), ...onBase.sort(order).map((n) => join(dir, n))];
  });
  return { candidates, includePaths, whole: false };
}

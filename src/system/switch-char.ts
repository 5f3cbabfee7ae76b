// The RX virtualiser's switch character: which byte it is and where that came from, so the user can
// be told (terminal banners, the status tooltip). Precedence, highest first:
//   1. the project file's `serial.switchChar`: the system's own, shared description, read alike by
//      lint, the language server, the CLI and the extension;
//   2. an explicit choice for this run or workspace (the `switchCharacter` setting, `--switch-char`),
//      for systems without a project file; shadowed by 1, which the description then says;
//   3. `SERIAL_SWITCH_CHAR` from the system's `serial_config.h` (sDDF before sdfgen compiled it into
//      virt_rx; the sel4devkit system defines it as 64, '@'), read through our own preprocessor;
//   4. sdfgen's default, 0x1c (Ctrl-\).

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { decodeUtf8, type FileHost } from '../common/host';
import { basename, dirname, resolve } from '../common/paths';
import { preprocess, type MacroDefinition } from '../devicetree/preprocessor';
import { evaluateMacro } from '../devicetree/preprocessor/if-expression';

/** sdfgen's default switch character: Ctrl-\. */
export const DEFAULT_SWITCH_CHAR = 0x1c;
export const SERIAL_CONFIG_HEADER = 'serial_config.h';
export const SWITCH_CHAR_MACRO = 'SERIAL_SWITCH_CHAR';

/** A switch character chosen outside the project file; `label` names where ("--switch-char"). */
export interface SwitchCharOverride {
  value: number;
  label: string;
}

export type SwitchCharOrigin =
  | { kind: 'project'; file: string; range?: SourceRange; shadowed?: SwitchCharOverride }
  | { kind: 'override'; label: string }
  | { kind: 'header'; file: string; range: SourceRange }
  /** `unusableHeader`: a serial_config.h whose SERIAL_SWITCH_CHAR could not be evaluated (reported). */
  | { kind: 'default'; unusableHeader?: string };

/**
 * Where a user's build keeps serial_config.h, relative to a folder: beside the .system (the
 * sel4devkit layout, src/), or in the example's include folder (sDDF's include/serial_config/).
 */
const HEADER_PLACES = [SERIAL_CONFIG_HEADER, `include/${SERIAL_CONFIG_HEADER}`, `include/serial_config/${SERIAL_CONFIG_HEADER}`, `src/${SERIAL_CONFIG_HEADER}`];
/** Folders above the .system's that are searched too (a .system in board/<name>/ or build/). */
const HEADER_SEARCH_UP = 2;

/** The places searched for serial_config.h, nearest first: bounded, no directory listing. */
export function serialConfigCandidates(systemFile: string): string[] {
  const out: string[] = [];
  let dir = dirname(systemFile);
  for (let up = 0; up <= HEADER_SEARCH_UP; up++) {
    for (const place of HEADER_PLACES) out.push(resolve(dir, place));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/**
 * SERIAL_SWITCH_CHAR from the nearest serial_config.h that defines it. A definition that cannot be
 * evaluated (or is not a byte) ends the search with a warning at it: a farther header is not the
 * system's. Its own `#include`s of sDDF and Microkit headers need not resolve.
 */
export function switchCharFromHeader(systemFile: string, host: FileHost): HeaderResult {
  for (const file of serialConfigCandidates(systemFile)) {
    // fileExists first: most candidates do not exist, and a failed read costs more than a stat.
    const bytes = host.fileExists(file) ? host.readFile(file) : undefined;
    if (!bytes) continue;
    const text = decodeUtf8(bytes);
    // The language server asks on every analysis of the project: evaluate a header once per text
    // (of it and of any file it included).
    const cached = headerCache.get(file);
    let result: HeaderResult | undefined;
    if (cached && cached.text === text && cached.included.every(([f, t]) => readText(host, f) === t)) {
      result = cached.result;
    } else {
      const evaluated = evaluateHeader(file, text, host);
      result = evaluated.result;
      if (headerCache.size >= HEADER_CACHE_LIMIT) headerCache.clear();
      headerCache.set(file, { text, included: evaluated.included.map((f) => [f, readText(host, f)]), result });
    }
    if (result) return result;
  }
  return { diagnostics: [] };
}

type HeaderResult = { value?: number; file?: string; range?: SourceRange; diagnostics: Diagnostic[] };
const headerCache = new Map<string, { text: string; included: [string, string | undefined][]; result: HeaderResult | undefined }>();
const HEADER_CACHE_LIMIT = 32;

function readText(host: FileHost, file: string): string | undefined {
  const bytes = host.readFile(file);
  return bytes && decodeUtf8(bytes);
}

/** One header's SERIAL_SWITCH_CHAR (undefined when it does not define it), and the other files it read. */
function evaluateHeader(file: string, text: string, host: FileHost): { result?: HeaderResult; included: string[] } {
  // Its #includes are read when they resolve beside it (a macro may come from one); sDDF's need not.
  const pp = preprocess(file, text, { includePaths: [], host });
  const included = pp.files.filter((f) => f !== file);
  return { result: headerValue(file, pp.macros), included };
}

function headerValue(file: string, macros: Map<string, MacroDefinition>): HeaderResult | undefined {
  const def = macros.get(SWITCH_CHAR_MACRO);
  if (!def?.nameRange) return undefined;
  const range = def.nameRange;
  const { value, diagnostics } = evaluateMacro(SWITCH_CHAR_MACRO, macros);
  const warn = (message: string, at: SourceRange | undefined): Diagnostic => ({
    severity: 'warning',
    code: 'project-switch-char',
    range: at ?? range,
    message: `the switch character cannot be taken from ${SWITCH_CHAR_MACRO}: ${message} (set "serial.switchChar" in the project file)`,
  });
  if (value === undefined) return { file, diagnostics: diagnostics.map((d) => warn(d.message, d.range)) };
  // A char constant may read negative ('\xff' is -1 as a signed char): the byte is what virt_rx compares.
  if (value < -128n || value > 255n) return { file, diagnostics: [warn(`its value ${value} is not a character`, range)] };
  return { value: Number(value) & 0xff, file, range, diagnostics: [] };
}

/** The switch character by the precedence above, with its origin and the header's diagnostics. */
export function resolveSwitchChar(input: {
  project?: { value: number; file: string; range?: SourceRange };
  override?: SwitchCharOverride;
  systemFile: string;
  host: FileHost;
}): { value: number; origin: SwitchCharOrigin; diagnostics: Diagnostic[] } {
  const { project, override } = input;
  if (project) {
    const shadowed = override && override.value !== project.value ? override : undefined;
    return { value: project.value, origin: { kind: 'project', file: project.file, range: project.range, shadowed }, diagnostics: [] };
  }
  if (override) return { value: override.value, origin: { kind: 'override', label: override.label }, diagnostics: [] };
  const header = switchCharFromHeader(input.systemFile, input.host);
  if (header.value !== undefined && header.file && header.range) {
    return { value: header.value, origin: { kind: 'header', file: header.file, range: header.range }, diagnostics: [] };
  }
  return { value: DEFAULT_SWITCH_CHAR, origin: { kind: 'default', unusableHeader: header.file }, diagnostics: header.diagnostics };
}

/**
 * A switch character typed as text (the setting, `--switch-char`): one character ("@"), a control
 * key ("Ctrl-\", "Ctrl+]", "^\"), or a byte value ("0x1c", or decimal with two or more digits, "28";
 * a single digit is that digit's character). Undefined when it is none of these.
 */
export function parseSwitchChar(text: string): number | undefined {
  if (text.length === 1) return text.charCodeAt(0) < 0x100 ? text.charCodeAt(0) : undefined;
  const lower = text.toLowerCase();
  const key = lower.startsWith('ctrl-') || lower.startsWith('ctrl+') ? text.slice(5) : text.startsWith('^') ? text.slice(1) : undefined;
  if (key !== undefined) {
    if (key.length !== 1) return undefined;
    if (key === '?') return 0x7f;
    const c = key.toUpperCase().charCodeAt(0);
    return c >= 0x40 && c <= 0x5f ? c - 0x40 : undefined;
  }
  const hex = lower.startsWith('0x');
  const digits = hex ? lower.slice(2) : lower;
  if (digits.length === 0 || digits.length > 3) return undefined;
  for (const c of digits) if (!((c >= '0' && c <= '9') || (hex && c >= 'a' && c <= 'f'))) return undefined;
  const n = parseInt(digits, hex ? 16 : 10);
  return n <= 0xff ? n : undefined;
}

/** How a key is written on screen and in help text: 0x1c is "Ctrl-\", 0x40 is "'@'". */
export function describeKey(byte: number): string {
  if (byte < 0x20) return `Ctrl-${String.fromCharCode(byte + 0x40)}`;
  if (byte === 0x7f) return 'Ctrl-?';
  if (byte >= 0x80) return `0x${byte.toString(16)}`;
  return `'${String.fromCharCode(byte)}'`;
}

/**
 * The switch character and where it came from, for banners and tooltips:
 * "'@' (from the project file dual-guest.json)". `displayPath` shortens a header's path.
 */
export function describeSwitchChar(value: number, origin: SwitchCharOrigin, displayPath: (file: string) => string = basename): string {
  const key = describeKey(value);
  switch (origin.kind) {
    case 'project':
      // Its name alone: where the project is, is said beside it.
      return `${key} (from the project file ${basename(origin.file)}${origin.shadowed ? `, over ${origin.shadowed.label}'s ${describeKey(origin.shadowed.value)}` : ''})`;
    case 'override':
      return `${key} (from ${origin.label})`;
    case 'header':
      return `${key} (from ${SWITCH_CHAR_MACRO} in ${displayPath(origin.file)}:${origin.range.start.line + 1})`;
    case 'default':
      return `${key} (sdfgen's default${origin.unusableHeader ? `: ${SWITCH_CHAR_MACRO} in ${displayPath(origin.unusableHeader)} could not be read` : ''})`;
  }
}

// The macros `cpp -undef -nostdinc -x assembler-with-cpp` has before reading a file (gcc's cpplib:
// `-dM` lists the ordinary ones; the dynamic ones are computed at each use), how they are spelled,
// and which redefinitions cpp warns about. The values that depend on the machine (file times, the
// clock, SOURCE_DATE_EPOCH) come from the host; see Preprocessor.dynamicValue.

import type { MacroDefinition } from './macros';

/** Macros whose value cpp computes where they are used. */
export const DYNAMIC_MACRO_NAMES = [
  '__FILE__',
  '__LINE__',
  '__DATE__',
  '__TIME__',
  '__TIMESTAMP__',
  '__COUNTER__',
  '__BASE_FILE__',
  '__FILE_NAME__',
  '__INCLUDE_LEVEL__',
] as const;
export type DynamicMacroName = (typeof DYNAMIC_MACRO_NAMES)[number];

/**
 * The table a run starts from. The definitions are shared constants (their identity tells a
 * predefined macro from a user's definition of the same name); -undef leaves only these three
 * ordinary ones, and -nostdinc keeps glibc's stdc-predef.h out.
 */
export const PREDEFINED_MACROS: ReadonlyMap<string, MacroDefinition> = new Map<string, MacroDefinition>([
  ...DYNAMIC_MACRO_NAMES.map((name): [string, MacroDefinition] => [name, { name, body: '', dynamic: true }]),
  ['__STDC__', { name: '__STDC__', body: '1' }],
  ['__STDC_HOSTED__', { name: '__STDC_HOSTED__', body: '1' }],
  ['__ASSEMBLER__', { name: '__ASSEMBLER__', body: '1' }],
]);

/** True when the table holds a definition other than the predefined ones. */
export function hasUserMacros(macros: ReadonlyMap<string, MacroDefinition>): boolean {
  for (const [name, def] of macros) if (PREDEFINED_MACROS.get(name) !== def) return true;
  return false;
}

/** True when the text names a predefined macro (one scan: every name starts with "__"). */
export function mentionsPredefinedMacro(text: string): boolean {
  for (let i = text.indexOf('__'); i >= 0; i = text.indexOf('__', i + 2)) {
    let start = i;
    while (start > 0 && isWordChar(text.charCodeAt(start - 1))) start--;
    let end = i + 2;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    if (PREDEFINED_MACROS.has(text.slice(start, end))) return true;
    i = end - 2;
  }
  return false;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * cpp warns on a `#define` or `#undef` of a defined macro, even to the same value, when it is one
 * of its dynamic macros (-Wbuiltin-macro-redefined, on by default), or when the name is marked to
 * warn (cpplib's NODE_WARN, which stays with the name after a user redefines it): __STDC__,
 * __LINE__, __COUNTER__, __INCLUDE_LEVEL__, and any `__STDC_` name but the three C++ ones.
 */
export function warnsOnRedefinition(name: string, current: MacroDefinition): boolean {
  if (current.dynamic || NODE_WARN_NAMES.has(name)) return true;
  return name.startsWith('__STDC_') && !CXX_STDC_MACROS.has(name);
}
const NODE_WARN_NAMES = new Set(['__STDC__', '__LINE__', '__COUNTER__', '__INCLUDE_LEVEL__']);
const CXX_STDC_MACROS = new Set(['__STDC_FORMAT_MACROS', '__STDC_LIMIT_MACROS', '__STDC_CONSTANT_MACROS']);

/** `"..."` with `\` and `"` escaped, as cpp quotes a file name. */
export function quoteFileName(name: string): string {
  return '"' + name.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** The part of a path after its last '/' (`__FILE_NAME__`). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The latest SOURCE_DATE_EPOCH gcc accepts (9999-12-31 23:59:59 UTC). */
const MAX_SOURCE_DATE_EPOCH = 253402300799;

export const SOURCE_DATE_EPOCH_ERROR = `environment variable 'SOURCE_DATE_EPOCH' must expand to a non-negative integer less than or equal to ${MAX_SOURCE_DATE_EPOCH}`;

/**
 * SOURCE_DATE_EPOCH read as gcc reads it (strtoll in base 10, the whole value): seconds, or
 * 'invalid'. Leading blanks and a sign are accepted; anything after the digits is not.
 */
export function parseSourceDateEpoch(value: string): number | 'invalid' {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(value);
  if (m === null) return 'invalid';
  const n = Number(m[2]);
  const v = m[1] === '-' ? -n : n;
  return v === 0 ? 0 : v < 0 || v > MAX_SOURCE_DATE_EPOCH ? 'invalid' : v;
}

/** A moment as a calendar reads it, in some time zone. */
interface BrokenDownTime {
  year: number;
  /** 0-11 */
  month: number;
  day: number;
  /** 0 = Sunday */
  weekday: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Seconds since the epoch, shifted by `utcOffsetMinutes`, as a calendar date (proleptic Gregorian). */
export function brokenDown(epochSeconds: number, utcOffsetMinutes: number): BrokenDownTime {
  const t = Math.floor(epochSeconds) + utcOffsetMinutes * 60;
  const days = Math.floor(t / 86400);
  const secs = t - days * 86400;
  // Days to civil date (H. Hinnant's algorithm), eras of 400 years.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 2 : mp - 10;
  const year = yoe + era * 400 + (month <= 1 ? 1 : 0);
  return {
    year,
    month,
    day,
    weekday: (((days + 4) % 7) + 7) % 7,
    hours: Math.floor(secs / 3600),
    minutes: Math.floor((secs % 3600) / 60),
    seconds: secs % 60,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `__DATE__`: "Sep 16 1973" (gcc's "%s %2d %4d"). */
export function cppDate(t: BrokenDownTime): string {
  return `"${MONTHS[t.month]} ${String(t.day).padStart(2)} ${String(t.year).padStart(4)}"`;
}

/** `__TIME__`: "01:03:52". */
export function cppTime(t: BrokenDownTime): string {
  return `"${two(t.hours)}:${two(t.minutes)}:${two(t.seconds)}"`;
}

/** `__TIMESTAMP__`: asctime's "Sun Sep 16 01:03:52 1973". */
export function cppTimestamp(t: BrokenDownTime): string {
  return `"${WEEKDAYS[t.weekday]} ${MONTHS[t.month]} ${String(t.day).padStart(2)} ${two(t.hours)}:${two(t.minutes)}:${two(t.seconds)} ${t.year}"`;
}

/** What gcc expands the macros to when the time cannot be read. */
export const UNKNOWN_DATE = '"??? ?? ????"';
export const UNKNOWN_TIME = '"??:??:??"';
export const UNKNOWN_TIMESTAMP = '"??? ??? ?? ??:??:?? ????"';

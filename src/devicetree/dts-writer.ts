// Canonical DTS output as `dtc -O dts` (1.6.1 treesource.c) writes it: values are printed from the
// type markers that record how the source wrote them (strings, <cells>, /bits/, [bytes]), labels
// stay where they were, references are shown as the numbers they resolved to, and a value without
// type information is printed as the type its bytes look like.

import { liveChildren, liveProperties, type DtNode, type DtProperty, type DtTree, type Marker, type MarkerKind } from './tree';

type EmitType = 'none' | 'type-u8' | 'type-u16' | 'type-u32' | 'type-u64' | 'type-string';

const DELIM_START: Record<EmitType, string> = {
  none: '',
  'type-u8': '[',
  'type-u16': '/bits/ 16 <',
  'type-u32': '<',
  'type-u64': '/bits/ 64 <',
  'type-string': '',
};
const DELIM_END: Record<EmitType, string> = { none: '', 'type-u8': ']', 'type-u16': '>', 'type-u32': '>', 'type-u64': '>', 'type-string': '' };

function isTypeMarker(k: MarkerKind): k is Exclude<EmitType, 'none'> {
  return k === 'type-u8' || k === 'type-u16' || k === 'type-u32' || k === 'type-u64' || k === 'type-string';
}

function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** dtc's isstring(): printable, NUL, or one of the C escapes. */
function isStringByte(c: number): boolean {
  return isPrint(c) || c === 0 || (c >= 7 && c <= 13);
}

/** dtc's guess_value_type for a value with no type markers. */
function guessType(p: DtProperty): EmitType {
  const b = p.value.bytes;
  const len = b.length;
  let notString = 0,
    nul = 0,
    notStringLabel = 0,
    notCellLabel = 0;
  for (let i = 0; i < len; i++) {
    if (!isStringByte(b[i])) notString++;
    if (b[i] === 0) nul++;
  }
  for (const m of p.value.markers) {
    if (m.kind !== 'label') continue;
    if (m.offset > 0 && b[m.offset - 1] !== 0) notStringLabel++;
    if (m.offset % 4 !== 0) notCellLabel++;
  }
  if (b[len - 1] === 0 && notString === 0 && nul <= len - nul && notStringLabel === 0) return 'type-string';
  if (len % 4 === 0 && notCellLabel === 0) return 'type-u32';
  return 'type-u8';
}

function hex2(v: number | bigint): string {
  const s = v.toString(16);
  return s.length < 2 ? '0' + s : s;
}

function writeInts(b: Uint8Array, start: number, len: number, width: number): string {
  const parts: string[] = [];
  for (let p = start; p + width <= start + len; p += width) {
    if (width === 1) parts.push(hex2(b[p]));
    else {
      let v = 0n;
      for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(b[p + i]);
      parts.push('0x' + hex2(v));
    }
  }
  return parts.join(' ');
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 92: '\\\\', 34: '\\"', 0: '\\0' };

function writeString(b: Uint8Array, start: number, len: number): string {
  if (len === 0) return '';
  let out = '"';
  // The final byte is the terminating NUL.
  for (let i = start; i < start + len - 1; i++) {
    const c = b[i];
    const e = ESCAPES[c];
    if (e) out += e;
    else if (isPrint(c)) out += String.fromCharCode(c);
    // dtc prints a plain (signed) char with %02x: bytes from 0x80 come out sign-extended.
    else out += '\\x' + (c >= 0x80 ? 'ffffff' : '') + hex2(c);
  }
  return out + '"';
}

function writeValue(p: DtProperty): string {
  const b = p.value.bytes;
  const len = b.length;
  if (len === 0) return `${p.name};`;
  let out = `${p.name} =`;
  let markers: Marker[] = p.value.markers;
  if (!markers.some((m) => isTypeMarker(m.kind))) {
    const guessed = guessType(p);
    markers = [{ kind: guessed === 'none' ? 'type-u8' : guessed, offset: 0 }, ...markers];
  }
  let emit: EmitType = 'none';
  for (let i = 0; i < markers.length; i++) {
    const m = markers[i];
    const next = markers[i + 1];
    const chunkLen = (next ? next.offset : len) - m.offset;
    const nextType = markers.slice(i + 1).find((x) => isTypeMarker(x.kind));
    const typeLen = nextType ? nextType.offset - m.offset : 0;
    const dataLen = typeLen || len - m.offset;
    if (isTypeMarker(m.kind)) {
      emit = m.kind;
      out += ` ${DELIM_START[emit]}`;
    } else if (m.kind === 'label') out += ` ${m.ref}:`;
    else if (m.offset) out += ' ';
    if (emit === 'none') continue;
    if (chunkLen > 0) {
      switch (emit) {
        case 'type-u16':
          out += writeInts(b, m.offset, chunkLen, 2);
          break;
        case 'type-u32':
          out += writeInts(b, m.offset, chunkLen, 4);
          break;
        case 'type-u64':
          out += writeInts(b, m.offset, chunkLen, 8);
          break;
        case 'type-string':
          out += writeString(b, m.offset, chunkLen);
          break;
        default:
          out += writeInts(b, m.offset, chunkLen, 1);
      }
    }
    if (chunkLen === dataLen) {
      const pos = m.offset + chunkLen;
      out += DELIM_END[emit] + (pos === len ? '' : ',');
      emit = 'none';
    }
  }
  return out + ';';
}

function writeNode(node: DtNode, level: number, out: string[]): void {
  const indent = '\t'.repeat(level);
  const labels = node.labels.map((l) => `${l}: `).join('');
  out.push(`${indent}${labels}${node.name ? node.name : '/'} {\n`);
  for (const p of liveProperties(node)) out.push(`${indent}\t${p.labels.map((l) => `${l}: `).join('')}${writeValue(p)}\n`);
  for (const c of liveChildren(node)) {
    out.push('\n');
    writeNode(c, level + 1, out);
  }
  out.push(`${indent}};\n`);
}

function hex16(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** The tree as dtc's canonical DTS text. */
export function writeDts(tree: DtTree): string {
  const out: string[] = ['/dts-v1/;\n\n'];
  for (const r of tree.memreserves) {
    out.push(`${r.labels.map((l) => `${l}: `).join('')}/memreserve/\t0x${hex16(r.address)} 0x${hex16(r.size)};\n`);
  }
  if (!tree.root.deleted) writeNode(tree.root, 0, out);
  return out.join('');
}

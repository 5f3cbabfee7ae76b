// The compatible strings a user's Linux kernel carries. Each driver's of_match_table holds its
// `compatible` strings as NUL-terminated plain text in .rodata (uncompressed Image or ELF vmlinux),
// so the strings of the image that equal a compatible of the guest's tree are the devices it can
// bind. A string can also come from elsewhere (a quirk table, of_machine_is_compatible), which makes
// the list err on the side of "has a driver": the linter then warns rather than stays silent.

/** arm64 Image header: "ARM\x64" at offset 0x38 (Documentation/arch/arm64/booting.rst). */
const ARM64_MAGIC_OFFSET = 0x38;
const ARM64_MAGIC = [0x41, 0x52, 0x4d, 0x64];
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const GZIP_MAGIC = [0x1f, 0x8b];
/** Longer strings are not compatibles (the longest in mainline are well under this). */
const MAX_COMPATIBLE = 128;

function startsWith(bytes: Uint8Array, at: number, magic: number[]): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

/** A byte that may appear in a compatible string: lower-case letters, digits and , . _ + - (and upper case, which some vendors use). */
function compatibleByte(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || b === 0x2c || b === 0x2e || b === 0x5f || b === 0x2b || b === 0x2d;
}

export type KernelImageScan = { compatibles: Set<string> } | { error: string };

/**
 * Every NUL-terminated string of the image that could be a compatible (NUL before and after, only
 * compatible characters, at most MAX_COMPATIBLE bytes). Refuses images whose strings are not plain:
 * compressed ones (Image.gz) and anything that is neither an arm64 Image nor an ELF file.
 */
export function scanKernelImage(bytes: Uint8Array): KernelImageScan {
  if (startsWith(bytes, 0, GZIP_MAGIC)) return { error: 'it is gzip-compressed (Image.gz): name the uncompressed Image' };
  if (!startsWith(bytes, ARM64_MAGIC_OFFSET, ARM64_MAGIC) && !startsWith(bytes, 0, ELF_MAGIC)) {
    return { error: 'it is neither an arm64 Linux Image (no "ARM\\x64" magic at 0x38) nor an ELF vmlinux' };
  }
  const out = new Set<string>();
  const latin1 = new TextDecoder('latin1');
  let start = -1; // first byte of the current run of compatible bytes, after a NUL; -1 when none
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) {
      if (start >= 0 && i > start && i - start <= MAX_COMPATIBLE) out.add(latin1.decode(bytes.subarray(start, i)));
      start = i + 1;
    } else if (start >= 0 && !compatibleByte(b)) start = -1;
  }
  return { compatibles: out };
}

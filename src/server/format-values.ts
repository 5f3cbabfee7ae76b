// Numbers as people read them in hovers: sizes in KiB/MiB/GiB, addresses in hex.

export function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}

/** "240 MiB" for exact multiples, "1.5 KiB" otherwise, "512 bytes" below 1 KiB. */
export function humanSize(n: number | bigint): string {
  const v = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
  const units: [bigint, string][] = [
    [1n << 40n, 'TiB'],
    [1n << 30n, 'GiB'],
    [1n << 20n, 'MiB'],
    [1n << 10n, 'KiB'],
  ];
  for (const [size, name] of units) {
    if (v >= size) {
      if (v % size === 0n) return `${v / size} ${name}`;
      return `${(Number(v) / Number(size)).toFixed(2).replace(/\.?0+$/, '')} ${name}`;
    }
  }
  return `${v} byte${v === 1n ? '' : 's'}`;
}

/** "0xf000000 (240 MiB)". */
export function sizeWithHex(n: number | bigint): string {
  return `${hex(n)} (${humanSize(n)})`;
}

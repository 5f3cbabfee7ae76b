// The physical address map of device registers: each device registers its ranges here, so that
// tools (and tests) can find and read a device by physical address, and the inspector can list them.
// PDs that own a device (the UART driver) hold it directly, as their mapping of its frame.

export interface RegisterDevice {
  readonly name: string;
  /** A 32-bit register read at an offset inside the device's range. */
  read(offset: number): number;
  write(offset: number, value: number): void;
  getState?(): unknown;
}

export interface BusRange {
  base: number;
  size: number;
  device: RegisterDevice;
}

export class PhysicalBus {
  private readonly ranges: BusRange[] = [];

  /** Register a device's range; false (and nothing registered) when it overlaps another. */
  map(base: number, size: number, device: RegisterDevice): boolean {
    if (this.ranges.some((r) => base < r.base + r.size && r.base < base + size)) return false;
    this.ranges.push({ base, size, device });
    this.ranges.sort((a, b) => a.base - b.base);
    return true;
  }

  find(paddr: number): BusRange | undefined {
    return this.ranges.find((r) => paddr >= r.base && paddr < r.base + r.size);
  }

  /** A register read by physical address; undefined where no device answers. */
  read(paddr: number): number | undefined {
    const r = this.find(paddr);
    return r ? r.device.read(paddr - r.base) : undefined;
  }

  write(paddr: number, value: number): boolean {
    const r = this.find(paddr);
    if (!r) return false;
    r.device.write(paddr - r.base, value);
    return true;
  }

  list(): { name: string; base: number; size: number }[] {
    return this.ranges.map((r) => ({ name: r.device.name, base: r.base, size: r.size }));
  }
}

// Fills sDDF's serial configuration structures in a real PD's memory, as sdfgen (sDDF's system
// description generator) fills the `.serial_*_config` sections of the PD's ELF: the magic, each
// connection's queue and data regions (address and size) and channel id, the clients' names, the
// switch and terminator characters, the begin string. Offsets come from the layout probe.
import type { SddfLayout } from './layout';

export interface ConnectionValues {
  queue: { vaddr: number; size: number };
  data: { vaddr: number; size: number };
  id: number;
}

export class ConfigWriter {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  constructor(
    readonly layout: SddfLayout,
    buffer: ArrayBuffer,
    private readonly base: number,
    readonly size: number,
  ) {
    this.view = new DataView(buffer, base, size);
    this.bytes = new Uint8Array(buffer, base, size);
    this.bytes.fill(0);
  }

  private check(at: number, n: number): void {
    if (at < 0 || at + n > this.size) throw new RangeError(`sDDF config field at ${at} (+${n}) outside the ${this.size}-byte config section`);
  }

  u8(at: number, v: number): void {
    this.check(at, 1);
    this.view.setUint8(at, v & 0xff);
  }
  ptr(at: number, v: number): void {
    this.check(at, 4);
    this.view.setUint32(at, v >>> 0, true);
  }
  u64(at: number, v: number): void {
    this.check(at, 8);
    this.view.setBigUint64(at, BigInt(v), true);
  }
  /** A NUL-terminated string in a field of `max` bytes (truncated to max-1, as sdfgen refuses longer). */
  str(at: number, s: string, max: number): void {
    const n = Math.min(s.length, max - 1);
    this.check(at, n + 1);
    for (let i = 0; i < n; i++) this.bytes[at + i] = s.charCodeAt(i) & 0xff;
    this.bytes[at + n] = 0;
  }
  magic(at: number, m: Uint8Array): void {
    this.check(at, m.length);
    this.bytes.set(m, at);
  }

  region(at: number, r: { vaddr: number; size: number }): void {
    this.ptr(at + this.layout.get('region.vaddr'), r.vaddr);
    this.u64(at + this.layout.get('region.size'), r.size);
  }

  connection(at: number, c: ConnectionValues): void {
    const l = this.layout;
    this.region(at + l.get('conn.queue'), c.queue);
    this.region(at + l.get('conn.data'), c.data);
    this.u8(at + l.get('conn.id'), c.id);
  }

  get address(): number {
    return this.base;
  }
}

export interface VirtRxValues {
  driver: ConnectionValues;
  clients: ConnectionValues[];
  switchChar: number;
  terminator: number;
}

export function writeVirtRxConfig(w: ConfigWriter, v: VirtRxValues): void {
  const l = w.layout;
  checkClients(l, v.clients.length);
  w.magic(l.get('virt_rx.magic'), l.serialMagic);
  w.connection(l.get('virt_rx.driver'), v.driver);
  v.clients.forEach((c, i) => w.connection(l.get('virt_rx.clients') + i * l.get('conn.sizeof'), c));
  w.u8(l.get('virt_rx.num_clients'), v.clients.length);
  w.u8(l.get('virt_rx.switch_char'), v.switchChar);
  w.u8(l.get('virt_rx.terminate_num_char'), v.terminator);
}

export interface VirtTxValues {
  driver: ConnectionValues;
  clients: { conn: ConnectionValues; name: string }[];
  beginString: string;
  colour: boolean;
  rxEnabled: boolean;
}

export function writeVirtTxConfig(w: ConfigWriter, v: VirtTxValues): void {
  const l = w.layout;
  checkClients(l, v.clients.length);
  w.magic(l.get('virt_tx.magic'), l.serialMagic);
  w.connection(l.get('virt_tx.driver'), v.driver);
  v.clients.forEach((c, i) => {
    const at = l.get('virt_tx.clients') + i * l.get('tx_client.sizeof');
    w.connection(at + l.get('tx_client.conn'), c.conn);
    w.str(at + l.get('tx_client.name'), c.name, l.get('name_length'));
  });
  w.u8(l.get('virt_tx.num_clients'), v.clients.length);
  w.str(l.get('virt_tx.begin_str'), v.beginString, l.get('begin_str_max'));
  w.u8(l.get('virt_tx.enable_colour'), v.colour ? 1 : 0);
  w.u8(l.get('virt_tx.enable_rx'), v.rxEnabled ? 1 : 0);
}

export interface DriverValues {
  rx: ConnectionValues;
  tx: ConnectionValues;
  baud: number;
  rxEnabled: boolean;
}

export function writeDriverConfig(w: ConfigWriter, v: DriverValues): void {
  const l = w.layout;
  w.magic(l.get('driver.magic'), l.serialMagic);
  w.connection(l.get('driver.rx'), v.rx);
  w.connection(l.get('driver.tx'), v.tx);
  w.u64(l.get('driver.default_baud'), v.baud);
  w.u8(l.get('driver.rx_enabled'), v.rxEnabled ? 1 : 0);
}

export interface DeviceValues {
  regions: { vaddr: number; size: number; ioAddr: number }[];
  irqs: number[];
}

export function writeDeviceResources(w: ConfigWriter, v: DeviceValues): void {
  const l = w.layout;
  w.magic(l.get('device.magic'), l.deviceMagic);
  w.u8(l.get('device.num_regions'), v.regions.length);
  w.u8(l.get('device.num_irqs'), v.irqs.length);
  v.regions.forEach((r, i) => {
    const at = l.get('device.regions') + i * l.get('device_region.sizeof');
    w.region(at + l.get('device_region.region'), r);
    w.ptr(at + l.get('device_region.io_addr'), r.ioAddr);
  });
  v.irqs.forEach((id, i) => w.u8(l.get('device.irqs') + i * l.get('device_irq.sizeof') + l.get('device_irq.id'), id));
}

export function writeClientConfig(w: ConfigWriter, v: { rx: ConnectionValues; tx: ConnectionValues }): void {
  const l = w.layout;
  w.magic(l.get('client.magic'), l.serialMagic);
  w.connection(l.get('client.rx'), v.rx);
  w.connection(l.get('client.tx'), v.tx);
}

function checkClients(l: SddfLayout, n: number): void {
  if (n > l.get('max_clients')) throw new RangeError(`${n} serial clients: sDDF allows at most ${l.get('max_clients')}`);
}

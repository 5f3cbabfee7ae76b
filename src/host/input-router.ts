// Typing into one guest's terminal goes through the real data path: the bytes go onto the UART's
// RX line, and the RX virtualiser routes them. So when the target changes, the switch sequence
// (switch char, client number in the virtualiser's numbering, '\r') is typed first, as a user at the
// board's serial port would; a literal switch char is doubled, which virt_rx delivers as itself.

export interface SwitchConfig {
  switchChar: number;
  /** 0 on the real sDDF virt_rx. */
  clientBase: number;
}

export class InputRouter {
  /** The client the RX virtualiser will deliver to once the bytes already typed are read; undefined when unknown. */
  private target: number | undefined;

  constructor(
    private readonly config: SwitchConfig,
    initialClient: number | undefined = 0,
  ) {
    this.target = initialClient;
  }

  /** The line bytes that deliver `bytes` to `client`. */
  forClient(client: number, bytes: Uint8Array): Uint8Array {
    const sw = this.config.switchChar;
    const prefix = this.target === client ? [] : this.switchSequence(client);
    this.target = client;
    let doubled = 0;
    for (const b of bytes) if (b === sw) doubled++;
    const out = new Uint8Array(prefix.length + bytes.length + doubled);
    out.set(prefix);
    let o = prefix.length;
    for (const b of bytes) {
      out[o++] = b;
      if (b === sw) out[o++] = b;
    }
    return out;
  }

  /** Raw bytes typed on the line itself may contain their own switch sequences: the target is unknown afterwards. */
  forLine(bytes: Uint8Array): Uint8Array {
    if (bytes.length > 0) this.target = undefined;
    return bytes;
  }

  /** After a reset the virtualiser starts again at client 0. */
  reset(client = 0): void {
    this.target = client;
  }

  currentTarget(): number | undefined {
    return this.target;
  }

  switchSequence(client: number): number[] {
    const digits = String(client + this.config.clientBase);
    return [this.config.switchChar, ...Array.from(digits, (c) => c.charCodeAt(0)), 0x0d];
  }
}

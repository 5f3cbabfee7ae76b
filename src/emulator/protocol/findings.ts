// What the protocol checker reports: one finding per rule and subject (later trips count), in the
// order found, at virtual times that do not depend on how the host slices time.
import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import { PROTOCOL_RULES, type ProtocolRuleCode } from './rule-table';

export interface ProtocolFinding {
  rule: ProtocolRuleCode;
  /** Virtual time of the first trip. */
  timeNs: number;
  /** The PD (or VM) whose code broke the rule or that the rule is about. */
  pd: string;
  /** The queue, virtqueue or channel ("uart_driver -> serial_virt_rx", "client_linux-1 transmitq0"). */
  subject: string;
  message: string;
  /** Who waits for whom, first the waiting side (stalls only). */
  waitChain?: string[];
  /** How many times the rule tripped on this subject. */
  count: number;
}

/** Findings kept at most; later subjects are counted only. */
export const MAX_FINDINGS = 200;

export class FindingList {
  readonly list: ProtocolFinding[] = [];
  private readonly byKey = new Map<string, ProtocolFinding>();
  dropped = 0;
  /** Called on every new finding (the session posts it to the Problems panel). */
  onFinding: ((f: ProtocolFinding) => void) | undefined;

  report(f: Omit<ProtocolFinding, 'count'>): void {
    const key = `${f.rule}\u0000${f.subject}`;
    const seen = this.byKey.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    if (this.list.length >= MAX_FINDINGS) {
      this.dropped++;
      return;
    }
    const finding = { ...f, count: 1 };
    this.byKey.set(key, finding);
    this.list.push(finding);
    this.onFinding?.(finding);
  }
}

/**
 * A finding as a diagnostic at the `.system` element of its PD or VM (`rangeOf`), for the Problems
 * panel; the stall's wait chain goes into the message.
 */
export function findingDiagnostic(f: ProtocolFinding, rangeOf: (pdOrVm: string) => SourceRange | undefined): Diagnostic {
  const at = (f.timeNs / 1e6).toFixed(3);
  const times = f.count > 1 ? ` (${f.count} times)` : '';
  return { severity: PROTOCOL_RULES[f.rule].severity, code: f.rule, subject: f.pd, range: rangeOf(f.pd), message: `${f.message} [at ${at} ms${times}]` };
}

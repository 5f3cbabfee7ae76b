// A vCPU's virtual timer (the ARM generic timer's virtual counter as seL4 exposes it): one deadline;
// when it passes, the vCPU is woken and its program's onTimer() runs at the start of its next slice.
import type { Device } from '../kernel';

export class VirtualTimer implements Device {
  deadline = Infinity;
  fired = false;
  constructor(readonly name: string) {}
  arm(deadlineNs: number): void {
    this.deadline = deadlineNs;
    this.fired = false;
  }
  nextDeadline(): number {
    return this.fired ? Infinity : this.deadline;
  }
  advance(now: number): void {
    if (this.deadline <= now) {
      this.fired = true;
      this.deadline = Infinity;
    }
  }
  /** Consume a firing (true once per deadline reached). */
  take(): boolean {
    const f = this.fired;
    this.fired = false;
    return f;
  }
  /** Disarmed, nothing pending (a guest reset). */
  reset(): void {
    this.deadline = Infinity;
    this.fired = false;
  }
  getState(): { deadline: number; fired: boolean } {
    return { deadline: this.deadline, fired: this.fired };
  }
  setState(s: { deadline: number; fired: boolean }): void {
    this.deadline = s.deadline;
    this.fired = s.fired;
  }
}

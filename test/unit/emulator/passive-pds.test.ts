// Passive PDs in the example's dual-guest system. Microkit binds a passive PD's scheduling context to
// its notification after init() (manual.md:189; monitor/src/main.c:738-748 at cfd5216), so a passive
// virtualiser, or a passive driver that owns the UART's IRQ, runs on every notification as on the
// board: both guests boot and answer through it.
import { strict as assert } from 'assert';
import { bootBoth, dualSystem, runUntil, type DualSystem } from './guest-harness';

const MS = 1_000_000;

function passive(...names: string[]): DualSystem {
  return dualSystem({
    edit: (c) => {
      for (const pd of c.pds) if (names.includes(pd.name)) pd.passive = true;
    },
  });
}

/** Type at the UART and run until the UART line (after this point) shows `expect`. */
function answers(sys: DualSystem, input: string, expect: string): void {
  const start = sys.uart().length;
  sys.emulator.typeInput(input);
  const ok = runUntil(sys, () => sys.uart().slice(start).includes(expect), 300 * MS, MS);
  assert.ok(ok, `no ${JSON.stringify(expect)} on the UART after ${JSON.stringify(input)}: ${JSON.stringify(sys.uart().slice(start).slice(-300))}`);
}

function bothGuestsAnswer(sys: DualSystem): void {
  assert.ok(bootBoth(sys), `no login prompts: ${JSON.stringify(sys.uart().slice(-300))}`);
  answers(sys, 'root\r', '# ');
  answers(sys, 'echo one\r', 'one\r\n# ');
  answers(sys, '@1\r', '');
  answers(sys, 'root\r', '# ');
  answers(sys, 'echo two\r', 'two\r\n# ');
}

describe('emulator: passive PDs in the dual-guest system', function () {
  this.timeout(30000);

  it('boots with serial_virt_tx passive and both guests answer', () => {
    const sys = passive('serial_virt_tx');
    bothGuestsAnswer(sys);
    assert.ok(sys.logs().includes("MON: MON|INFO: PD 'serial_virt_tx' is now passive!"), sys.logs().slice(0, 10).join('\n'));
    assert.notEqual(sys.uart().replace('Begin input\r\n', ''), '', 'more than the begin string left the UART');
  });

  it('boots with a passive UART driver that owns the IRQ (and passive virtualisers); both guests answer', () => {
    const sys = passive('uart_driver', 'serial_virt_rx', 'serial_virt_tx');
    bothGuestsAnswer(sys);
    for (const pd of ['uart_driver', 'serial_virt_rx', 'serial_virt_tx']) assert.ok(sys.logs().includes(`MON: MON|INFO: PD '${pd}' is now passive!`), pd);
  });
});

// libvmm's QEMU virt examples as they are, in a real VS Code (code-server) on copies of the corpus
// folders (../shared/corpus; missing, the test fails loudly), with no project file: "Boot dual
// guests" on libvmm-simple-qemu gives its one guest a terminal that shows the guest alone, the Linux
// model's PL011 driver reaches a shell on ttyAMA0 and a typed command answers with no switch
// sequence; on libvmm-virtio-two-clients the two console clients boot through sDDF's PL011 driver
// and answer in their own terminals, and the block driver VM, whose tree is not in the folder, is
// named in a warning. Screenshots in test-results/e2e/qemu-virt-*.png.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { packageVsix } from '../../scripts/package-vsix';
import { corpusPath } from '../conformance/corpus';
import { PROJECT_ROOT, requireCodeServer } from './code-server';
import { E2ESession } from './session';
import { commandTitle, focusTerminal, logIn, runCommand, runInShell, screenshot, terminalNames, waitForTerminals, waitForUnwrapped } from './workbench';

const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string };
const extensionId = `${manifest.publisher}.${manifest.name}`;

/**
 * Opens the folder's .system from the Explorer (Quick Open's file search may still be indexing), waits
 * for activation and runs "Boot dual guests" from the palette.
 */
async function bootFolder(session: E2ESession, systemFile: string): Promise<void> {
  const { page } = session;
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: systemFile }).first().click();
  await page.locator('.tab.active', { hasText: systemFile }).waitFor({ state: 'visible', timeout: 30_000 });
  await session.waitForActivation(extensionId, 60_000);
  await runCommand(session.page, commandTitle('microkitDualGuest.boot'));
}

describe('e2e: libvmm-simple-qemu, a guest that owns the PL011 (QEMU virt)', function () {
  this.timeout(300_000);
  let session: E2ESession | undefined;
  const GUEST = 'guest 1 · linux';

  before(async function () {
    requireCodeServer();
    const folder = path.dirname(corpusPath('libvmm-simple-qemu', 'simple.system'));
    const vsix = await packageVsix();
    session = await E2ESession.open({ workspace: folder, vsix: [vsix], name: 'qemu-virt-simple' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `qemu-virt-simple-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
  });

  it('"Boot dual guests" gives the guest its terminal; it logs in on ttyAMA0 and a typed command answers', async () => {
    assert.ok(session, 'the session did not start');
    const { page } = session;
    await bootFolder(session, 'simple.system');
    await waitForTerminals(page, [GUEST]);
    await focusTerminal(page, GUEST);
    await logIn(page, 'linux');
    assert.equal(await runInShell(page, 'uname -n'), 'linux');
    // The console is the PL011's tty, its interrupt the UART's own (INTID 33) passed through the VMM.
    assert.match(await runInShell(page, 'cat /proc/interrupts'), /^ *13: +[1-9]\d* +GIC-0 +33 Level +uart-pl011$/m);
    await screenshot(page, 'qemu-virt-simple-shell');
    assert.deepStrictEqual(session.extensionHostErrors([], [extensionId]), []);
  });
});

describe('e2e: libvmm-virtio-two-clients as a bare folder (QEMU virt, sDDF on the PL011)', function () {
  this.timeout(300_000);
  let session: E2ESession | undefined;
  const GUEST_1 = 'guest 1 · client_linux-1';
  const GUEST_2 = 'guest 2 · client_linux-2';

  before(async function () {
    requireCodeServer();
    const folder = path.dirname(corpusPath('libvmm-virtio-two-clients', 'virtio.system'));
    const vsix = await packageVsix();
    session = await E2ESession.open({ workspace: folder, vsix: [vsix], name: 'qemu-virt-two-clients' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `qemu-virt-two-clients-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
  });

  it('both console clients boot and answer in their own terminals; the block driver VM is named as not booted', async () => {
    assert.ok(session, 'the session did not start');
    const { page } = session;
    await bootFolder(session, 'virtio.system');
    const names = await waitForTerminals(page, [GUEST_1, GUEST_2, 'Serial port']);
    assert.ok(!names.some((n) => n.includes('blk_driver_linux')), `terminals: ${names.join(' | ')}`);
    // The boot says which VM it left out, on the Serial port terminal as the CLI prints it.
    // Its notices come first, before the boot's lines scroll them away.
    await focusTerminal(page, 'Serial port');
    await runCommand(page, 'Terminal: Scroll to Top');
    await waitForUnwrapped(page, /warning: 'blk_driver_linux' is not booted: no device tree is named or found for it/, 30_000);
    await focusTerminal(page, GUEST_1);
    await logIn(page, 'client_linux-1');
    assert.equal(await runInShell(page, 'uname -n'), 'client_linux-1');
    await focusTerminal(page, GUEST_2);
    await logIn(page, 'client_linux-2');
    assert.equal(await runInShell(page, 'uname -n'), 'client_linux-2');
    await screenshot(page, 'qemu-virt-two-clients-shell');
    assert.ok(!(await terminalNames(page)).some((n) => n.includes('blk_driver_linux')));
    assert.deepStrictEqual(session.extensionHostErrors([], [extensionId]), []);
  });
});

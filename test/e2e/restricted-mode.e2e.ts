// Workspace trust: in Restricted Mode (a folder the user has not trusted) the language features work,
// and "Boot dual guests" asks for trust instead of running the workspace's system. The other e2e
// tests run with trust off; this one turns it on, with no startup prompt.
import * as assert from 'assert';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { packageVsix } from '../../scripts/package-vsix';
import { PROJECT_ROOT, requireCodeServer } from './code-server';
import { E2ESession } from './session';
import { commandTitle, openFile, runCommand, screenshot, terminalNames, waitForNotification, waitForProblem } from './workbench';

describe('e2e: Restricted Mode (an untrusted workspace)', function () {
  this.timeout(300_000);
  let session: E2ESession | undefined;

  before(async function () {
    requireCodeServer();
    const vsix = await packageVsix();
    session = await E2ESession.open({
      workspace: path.join(PROJECT_ROOT, 'examples', 'dual-guest'),
      vsix: [vsix],
      name: 'restricted-mode',
      restrictedMode: true,
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      await screenshot(session.page, `restricted-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await session?.close();
  });

  it('the language features work: a syntax error in a tree is in the Problems panel', async () => {
    const { page, workspace } = session!;
    writeFileSync(path.join(workspace, 'broken.dts'), '/dts-v1/;\n/ {\n\tx = <1;\n};\n');
    await openFile(page, 'broken.dts');
    await waitForProblem(page, /syntax error/, 60_000);
    await screenshot(page, 'restricted-1-problems');
  });

  it('booting asks for trust and starts nothing', async () => {
    const { page } = session!;
    await runCommand(page, commandTitle('microkitDualGuest.boot'));
    const text = await waitForNotification(page, /trust the workspace first/);
    assert.match(text, /Restricted Mode keeps the language features/);
    await screenshot(page, 'restricted-2-boot-asks-for-trust');
    assert.deepEqual(
      (await terminalNames(page)).filter((n) => n.includes('client_linux')),
      [],
    );
  });
});

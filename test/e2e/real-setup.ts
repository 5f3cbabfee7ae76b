// What the e2e tests that boot with real components share: when they cannot run (no clang/wasm-ld,
// no pinned sources beside the clone), a workspace of the default example set to `real` with its
// project file naming the pinned sDDF, and the queue inspector's counters read in one call.
import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { packageVsix } from '../../scripts/package-vsix';
import { ToolchainMissingError } from '../../src/emulator/real/toolchain';
import { findTools, sharedUpstreamSddf } from '../../src/node/wasm-toolchain';
import { PROJECT_ROOT, requireCodeServer } from './code-server';
import { E2ESession } from './session';

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'dual-guest');

/** Why the real components cannot be built here (the test is then one pending test saying so), or undefined. */
export function realComponentsSkipReason(): string | undefined {
  const tools = findTools();
  if (tools instanceof ToolchainMissingError) return tools.message;
  const sddf = sharedUpstreamSddf(PROJECT_ROOT);
  if (!sddf) return 'the pinned sDDF sources (../shared/upstream/sddf beside the clone) are not there';
  if (!existsSync(path.join(path.dirname(sddf), 'libvmm', 'src')))
    return 'the pinned libvmm sources (../shared/upstream/libvmm beside the clone) are not there';
  return undefined;
}

/**
 * A session on a copy of the default example with the components setting `real`. The installed
 * extension finds no sDDF beside itself, so the project file names the pinned one; `prepare` may
 * change the workspace further before the extension activates.
 */
export async function openRealComponentsSession(name: string, extensionId: string, prepare?: (workspace: string) => void): Promise<E2ESession> {
  requireCodeServer();
  const vsix = await packageVsix();
  const session = await E2ESession.open({
    workspace: EXAMPLE,
    vsix: [vsix],
    name,
    settings: { 'microkitDualGuest.emulator.components': 'real' },
  });
  const projectFile = path.join(session.workspace, 'dual-guest.json');
  const project = JSON.parse(readFileSync(projectFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(projectFile, JSON.stringify({ ...project, sddf: sharedUpstreamSddf(PROJECT_ROOT) }, null, 2));
  prepare?.(session.workspace);
  await session.waitForActivation(extensionId, 60_000);
  return session;
}

/** Each sDDF queue card's name, head and tail, one line per card. */
export async function queueCounters(inspector: FrameLocator): Promise<string> {
  const cards = await inspector
    .locator('article.queue[data-queue]')
    .evaluateAll((els) =>
      els.map(
        (card) =>
          `${card.getAttribute('data-queue') ?? '?'} ${card.querySelector('[data-field="head"]')?.textContent ?? ''} ${card.querySelector('[data-field="tail"]')?.textContent ?? ''}`,
      ),
    );
  return cards.join('\n');
}

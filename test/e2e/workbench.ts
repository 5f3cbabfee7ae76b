// Driving the VS Code workbench in the page the way a person does: keyboard, palette, views. The
// selectors are VS Code 1.100's DOM (see /work/shared/docs/E2E.md).
import * as assert from 'assert';
import { copyFileSync, mkdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { FrameLocator, Locator, Page } from 'playwright-core';
import { PROJECT_ROOT } from './code-server';

export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results', 'e2e');
/** The README's pictures, committed: each e2e run takes them again, so they show what the extension does now. */
export const README_PICTURE_DIR = path.join(PROJECT_ROOT, 'docs', 'images');

/** The palette title of one of our commands ("Category: Title"), from the manifest. */
export function commandTitle(id: string): string {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    contributes: { commands: { command: string; title: string; category?: string }[] };
  };
  const c = manifest.contributes.commands.find((x) => x.command === id);
  assert.ok(c, `package.json contributes no command ${id}`);
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_INPUT_ROW = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

/** Waits until the workbench is drawn and the extension host has connected (status bar present). */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
}

async function closeQuickInput(page: Page): Promise<void> {
  if (await page.locator(QUICK_INPUT).isVisible()) {
    await page.keyboard.press('Escape');
    await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 5_000 });
  }
}

/** The palette row whose label is exactly `label` (the palette also shows fuzzy matches). */
function paletteEntry(page: Page, label: string): Locator {
  return page.locator(QUICK_INPUT_ROW).filter({
    has: page.locator('.quick-input-list-entry .label-name', { hasText: exactly(label) }),
  });
}

/**
 * Runs a command by its title as the palette shows it (e.g. "Developer: Show Running Extensions").
 * Throws, naming what the palette offered, when no entry has exactly that title.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  await closeQuickInput(page);
  await page.keyboard.press('F1');
  const input = page.locator(QUICK_INPUT_BOX);
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const entry = paletteEntry(page, title).first();
  try {
    await entry.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const offered = await page.locator(`${QUICK_INPUT_ROW} .label-name`).allInnerTexts();
    await closeQuickInput(page);
    throw new Error(`The command palette has no command "${title}"; it offered: ${offered.join(' | ') || '(nothing)'}`);
  }
  await entry.click();
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Opens a workspace file through Quick Open (Ctrl+P), by its path relative to the folder. */
export async function openFile(page: Page, relativePath: string, timeoutMs = 15_000): Promise<void> {
  await closeQuickInput(page);
  await page.keyboard.press('Control+P');
  const input = page.locator(QUICK_INPUT_BOX);
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(relativePath);
  const name = path.posix.basename(relativePath);
  const entry = page
    .locator(QUICK_INPUT_ROW)
    .filter({ has: page.locator('.label-name', { hasText: name }) })
    .first();
  await entry.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Searches the Extensions view for "@installed <displayName>" and waits for an entry with exactly
 * that name; returns the entry. Throws, naming what the view listed, when there is none.
 */
export async function findInstalledExtension(page: Page, displayName: string, timeoutMs = 30_000): Promise<Locator> {
  await runCommand(page, 'View: Show Extensions');
  // The search box is a small Monaco editor: focus it and replace its text.
  const search = page.locator('.extensions-viewlet .suggest-input-container .monaco-editor');
  await search.waitFor({ state: 'visible', timeout: timeoutMs });
  await search.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(`@installed ${displayName}`);
  const item = page
    .locator('.extensions-viewlet .extension-list-item')
    .filter({
      has: page.locator('.name', { hasText: exactly(displayName) }),
    })
    .first();
  try {
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const listed = await page.locator('.extensions-viewlet .extension-list-item .name').allInnerTexts();
    throw new Error(`The Extensions view lists no installed "${displayName}"; it lists: ${listed.join(' | ') || '(nothing)'}`);
  }
  return item;
}

/**
 * Names of the extensions the extension host has activated, from "Developer: Show Running
 * Extensions" (an editor listing each active extension with its activation time).
 */
export async function runningExtensionNames(page: Page, timeoutMs = 30_000): Promise<string[]> {
  await runCommand(page, 'Developer: Show Running Extensions');
  const names = page.locator('.runtime-extensions-editor .extension .name');
  await names.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return names.allInnerTexts();
}

/** Text of the visible terminal, one string per row, trailing blanks trimmed (DOM renderer needed). */
export async function readTerminal(page: Page): Promise<string> {
  const rows = page.locator('.xterm-rows').filter({ visible: true }).last().locator('> div');
  const lines = await rows.allTextContents();
  return lines
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n+$/, '');
}

/** Waits until the visible terminal's text matches `pattern`; returns that text. */
export async function waitForTerminalText(page: Page, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await readTerminal(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`The terminal never showed ${pattern}; it shows:\n${text}`);
}

/** The Problems panel's rows as VS Code announces them to screen readers (panel must be open). */
async function problemRows(page: Page): Promise<string[]> {
  const labels: string[] = [];
  for (const row of await page.locator('.markers-panel .monaco-list-row').all()) {
    labels.push((await row.getAttribute('aria-label')) ?? (await row.innerText()));
  }
  return labels;
}

async function showProblems(page: Page, timeoutMs: number): Promise<void> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Opens the Problems panel and returns its rows as VS Code announces them to screen readers: a row
 * per file ("1 problems in file a.dts of folder .") followed by a row per marker ("Error: message at
 * line 1 and character 1."). Empty when there are no problems.
 */
export async function readProblems(page: Page, timeoutMs = 15_000): Promise<string[]> {
  await showProblems(page, timeoutMs);
  return problemRows(page);
}

/**
 * Opens the Problems panel and waits until some row matches `pattern` (diagnostics arrive
 * asynchronously from the language server); returns all rows then.
 */
export async function waitForProblem(page: Page, pattern: RegExp, timeoutMs = 30_000): Promise<string[]> {
  await showProblems(page, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  let rows: string[] = [];
  while (Date.now() < deadline) {
    rows = await problemRows(page);
    if (rows.some((r) => pattern.test(r))) return rows;
    await page.waitForTimeout(250);
  }
  throw new Error(`No problem matching ${pattern} appeared; the Problems panel shows:\n${rows.join('\n') || '(nothing)'}`);
}

/** Messages of the notification toasts on screen. */
export async function readNotifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
}

/** Waits for a notification toast whose message matches `pattern`; returns its message. */
export async function waitForNotification(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return toast.innerText();
}

/**
 * The content of a webview (panel or view). VS Code nests it twice: an outer `iframe.webview` that
 * it marks `.ready` once loaded, and the extension's page in the inner `#active-frame`.
 * `index` picks among several webviews in DOM order.
 */
export async function webviewContent(page: Page, index = 0, timeoutMs = 30_000): Promise<FrameLocator> {
  const outer = page.locator('iframe.webview.ready').nth(index);
  await outer.waitFor({ state: 'attached', timeout: timeoutMs });
  const inner = outer.contentFrame().locator('#active-frame');
  await inner.waitFor({ state: 'attached', timeout: timeoutMs });
  return inner.contentFrame();
}

/** Saves a PNG of the whole page to test-results/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Saves a PNG of the whole page as the README picture docs/images/<name>.png (and, like every
 * screenshot, to test-results/e2e/readme-<name>.png); returns its path. The README test fails when
 * the README names a picture no e2e test takes this way.
 */
export async function readmePicture(page: Page, name: string): Promise<string> {
  const taken = await screenshot(page, `readme-${name}`);
  mkdirSync(README_PICTURE_DIR, { recursive: true });
  const file = path.join(README_PICTURE_DIR, `${name}.png`);
  copyFileSync(taken, file);
  return file;
}

/** A pattern matching `text` exactly, give or take surrounding white space. */
function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/** The terminal panel's tab rows (shown once there are two terminals or more). */
function terminalTabs(page: Page): Locator {
  return page.locator('.terminal-tabs-entry');
}

/** Names of the terminals in the terminal panel's tab list, in order. */
export async function terminalNames(page: Page): Promise<string[]> {
  return (await terminalTabs(page).allInnerTexts()).map((t) => t.trim());
}

/** Waits until the terminal tab list holds an entry for each of `names` (more are allowed); returns all names. */
export async function waitForTerminals(page: Page, names: readonly string[], timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let shown: string[] = [];
  while (Date.now() < deadline) {
    shown = await terminalNames(page);
    if (names.every((n) => shown.some((s) => s.includes(n)))) return shown;
    await page.waitForTimeout(250);
  }
  throw new Error(`The terminal panel never listed ${names.join(', ')}; it lists: ${shown.join(' | ') || '(nothing)'}`);
}

/**
 * Makes the terminal named `name` the visible one by clicking its tab (showing the terminal panel
 * first if needed), then gives it the keyboard focus by clicking into its text area.
 */
export async function focusTerminal(page: Page, name: string, timeoutMs = 15_000): Promise<void> {
  // Another panel (Problems) may be in front: bring the terminals back first.
  if (!(await terminalTabs(page).first().isVisible())) await runCommand(page, 'Terminal: Focus Terminal');
  const tab = terminalTabs(page).filter({ hasText: name }).first();
  await tab.waitFor({ state: 'visible', timeout: timeoutMs });
  await tab.click();
  const screen = page.locator('.terminal-wrapper.active .xterm-screen').first();
  await screen.waitFor({ state: 'visible', timeout: timeoutMs });
  await screen.click();
  await page.locator('.terminal-wrapper.active .xterm.focus').first().waitFor({ state: 'attached', timeout: timeoutMs });
}

/** The last line of the visible terminal (where the prompt is). */
export async function lastTerminalLine(page: Page): Promise<string> {
  const text = await readTerminal(page);
  return text.slice(text.lastIndexOf('\n') + 1);
}

/**
 * Logs in as root at the guest's getty. The prompt may already have scrolled by, or the guest may
 * still be booting: Enter asks getty again, and is pressed again only while the screen shows no
 * prompt (typing is retried through visible state, never on a timer alone).
 */
export async function logIn(page: Page, hostname: string): Promise<void> {
  const loginPrompt = `${hostname} login:`;
  const deadline = Date.now() + 90_000;
  while (!(await lastTerminalLine(page)).endsWith(loginPrompt) && !(await lastTerminalLine(page)).endsWith('#')) {
    assert.ok(Date.now() < deadline, `${hostname} never showed its login prompt; the terminal shows:\n${await readTerminal(page)}`);
    await page.keyboard.press('Enter');
    await waitForTerminalText(page, new RegExp(`(${escapeRegExp(loginPrompt)}|#)$`), 10_000).catch(() => undefined);
  }
  if ((await lastTerminalLine(page)).endsWith('#')) return;
  await page.keyboard.type('root');
  await page.keyboard.press('Enter');
  await waitForTerminalText(page, /\n# ?$/, 30_000);
}

/** Types a shell command and waits until its output is followed by a new prompt; returns that output. */
export async function runInShell(page: Page, command: string, timeoutMs = 30_000): Promise<string> {
  await page.keyboard.type(command);
  await waitForTerminalText(page, new RegExp(`# ${escapeRegExp(command)}$`), 10_000);
  await page.keyboard.press('Enter');
  const text = await waitForTerminalText(page, new RegExp(`# ${escapeRegExp(command)}\\n[\\s\\S]*\\n# ?$`), timeoutMs);
  const lines = text.split('\n');
  const echoed = lines.lastIndexOf(`# ${command}`);
  assert.ok(echoed >= 0, `the command line "# ${command}" is not on screen`);
  return lines.slice(echoed + 1, -1).join('\n');
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Waits until the visible terminal shows `pattern`, read with xterm's wrapping undone (a notice
 * longer than the terminal is wide spans rows); returns that text.
 */
export async function waitForUnwrapped(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await readTerminal(page)).replace(/\n/g, '');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`The terminal never showed ${pattern}; it shows:\n${text}`);
}

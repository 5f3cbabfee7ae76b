// Debian's Chromium driven by playwright-core (`npx playwright install` needs the internet; the
// system browser does not).
import { existsSync } from 'fs';
import { Browser, BrowserServer, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless Chromium as root in a container, with nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** A Chromium process and the Playwright connection to it. */
export interface Chromium {
  readonly browser: Browser;
  /** Closes the browser; kills its process if closing hangs. Safe to call twice. */
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run scripts/e2e-setup.sh (it installs Debian's chromium).`);
  }
  // launchServer rather than launch: it hands back the process, so a hung browser can be killed.
  const server: BrowserServer = await chromium.launchServer({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 60_000,
  });
  try {
    const browser = await chromium.connect(server.wsEndpoint(), { timeout: 30_000 });
    return { browser, close: () => closeOrKill(browser, server) };
  } catch (err) {
    await server.kill();
    throw err;
  }
}

async function closeOrKill(browser: Browser, server: BrowserServer, graceMs = 10_000): Promise<void> {
  const closed = Promise.all([browser.close(), server.close()]).then(
    () => true,
    () => false,
  );
  const inTime = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
  if (!inTime) await server.kill();
}

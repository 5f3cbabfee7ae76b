// `npm run icon`: renders media/icon.svg to the 128×128 PNG the manifest names (media/icon.png), in
// Debian's Chromium (the one the e2e tests drive), with a transparent background. The Marketplace
// and Open VSX refuse SVG icons, so the PNG is committed beside its source; re-run after editing it.
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { launchChromium } from '../test/e2e/browser';

export const ICON_SVG = path.join(__dirname, '..', 'media', 'icon.svg');
export const ICON_PNG = path.join(__dirname, '..', 'media', 'icon.png');
export const ICON_SIZE = 128;

/** The PNG bytes of `svg` drawn at `size`×`size` CSS pixels (device scale 1). */
export async function renderSvg(svg: string, size: number): Promise<Buffer> {
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const html =
      `<!doctype html><html><head><style>html,body{margin:0;background:transparent}img{display:block;width:${size}px;height:${size}px}</style></head>` +
      `<body><img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}"></body></html>`;
    await page.setContent(html);
    await page.locator('img').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    return await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  } finally {
    await chromium.close();
  }
}

if (require.main === module) {
  renderSvg(readFileSync(ICON_SVG, 'utf8'), ICON_SIZE).then(
    (png) => {
      writeFileSync(ICON_PNG, png);
      console.log(`${path.relative(process.cwd(), ICON_PNG)}: ${png.length} bytes`);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}

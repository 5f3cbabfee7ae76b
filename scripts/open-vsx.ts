// `npm run check:open-vsx [-- FILE.vsix]`: checks a VSIX against what Open VSX (VSCodium,
// code-server, Gitpod) accepts, without publishing: what the `ovsx` client checks before an upload
// (publisher, name, version, a license) and what the registry's server refuses afterwards (names,
// semantic version, field sizes and characters, URLs, banner theme), plus what a package there
// needs to work (an engine, a PNG icon inside it, no proposed API, which only allow-listed
// extensions may use). Packages the project first when no VSIX is named.
import * as path from 'path';
import { packageVsix } from './package-vsix';

interface VsixManifest {
  publisher?: string;
  name?: string;
  version?: string;
  displayName?: string;
  description?: string;
  license?: string;
  icon?: string;
  categories?: string[];
  keywords?: string[];
  homepage?: string;
  repository?: string | { url?: string };
  bugs?: string | { url?: string };
  galleryBanner?: { color?: string; theme?: string };
  markdown?: string;
  qna?: string | false;
  engines?: { vscode?: string };
  enabledApiProposals?: string[];
}

/** The registry's character set for namespaces and extension names. */
const NAME = /^[\w\-+$~]+$/;
const FIELD_LIMIT = 255;
const DESCRIPTION_LIMIT = 2048;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
/** Control, format, unassigned, private-use and line/paragraph separator characters, which the registry refuses. */
const BAD_CHARACTER = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Zl}\p{Zp}]/u;
const LICENSE_FILES = ['license', 'license.md', 'license.txt', 'licence', 'licence.md', 'licence.txt'];

function urlOf(field: string | { url?: string } | undefined): string | undefined {
  return typeof field === 'string' ? field : field?.url;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value.startsWith('git+') ? value.slice(4) : value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.host !== '';
  } catch {
    return false;
  }
}

/**
 * What would keep the package from Open VSX, one message per problem (empty: acceptable).
 * `files` are the VSIX's entry names ("extension/package.json", ...).
 */
export function openVsxProblems(manifest: VsixManifest, files: readonly string[]): string[] {
  const problems: string[] = [];
  const inside = new Set(files.map((f) => f.toLowerCase()));
  const text = (field: string, value: string | undefined, limit: number): void => {
    if (value === undefined) return;
    if (value.length > limit) problems.push(`${field} is longer than ${limit} characters`);
    const bad = BAD_CHARACTER.exec(value);
    if (bad)
      problems.push(`${field} has a character the registry refuses (U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at ${bad.index})`);
  };
  for (const field of ['publisher', 'name'] as const) {
    const value = manifest[field];
    if (!value) problems.push(`${field} is missing`);
    else if (!NAME.test(value) || value.length > FIELD_LIMIT)
      problems.push(`${field} "${value}" is not a valid Open VSX ${field === 'publisher' ? 'namespace' : 'extension name'}`);
  }
  if (!manifest.version) problems.push('version is missing');
  else if (!SEMVER.test(manifest.version)) problems.push(`version "${manifest.version}" is not a semantic version`);
  if (!manifest.engines?.vscode) problems.push('engines.vscode is missing');
  if (!manifest.license) problems.push('license is missing (every Open VSX extension must be licensed)');
  if (!LICENSE_FILES.some((f) => inside.has(`extension/${f}`))) problems.push('the VSIX holds no LICENSE file');
  text('displayName', manifest.displayName, FIELD_LIMIT);
  text('description', manifest.description, DESCRIPTION_LIMIT);
  text('license', manifest.license, FIELD_LIMIT);
  for (const c of manifest.categories ?? []) text('categories', c, FIELD_LIMIT);
  for (const k of manifest.keywords ?? []) text('keywords', k, FIELD_LIMIT);
  for (const [field, value] of [
    ['homepage', manifest.homepage],
    ['repository', urlOf(manifest.repository)],
    ['bugs', urlOf(manifest.bugs)],
  ] as const) {
    if (value === undefined) continue;
    if (!isHttpUrl(value)) problems.push(`${field} "${value}" is not an http(s) URL`);
    text(field, value, FIELD_LIMIT);
  }
  const banner = manifest.galleryBanner;
  if (banner?.theme !== undefined && banner.theme !== 'dark' && banner.theme !== 'light')
    problems.push(`galleryBanner.theme "${banner.theme}" is neither dark nor light`);
  if (banner?.color !== undefined) text('galleryBanner.color', banner.color, 16);
  if (manifest.markdown !== undefined && manifest.markdown !== 'github' && manifest.markdown !== 'standard')
    problems.push(`markdown "${manifest.markdown}" is neither github nor standard`);
  if (typeof manifest.qna === 'string' && manifest.qna !== 'marketplace' && !isHttpUrl(manifest.qna))
    problems.push(`qna "${manifest.qna}" is neither marketplace nor a URL`);
  if (manifest.icon !== undefined) {
    if (!manifest.icon.toLowerCase().endsWith('.png')) problems.push(`icon ${manifest.icon} is not a PNG`);
    if (!inside.has(`extension/${path.posix.normalize(manifest.icon)}`.toLowerCase())) problems.push(`icon ${manifest.icon} is not in the VSIX`);
  }
  if ((manifest.enabledApiProposals ?? []).length > 0)
    problems.push(`enabledApiProposals (${manifest.enabledApiProposals!.join(', ')}): proposed API only runs for allow-listed extensions`);
  for (const f of ['extension.vsixmanifest', 'extension/package.json']) if (!inside.has(f)) problems.push(`the VSIX has no ${f}`);
  return problems;
}

/** The manifest and entry names of a VSIX file. */
export async function readVsix(vsix: string): Promise<{ manifest: VsixManifest; files: string[] }> {
  // vsce's own reader of the zip it wrote (yauzl underneath).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zip = require('@vscode/vsce/out/zip') as { readZip(file: string, filter: (name: string) => boolean): Promise<Map<string, Buffer>> };
  const entries = await zip.readZip(vsix, () => true);
  const manifest = entries.get('extension/package.json');
  return { manifest: manifest ? (JSON.parse(manifest.toString('utf8')) as VsixManifest) : {}, files: [...entries.keys()] };
}

if (require.main === module) {
  (async () => {
    const vsix = process.argv[2] ?? (await packageVsix());
    const { manifest, files } = await readVsix(vsix);
    const problems = openVsxProblems(manifest, files);
    for (const p of problems) console.error(`${path.relative(process.cwd(), vsix) || vsix}: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
    else
      console.log(
        `${path.relative(process.cwd(), vsix)}: acceptable to Open VSX (${manifest.publisher}.${manifest.name} ${manifest.version}, ${files.length} entries)`,
      );
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}

// file: URIs <-> the absolute POSIX paths the cores use. Other schemes (untitled:, git:) map to a
// pseudo path under /untitled so a buffer can still be analysed alone.
import { fileURLToPath, pathToFileURL } from 'url';

const PSEUDO_ROOT = '/__untitled__/';

export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri).replace(/\\/g, '/');
    } catch {
      // fall through to the pseudo path
    }
  }
  return PSEUDO_ROOT + encodeURIComponent(uri);
}

export function pathToUri(path: string): string {
  if (path.startsWith(PSEUDO_ROOT)) return decodeURIComponent(path.slice(PSEUDO_ROOT.length));
  return pathToFileURL(path).href;
}

// Messages between the system-view page and the extension. Shared by both sides, so it imports
// neither `vscode` nor the DOM. The page is untrusted: what it posts goes through parseSystemViewMessage.
import type { SystemView, ViewRef } from '../system/system-view';

/** The webview panel's viewType (the serializer and the onWebviewPanel activation event use it). */
export const SYSTEM_VIEW_TYPE = 'microkitDualGuest.systemView';

export const SYSTEM_VIEW_PAGE_MESSAGES = ['ready', 'reveal'] as const;
export const SYSTEM_VIEW_HOST_MESSAGES = ['view'] as const;

/** From the page to the extension. */
export type SystemViewPageMessage =
  | { type: 'ready' }
  /** The reader clicked an element: show it in the .system editor. */
  | { type: 'reveal'; ref: ViewRef };

/** From the extension to the page. */
export type SystemViewHostMessage = {
  type: 'view';
  view: SystemView;
  /** The document's URI: the page keeps it so a reload reopens the same file. */
  uri: string;
  /** The file's name as the title shows it (workspace-relative). */
  title: string;
  /** Errors in the file: the picture shows what parsed. */
  errors: number;
};

/** What the page keeps through a reload, and the serializer reads to reopen the same file. */
export interface SystemViewState {
  uri: string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Lines and columns are small non-negative integers (a .system has no more than a few million lines). */
function position(x: unknown): { line: number; col: number } | undefined {
  if (!isRecord(x)) return undefined;
  const { line, col } = x;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1e8;
  return ok(line) && ok(col) ? { line, col } : undefined;
}

/** A message from the page, or undefined when it is not one we accept (extra fields are dropped). */
export function parseSystemViewMessage(x: unknown): SystemViewPageMessage | undefined {
  if (!isRecord(x)) return undefined;
  if (x.type === 'ready') return { type: 'ready' };
  if (x.type !== 'reveal' || !isRecord(x.ref)) return undefined;
  const start = position(x.ref.start),
    end = position(x.ref.end);
  if (!start || !end) return undefined;
  if (end.line < start.line || (end.line === start.line && end.col < start.col)) return undefined;
  return { type: 'reveal', ref: { start, end } };
}

/** Page state from getState() or the serializer; undefined when it names no file. */
export function parseSystemViewState(x: unknown): SystemViewState | undefined {
  return isRecord(x) && typeof x.uri === 'string' && x.uri.length > 0 && x.uri.length <= 4096 ? { uri: x.uri } : undefined;
}

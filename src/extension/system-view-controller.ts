// The system view's logic without `vscode`: the .system text in, the view posted to the page (at
// once when the page is ready, again on each edit), the page's clicks out as places to reveal.
import { parseSystem } from '../system/parse';
import { systemView, type ViewRef } from '../system/system-view';
import { parseSystemViewMessage, type SystemViewHostMessage } from './system-view-protocol';

export interface SystemViewPort {
  postMessage(m: SystemViewHostMessage): void;
  /** Show this place of the .system file in an editor. */
  reveal(ref: ViewRef): void;
}

export interface SystemViewDocument {
  uri: string;
  /** The file's path (the parser's file name). */
  fileName: string;
  /** As the title shows it (workspace-relative). */
  title: string;
}

export class SystemViewController {
  private message: SystemViewHostMessage | undefined;
  /** Messages from the page that failed validation (counted, never acted on). */
  rejectedMessages = 0;

  constructor(
    private readonly port: SystemViewPort,
    readonly doc: SystemViewDocument,
    text: string,
  ) {
    this.update(text);
  }

  /** The file's text changed (or was first read): parse it and post the new view. */
  update(text: string): void {
    const { model, diagnostics } = parseSystem(this.doc.fileName, text);
    this.message = {
      type: 'view',
      uri: this.doc.uri,
      title: this.doc.title,
      view: systemView(model),
      errors: diagnostics.filter((d) => d.severity === 'error').length,
    };
    this.port.postMessage(this.message);
  }

  /** A raw message from the page. */
  receive(raw: unknown): void {
    const m = parseSystemViewMessage(raw);
    if (!m) {
      this.rejectedMessages++;
      return;
    }
    if (m.type === 'ready') {
      // A (re)loaded page has drawn nothing yet.
      if (this.message) this.port.postMessage(this.message);
    } else {
      this.port.reveal(m.ref);
    }
  }
}

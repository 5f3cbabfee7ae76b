// The open editor buffers, keyed by absolute path, and a FileHost that shows them to the cores in
// place of the files on disk (so an unsaved .dtsi edit re-checks every tree that includes it).
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { decodeUtf8, encodeUtf8, OverlayFileHost } from '../common/host';
import type { FileHost } from '../common/host';

/**
 * The files an analysis reads: bytes for the cores' FileHost, and text, which for an open buffer is
 * its text as it is (no UTF-8 round trip of the whole buffer per keystroke).
 */
export interface TextFileHost extends FileHost {
  readText(path: string): string | undefined;
}

export class OpenDocuments implements FileHost {
  private readonly docs = new Map<string, { doc: TextDocument; bytes?: Uint8Array }>();

  open(path: string, uri: string, languageId: string, version: number, text: string): TextDocument {
    const doc = TextDocument.create(uri, languageId, version, text);
    this.docs.set(path, { doc });
    return doc;
  }

  change(path: string, version: number, changes: TextDocumentContentChangeEvent[]): TextDocument | undefined {
    const entry = this.docs.get(path);
    if (!entry) return undefined;
    entry.doc = TextDocument.update(entry.doc, changes, version);
    entry.bytes = undefined;
    return entry.doc;
  }

  close(path: string): void {
    this.docs.delete(path);
  }

  get(path: string): TextDocument | undefined {
    return this.docs.get(path)?.doc;
  }

  paths(): string[] {
    return [...this.docs.keys()];
  }

  readFile(path: string): Uint8Array | undefined {
    const entry = this.docs.get(path);
    if (!entry) return undefined;
    entry.bytes ??= encodeUtf8(entry.doc.getText());
    return entry.bytes;
  }

  fileExists(path: string): boolean {
    return this.docs.has(path);
  }

  /** Open buffers first, then `disk`. */
  over(disk: FileHost): TextFileHost {
    return new BuffersOverDisk(this, disk);
  }
}

/** OverlayFileHost's bytes, plus text that for an open buffer is the buffer itself. */
class BuffersOverDisk extends OverlayFileHost implements TextFileHost {
  constructor(
    private readonly buffers: OpenDocuments,
    private readonly disk: FileHost,
  ) {
    super(buffers, disk);
  }

  readText(path: string): string | undefined {
    const open = this.buffers.get(path);
    if (open) return open.getText();
    const bytes = this.disk.readFile(path);
    return bytes ? decodeUtf8(bytes) : undefined;
  }
}

// What each language offers the editor. The server picks one implementation per document (by file
// extension) and calls it with the workspace; implementations return LSP types built via convert.ts.
import type {
  CodeAction,
  CompletionItem,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  FormattingOptions,
  Hover,
  Location,
  Position,
  Range,
  SignatureHelp,
  TextEdit,
  WorkspaceEdit,
  Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import type { SemanticToken } from './devicetree/semantic-tokens';
import type { Workspace } from './workspace';

export interface LanguageFeatures {
  hover(ws: Workspace, path: string, pos: Position): Hover | null;
  completion(ws: Workspace, path: string, pos: Position): CompletionItem[];
  definition(ws: Workspace, path: string, pos: Position): Location[];
  references(ws: Workspace, path: string, pos: Position, includeDeclaration: boolean): Location[];
  /** The range of the name under the cursor when it can be renamed, else null. */
  prepareRename(ws: Workspace, path: string, pos: Position): Range | null;
  rename(ws: Workspace, path: string, pos: Position, newName: string): WorkspaceEdit | null;
  documentSymbols(ws: Workspace, path: string): DocumentSymbol[];
  foldingRanges(ws: Workspace, path: string): FoldingRange[];
  formatting(ws: Workspace, path: string, options: FormattingOptions): TextEdit[];
  /** Edits after the user typed `ch` (one of the server's on-type trigger characters) before `pos`. */
  onTypeFormatting?(ws: Workspace, path: string, pos: Position, ch: string): TextEdit[];
  /** `only`: the kinds the client asked for (CodeActionContext.only), all when absent. */
  codeActions(ws: Workspace, path: string, range: Range, diagnostics: LspDiagnostic[], only?: string[]): CodeAction[];
  declaration?(ws: Workspace, path: string, pos: Position): Location[];
  /** Where the type of the item is defined: for a phandle or a specifier, its provider node. */
  typeDefinition?(ws: Workspace, path: string, pos: Position): Location[];
  /** In position order, none overlapping. */
  semanticTokens?(ws: Workspace, path: string): SemanticToken[];
  documentLinks?(ws: Workspace, path: string): DocumentLink[];
  signatureHelp?(ws: Workspace, path: string, pos: Position): SignatureHelp | null;
}

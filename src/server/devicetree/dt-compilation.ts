// The part of the devicetree compile result the server reads (compile.ts's CompileResult satisfies it).
import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import type { DtsFile } from '../../devicetree/ast';
import type { DtTree } from '../../devicetree/tree';

export interface DtCompilation {
  tree: DtTree;
  diagnostics: Diagnostic[];
  fixupDiagnostics: Diagnostic[];
  files: string[];
  documents: { file: string; ast: DtsFile; comments: { range: SourceRange; text: string }[]; preprocess?: DtPreprocessInfo }[];
}

/** What the editor uses from the preprocessor's result. */
export interface DtPreprocessInfo {
  files: string[];
  includes: { range: SourceRange; nameRange?: SourceRange; target?: string }[];
  macroExpansions: { name: string; range: SourceRange }[];
  macros: Map<string, { name: string; params?: string[]; body: string; range?: SourceRange; nameRange?: SourceRange }>;
}

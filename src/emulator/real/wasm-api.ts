// The part of the WebAssembly JS API the real components use, typed here: the project compiles
// against ES2022 without the DOM library, which is where TypeScript declares it. Node and web
// workers both provide it as a global.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmGlobal {
  readonly value: unknown;
}
export type WasmModule = object;
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Global: abstract new (...args: never[]) => WasmGlobal;
  RuntimeError: abstract new (...args: never[]) => Error;
}

export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The address an exported data symbol holds (wasm-ld exports it as an i32 global). */
export function exportedAddress(exports: Record<string, unknown>, name: string): number | undefined {
  const g = exports[name];
  return g instanceof wasm.Global ? (g.value as number) : undefined;
}

// What the cores may use of their host besides the ES library: the text codecs, which Node, browsers
// and web workers all have. Only the layer configs (cores.json, devicetree.json) read this file; the
// main tsconfig gets them from @types/node.
interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };
interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare var TextDecoder: { prototype: TextDecoder; new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder };

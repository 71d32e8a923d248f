// The few host globals that src-shared relies on. Both Node (>= 18) and every browser
// provide them; declaring them here keeps src-shared free of DOM and node typings.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}

// The project's TypeScript libraries (ES2023, Node) do not declare WebAssembly: what the
// WebAssembly modules' wrappers (ngrams.ts, ingest/wasm/snappy.ts) use of it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: unknown;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

// The part of the WebAssembly JS API this package uses. Node 20 has it all, but @types/node 20
// declares none of it (and the DOM lib would bring the browser along); nothing public names
// these types.
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: Uint8Array);
    }
    class Instance {
      constructor(module: Module, imports: object);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      readonly buffer: ArrayBuffer;
      grow(pages: number): number;
    }
    class Global {
      value: unknown;
    }
    function validate(bytes: Uint8Array): boolean;
    function instantiate(bytes: Uint8Array, imports: object): Promise<{ module: Module; instance: Instance }>;
  }
}
export {};

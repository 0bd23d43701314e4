/**
 * Where a device's layers live and run: in this process (LayerStore, the TS int8 kernels) or on
 * an attached board (BoardExecutor, the C firmware over a serial line). The agent does not care
 * which; either may be asynchronous.
 */
export interface LayerExecutor {
  /** Takes the weights of one assigned layer (a wire-format layer from a plan). */
  install(model: string, index: number, wire: unknown): void | Promise<void>;
  has(model: string, index: number): boolean;
  readonly size: number;
  /** Runs layers `from`…`to` (inclusive) in order; throws naming the first layer it lacks. */
  run(model: string, from: number, to: number, input: Int8Array): Int8Array | Promise<Int8Array>;
  /** Multiply-accumulates of layers `from`…`to` of the layers held. */
  macs(model: string, from: number, to: number): number;
}

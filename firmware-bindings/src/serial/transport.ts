// The byte stream a board link runs over: a serial port (a real board, QEMU's or the host
// board's pseudo-terminal), or anything else that moves bytes both ways.
import { SerialPort } from 'serialport';

export interface ByteTransport {
  write(bytes: Uint8Array): void;
  onData(listener: (chunk: Uint8Array) => void): void;
  onClose(listener: (err?: Error) => void): void;
  close(): Promise<void>;
  /** What the link is, for messages: the port path. */
  readonly name: string;
  /** The configured line rate in bits/s, when the transport has one. */
  readonly baudRate?: number;
}

/** Opens a serial port (8N1, raw); rejects naming the path when it cannot be opened. */
export async function openSerialTransport(path: string, baudRate = 115200): Promise<ByteTransport> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new Error(`serial port ${path}: ${err.message}`)) : resolve())));
  let closed = false;
  return {
    name: path,
    baudRate,
    write: (bytes) => { if (!closed) port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)); },
    onData: (listener) => port.on('data', (d: Buffer) => listener(d)),
    onClose: (listener) => port.on('close', (err?: Error | null) => listener(err ?? undefined)),
    close: () => new Promise<void>((resolve) => {
      if (closed || !port.isOpen) { closed = true; return resolve(); }
      closed = true;
      port.close(() => resolve());
    }),
  };
}

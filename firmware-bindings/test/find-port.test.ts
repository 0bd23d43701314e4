// Finding a board by its USB serial number through a sysfs tree laid out as Linux does it:
// /sys/class/tty/<tty>/device links to the USB interface, whose parent device has `serial`.
import test from 'ava';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPortByUsbSerial } from '../src/index.js';

function fakeSys(): string {
  const root = mkdtempSync(join(tmpdir(), 'lf-sys-'));
  const usb = (bus: string, serial: string | null) => {
    const device = join(root, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1', bus);
    const iface = join(device, `${bus}:1.2`);
    mkdirSync(iface, { recursive: true });
    if (serial !== null) writeFileSync(join(device, 'serial'), `${serial}\n`);
    return iface;
  };
  const tty = (name: string, target: string | null) => {
    const dir = join(root, 'class', 'tty', name);
    mkdirSync(dir, { recursive: true });
    if (target) symlinkSync(target, join(dir, 'device'));
  };
  tty('ttyS0', null); // a built-in UART: no USB device behind it
  tty('ttyACM0', usb('1-1', '066DFF555654725187171731'));
  tty('ttyACM1', usb('1-2', '0670FF383133505043214637'));
  tty('ttyUSB0', usb('1-3', null)); // an adapter without a serial number
  return join(root, 'class', 'tty');
}

test('a board is found by USB serial number whatever ttyACM it enumerated as', (t) => {
  const sys = fakeSys();
  t.is(findPortByUsbSerial('0670FF383133505043214637', sys), '/dev/ttyACM1');
  t.is(findPortByUsbSerial('066DFF555654725187171731', sys), '/dev/ttyACM0');
  t.is(findPortByUsbSerial('nope', sys), undefined);
  t.is(findPortByUsbSerial('x', join(sys, 'missing')), undefined);
});

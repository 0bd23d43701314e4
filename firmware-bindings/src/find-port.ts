/**
 * Finds a USB serial port by the device's serial number through sysfs: every tty whose USB
 * device (an ancestor in /sys/devices) has a `serial` attribute equal to the one asked for.
 * Reads /sys directly, so it needs neither udev nor serialport's list().
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function findPortByUsbSerial(serial: string, sysClassTty = '/sys/class/tty'): string | undefined {
  let ttys: string[];
  try {
    ttys = readdirSync(sysClassTty);
  } catch {
    return undefined;
  }
  for (const tty of ttys) {
    const device = join(sysClassTty, tty, 'device');
    if (!existsSync(device)) continue;
    // Walk up from the interface to the USB device, which carries the serial attribute.
    for (let dir = realpathSync(device), hops = 0; dir !== '/' && hops < 6; dir = dirname(dir), hops++) {
      const file = join(dir, 'serial');
      if (existsSync(file) && readFileSync(file, 'utf8').trim() === serial) return `/dev/${tty}`;
    }
  }
  return undefined;
}

/**
 * A board as a user names it: `usb:SERIAL` (found through sysfs, wherever it enumerated) or a
 * port path. undefined while a USB board is not plugged in.
 */
export function resolveBoardPort(spec: string): string | undefined {
  return spec.startsWith('usb:') ? findPortByUsbSerial(spec.slice(4)) : spec;
}

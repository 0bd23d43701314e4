/** A device's class on dashboards and in metrics: a board (`host.board`, attached by a board host), a source or a worker. */
export type DeviceClass = 'source' | 'worker' | 'board';
export const DEVICE_CLASSES: readonly DeviceClass[] = ['source', 'worker', 'board'];
export const deviceClass = (id: string, role: 'worker' | 'source'): DeviceClass => (role === 'source' ? 'source' : id.includes('.') ? 'board' : 'worker');

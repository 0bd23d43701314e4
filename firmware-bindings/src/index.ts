// Public API of @layerfleet/firmware-bindings: building and driving the C kernels on the host.
export { ensureHostRunner, FIRMWARE_DIR, HOST_CFLAGS, HOST_RUNNER_PATH, PACKAGE_ROOT, type HostBuildOptions } from './host-build.js';
export {
  encodeJob, encodeLayerJob, JOB_HEADER_BYTES, JOB_MAGIC, JOB_MAX_BYTES, JOB_VERSION, JobKind, layerJob, runHostJob, runHostLayer,
  type HostRunResult, type LayerJob,
} from './golden-job.js';

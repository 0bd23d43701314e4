// Loads tfjs-core with the cpu backend and its gradient definitions, for tests that compare against it.
import { register } from 'node:module';

let ready: Promise<typeof import('@tensorflow/tfjs-core')> | undefined;

export function tfjsCpuWithGradients(): Promise<typeof import('@tensorflow/tfjs-core')> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    register('./tfjs-esm-hook.js', import.meta.url);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    await tf.setBackend('cpu');
    return tf;
  })();
  return ready;
}

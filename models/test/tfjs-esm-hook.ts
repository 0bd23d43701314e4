// A Node module hook for tests only. tfjs-core's Node bundle leaves out the gradient
// definitions (the @tensorflow/tfjs umbrella package, not installed here, registers them from
// tfjs-core's ES-module build). That build uses extensionless relative imports inside a package
// without "type": "module"; this hook resolves those imports to `.js` files and loads them as
// ES modules, so `dist/register_all_gradients.js` can run. The gradients land in tfjs's global
// registry and apply to the tensors of the CommonJS bundle the rest of the code uses.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TFJS_CORE_DIST = '/@tensorflow/tfjs-core/dist/';

type Resolve = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string; format?: string | null }>;
type Load = (url: string, context: { format?: string | null }) => Promise<{ format: string; source?: unknown; shortCircuit?: boolean }>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Resolve): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  const parent = context.parentURL;
  if (parent?.includes(TFJS_CORE_DIST) && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    for (const candidate of [`${specifier}.js`, `${specifier}/index.js`]) {
      const url = new URL(candidate, parent);
      if (existsSync(fileURLToPath(url))) return { url: url.href, format: 'module', shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url: string, context: { format?: string | null }, next: Load): Promise<{ format: string; source?: unknown; shortCircuit?: boolean }> {
  if (url.includes(TFJS_CORE_DIST) && url.endsWith('.js') && !url.endsWith('.node.js')) {
    return next(url, { ...context, format: 'module' });
  }
  return next(url, context);
}

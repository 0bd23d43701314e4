/**
 * The names a request's model goes by, in one place. Canonical are the model zoo's graph names
 * (`lenet5`, `cifarCnn`, `vgg16`): what rl-pdnn policies' one-hot n_i lists and the simulator's
 * requests carry. The simulator's workload names (`lenet`, `cifar`, `vgg`) are aliases: DESIGN.md's
 * example instance says "lenet", and the shipped policy files are named by workload
 * (simulator/policies/rl-pdnn-<workload>-<privacy>.json). Every lookup of a model by name
 * (the state encoder, the CLI's choice of a shipped policy) goes through here.
 */
export const MODEL_ALIASES: Readonly<Record<string, string>> = { lenet: 'lenet5', cifar: 'cifarCnn', vgg: 'vgg16' };

/** The canonical name of a model: an alias resolved, any other name as it is. */
export function canonicalModelName(name: string): string {
  return MODEL_ALIASES[name] ?? name;
}

/** The workload whose shipped policy covers this model (`lenet5` or `lenet` → `lenet`), if any. */
export function workloadOfModel(name: string): string | undefined {
  const canonical = canonicalModelName(name);
  return Object.keys(MODEL_ALIASES).find((w) => MODEL_ALIASES[w] === canonical);
}

/** Index of `name` in `models` (a policy's list), by its own name first, then by its canonical name. */
export function modelIndex(models: readonly string[], name: string): number {
  const i = models.indexOf(name);
  return i >= 0 ? i : models.indexOf(canonicalModelName(name));
}

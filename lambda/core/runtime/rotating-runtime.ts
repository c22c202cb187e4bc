/** A runtime built from one set of secret values, and how to close the clients it opened. */
export interface RotatingBuild<T> {
  readonly runtime: T;
  close(): void;
}

/** How a rotating runtime retires the clients of a replaced secret and says so. */
export interface RotatingRuntimeOptions<T> {
  /** How long the clients of a replaced runtime stay open for calls already made on them. */
  readonly retireAfterMs: number;
  /** Called once with the new runtime when it replaces an older one (to log the rotation). */
  readonly onReplaced: (runtime: T, retireAfterMs: number) => void;
}

/**
 * A container's runtime, rebuilt when a secret changes. Each call names the secrets it read by a
 * fingerprint (`secretsFingerprint`) and says how to build a runtime from them. The runtime built for
 * the same fingerprint is returned as is; for a new fingerprint one build runs, however many calls
 * ask for it at once. The new runtime then serves, and the old one is closed after `retireAfterMs`
 * so calls already made on its clients finish. A failed build is not kept, so the next call tries
 * again.
 */
export function rotatingRuntime<T>(
  options: RotatingRuntimeOptions<T>,
): (secrets: string, build: () => RotatingBuild<T>) => Promise<T> {
  let current: { readonly secrets: string; readonly built: RotatingBuild<T> } | undefined;
  let building: { readonly secrets: string; readonly promise: Promise<RotatingBuild<T>> } | undefined;

  return async (secrets, build) => {
    if (current?.secrets === secrets) return current.built.runtime;
    if (building?.secrets === secrets) return (await building.promise).runtime;
    const promise = Promise.resolve().then(build);
    building = { secrets, promise };
    try {
      const built = await promise;
      if (current?.secrets === secrets) {
        built.close(); // another call got there first
        return current.built.runtime;
      }
      const replaced = current;
      current = { secrets, built };
      if (replaced) {
        options.onReplaced(built.runtime, options.retireAfterMs);
        setTimeout(() => replaced.built.close(), options.retireAfterMs).unref();
      }
      return built.runtime;
    } finally {
      if (building?.promise === promise) building = undefined;
    }
  };
}

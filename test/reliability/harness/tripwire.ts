/** A record of every call made on any tripwire of one set. */
export class TripwireLog {
  readonly calls: string[] = [];
}

/**
 * An object on which any method call is recorded and then fails. Handed to code as a dependency
 * that must not be touched (a store, an enforcement API), it proves that nothing happened: any
 * read or write shows up in the log, even one whose failure the code swallows.
 */
export function tripwire<T extends object>(name: string, log: TripwireLog): T {
  return new Proxy({} as T, {
    get(_, property) {
      if (property === 'then' || typeof property === 'symbol') return undefined; // not a promise
      return (...args: unknown[]) => {
        log.calls.push(`${name}.${String(property)}(${args.map((a) => JSON.stringify(a)?.slice(0, 40)).join(', ')})`);
        throw new Error(`tripwire: ${name}.${String(property)} was called`);
      };
    },
  });
}

import { rotatingRuntime, type RotatingBuild } from '../../../lambda/core/runtime/rotating-runtime';

interface Runtime {
  readonly secrets: string;
  readonly serial: number;
}

/** Builds numbered runtimes and records which were built, closed and announced as replacements. */
function recordingBuilds(retireAfterMs = 1000) {
  const built: Runtime[] = [];
  const closed: Runtime[] = [];
  const replacedBy: Runtime[] = [];
  const runtimeFor = rotatingRuntime<Runtime>({
    retireAfterMs,
    onReplaced: (runtime, ms) => {
      expect(ms).toBe(retireAfterMs);
      replacedBy.push(runtime);
    },
  });
  const build = (secrets: string) => (): RotatingBuild<Runtime> => {
    const runtime = { secrets, serial: built.length + 1 };
    built.push(runtime);
    return { runtime, close: () => closed.push(runtime) };
  };
  return { built, closed, replacedBy, load: (secrets: string) => runtimeFor(secrets, build(secrets)) };
}

describe('rotatingRuntime', () => {
  afterEach(() => jest.useRealTimers());

  it('builds once for a fingerprint, however many callers ask at the same time', async () => {
    const { built, closed, load } = recordingBuilds();
    const runtimes = await Promise.all([load('a'), load('a'), load('a'), load('a')]);
    expect(built).toHaveLength(1);
    expect(new Set(runtimes)).toEqual(new Set([built[0]]));
    expect(await load('a')).toBe(built[0]);
    expect(built).toHaveLength(1);
    expect(closed).toEqual([]);
  });

  it('rebuilds once when the secrets change, even with concurrent callers, and announces the replacement', async () => {
    const { built, replacedBy, load } = recordingBuilds();
    const first = await load('a');
    const rotated = await Promise.all([load('b'), load('b'), load('b')]);
    expect(built.map((runtime) => runtime.secrets)).toEqual(['a', 'b']);
    expect(new Set(rotated)).toEqual(new Set([built[1]]));
    expect(rotated[0]).not.toBe(first);
    expect(replacedBy).toEqual([built[1]]);
  });

  it('closes the replaced runtime only after the grace period', async () => {
    jest.useFakeTimers();
    const { built, closed, load } = recordingBuilds(30_000);
    await load('a');
    await load('b');
    jest.advanceTimersByTime(29_999);
    expect(closed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(closed).toEqual([built[0]]);
    expect(await load('b')).toBe(built[1]);
  });

  it('does not keep a failed build: the next call builds again', async () => {
    const runtimeFor = rotatingRuntime<Runtime>({ retireAfterMs: 1000, onReplaced: () => undefined });
    let attempts = 0;
    const failing = (): RotatingBuild<Runtime> => {
      attempts += 1;
      throw new Error('the secret is empty');
    };
    await expect(Promise.all([runtimeFor('a', failing), runtimeFor('a', failing)])).rejects.toThrow('empty');
    expect(attempts).toBe(1);
    const runtime = { secrets: 'a', serial: 1 };
    await expect(runtimeFor('a', () => ({ runtime, close: () => undefined }))).resolves.toBe(runtime);
  });

  it('closes at once a duplicate build that finishes after another for the same secrets', async () => {
    const runtimeFor = rotatingRuntime<Runtime>({ retireAfterMs: 1000, onReplaced: () => undefined });
    const closed: Runtime[] = [];
    const build = (runtime: Runtime) => (): RotatingBuild<Runtime> => ({ runtime, close: () => closed.push(runtime) });
    const first = { secrets: 'a', serial: 1 };
    const duplicate = { secrets: 'a', serial: 3 };
    // 'a' builds; 'b' starts building before 'a' is done, so a second 'a' no longer sees the first
    // build and starts its own; 'b' fails, so the first 'a' is current when the second finishes.
    const results = await Promise.allSettled([
      runtimeFor('a', build(first)),
      runtimeFor('b', () => {
        throw new Error('the secret is empty');
      }),
      runtimeFor('a', build(duplicate)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toEqual({ status: 'fulfilled', value: first });
    expect(closed).toEqual([duplicate]);
    expect(await runtimeFor('a', build({ secrets: 'a', serial: 4 }))).toBe(first);
  });
});

import { nextRate } from '../../bench/subscriber-throughput';

describe('the throughput ladder', () => {
  it('doubles until the subscriber falls behind, then climbs from the last kept-up rate in steps of at most 1.25×', () => {
    expect([100, 200, 400, 800].map((r) => nextRate(r, undefined))).toEqual([200, 400, 800, 1600]);
    // Kept up with 800, fell behind at 1,600: the rates tried between them.
    const refined: number[] = [];
    for (let rate = nextRate(800, 1600); rate !== undefined; rate = nextRate(rate, 1600)) refined.push(rate);
    expect(refined).toEqual([1000, 1250, 1562]);
    const steps = [800, ...refined, 1600].slice(1).map((r, i, all) => r / (i === 0 ? 800 : all[i - 1]!));
    expect(Math.max(...steps)).toBeLessThanOrEqual(1.25);
  });

  it('stops refining once the next step would reach the rate that failed', () => {
    expect(nextRate(1250, 1562)).toBeUndefined();
    expect(nextRate(12_800, undefined)).toBeUndefined();
  });
});

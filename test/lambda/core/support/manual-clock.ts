/** A clock tests move by hand. */
export class ManualClock {
  constructor(public current = Date.UTC(2026, 0, 1, 12, 0, 0)) {}
  now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

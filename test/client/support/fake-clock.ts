/** Runs every test of the file on jest's fake timers, its clock starting at `now` (an ISO time). */
export function useFakeClock(now: string): void {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date(now) });
  });

  afterEach(() => {
    jest.useRealTimers();
  });
}

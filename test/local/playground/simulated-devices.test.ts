import {
  DeviceControlError,
  SimulatedDevices,
  type DeviceHooks,
  type DeviceRunner,
  type DeviceView,
} from '../../../local/playground/simulated-devices';

/** A runner whose devices the test drives by hand through their hooks. */
function fakeRunner() {
  const started: Array<{ accountId: string; deviceId: string; hooks: DeviceHooks; stopped: number; crashed: number }> =
    [];
  const runner: DeviceRunner = (device, hooks) => {
    const entry = { ...device, hooks, stopped: 0, crashed: 0 };
    started.push(entry);
    return {
      stop: async () => void (entry.stopped += 1),
      crash: async () => void (entry.crashed += 1),
    };
  };
  return { runner, started };
}

const stateOf = (devices: SimulatedDevices, id: string): DeviceView => devices.list().find((d) => d.deviceId === id)!;

describe('SimulatedDevices', () => {
  it('follows a device through admission, heartbeats, stop and retry', async () => {
    const { runner, started } = fakeRunner();
    const devices = new SimulatedDevices(runner);
    devices.start('acct-1', 'tv');
    expect(stateOf(devices, 'tv')).toMatchObject({
      accountId: 'acct-1',
      state: 'starting',
      origin: 'simulated',
      heartbeats: 0,
    });

    started[0].hooks.onState('active', 'admitted', 'session-1');
    started[0].hooks.onHeartbeat();
    started[0].hooks.onHeartbeat();
    expect(stateOf(devices, 'tv')).toMatchObject({ state: 'active', sessionId: 'session-1', heartbeats: 2 });

    await devices.stop('tv');
    expect(started[0].stopped).toBe(1);
    expect(stateOf(devices, 'tv').state).toBe('stopped');
    // A late report of the stopped run changes nothing.
    started[0].hooks.onState('active');
    started[0].hooks.onHeartbeat();
    expect(stateOf(devices, 'tv')).toMatchObject({ state: 'stopped', heartbeats: 2 });

    devices.startAgain('tv');
    expect(started).toHaveLength(2);
    expect(stateOf(devices, 'tv')).toMatchObject({ state: 'starting', heartbeats: 0 });
  });

  it('crashes a device through the runner and frees it for a retry after a refusal', async () => {
    const { runner, started } = fakeRunner();
    const devices = new SimulatedDevices(runner);
    devices.start('acct-1', 'phone');
    started[0].hooks.onState('active');
    await devices.crash('phone');
    expect(started[0]).toMatchObject({ crashed: 1, stopped: 0 });
    expect(stateOf(devices, 'phone').state).toBe('crashed');

    devices.start('acct-1', 'laptop');
    started[1].hooks.onState('refused', 'limit reached');
    expect(stateOf(devices, 'laptop')).toMatchObject({ state: 'refused', detail: 'limit reached' });
    // A refused device is at rest: it can be started again but not stopped.
    await expect(devices.stop('laptop')).rejects.toThrow(/not running/);
    devices.start('acct-1', 'laptop');
    expect(started).toHaveLength(3);
  });

  it('refuses what makes no sense with the right status', async () => {
    const { runner } = fakeRunner();
    const devices = new SimulatedDevices(runner, 2);
    devices.start('acct-1', 'a');
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error as DeviceControlError;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => devices.start('acct-2', 'a'))).toMatchObject({ status: 409, code: 'device-exists' });
    expect(refusal(() => devices.startAgain('a'))).toMatchObject({ status: 409, code: 'already-running' });
    expect(refusal(() => devices.remove('a'))).toMatchObject({ status: 409, code: 'already-running' });
    expect(refusal(() => devices.startAgain('nope'))).toMatchObject({ status: 404, code: 'unknown-device' });
    devices.start('acct-1', 'b');
    expect(refusal(() => devices.start('acct-1', 'c'))).toMatchObject({ status: 409, code: 'too-many-devices' });
    expect(refusal(() => devices.report('acct-1', 'a', 'active'))).toMatchObject({
      status: 409,
      code: 'device-exists',
    });
  });

  it('lists browser tabs that report themselves', () => {
    const devices = new SimulatedDevices(fakeRunner().runner);
    devices.report('acct-9', 'tab-1', 'active', 'admitted', 'session-9');
    expect(stateOf(devices, 'tab-1')).toMatchObject({
      origin: 'browser',
      accountId: 'acct-9',
      state: 'active',
      sessionId: 'session-9',
    });
    devices.report('acct-9', 'tab-1', 'evicted', 'ended-by-account');
    expect(stateOf(devices, 'tab-1')).toMatchObject({ state: 'evicted', detail: 'ended-by-account' });
  });

  it('marks a device whose runner throws as in error', () => {
    const devices = new SimulatedDevices(() => {
      throw new Error('no transport');
    });
    devices.start('acct-1', 'x');
    expect(stateOf(devices, 'x')).toMatchObject({ state: 'error', detail: 'no transport' });
  });

  it('stops every running device on stopAll and refuses new ones', async () => {
    const { runner, started } = fakeRunner();
    const devices = new SimulatedDevices(runner);
    devices.start('acct-1', 'a');
    devices.start('acct-1', 'b');
    started[0].hooks.onState('active');
    started[1].hooks.onState('refused');
    await devices.stopAll();
    expect(started.map((s) => s.stopped)).toEqual([1, 0]);
    expect(() => devices.start('acct-1', 'c')).toThrow(/stopping/);
  });

  it('tells listeners about changes, coalesced', async () => {
    const { runner, started } = fakeRunner();
    const devices = new SimulatedDevices(runner);
    const calls: DeviceView[][] = [];
    devices.onChange((list) => calls.push(list));
    devices.start('acct-1', 'a');
    started[0].hooks.onState('active');
    started[0].hooks.onHeartbeat();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toMatchObject({ deviceId: 'a', state: 'active', heartbeats: 1 });
    await devices.stopAll();
  });
});

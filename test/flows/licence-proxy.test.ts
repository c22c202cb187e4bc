import { sleep, TrackerHarness, waitFor, type Api } from './support/tracker-harness';

/**
 * The DRM licence-proxy recipe (docs/security.md): a licence server or CDN origin asks the session
 * check before every licence renewal and refuses a session that is no longer counted, so a player
 * modified to ignore its control messages still stops at its next renewal.
 */
class LicenceProxy {
  constructor(private readonly tracker: Api) {}

  /** A renewal request of a player: the licence when the session is counted, a refusal otherwise. */
  async renew(accountId: string, sessionId: string): Promise<{ status: number; licence?: string; refused?: string }> {
    const check = await this.tracker.checkSession(accountId, sessionId);
    if (check.statusCode === 200)
      return { status: 200, licence: `licence-for-${(JSON.parse(check.body) as { sessionId: string }).sessionId}` };
    const body = JSON.parse(check.body) as { error: string };
    // Only a definite "not counted" refuses; a 503 is the proxy's own policy (here: refuse too).
    return { status: check.statusCode === 404 ? 403 : 503, refused: body.error };
  }
}

describe('the licence-proxy recipe against the emulator', () => {
  let harness: TrackerHarness;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
    await harness.subscriber();
  });
  afterAll(() => harness.stop());

  it('admit, renewal allowed, evict (DELETE), renewal refused', async () => {
    const tracker = harness.api({ DEFAULT_LIMIT: '2' });
    const proxy = new LicenceProxy(tracker);
    const grant = await tracker.admit('licence-acc', { deviceId: 'tv', contentId: 'film-7' });
    const device = await harness.device(grant, 'tv');
    device.startHeartbeats();
    const beatAt = Date.now();
    await waitFor(
      async () => {
        const check = await tracker.checkSession('licence-acc', grant.sessionId);
        return (
          check.statusCode === 200 &&
          Date.parse((JSON.parse(check.body) as { lastHeartbeatAt: string }).lastHeartbeatAt) >= beatAt - 1000
        );
      },
      3000,
      'a heartbeat to be recorded',
    );

    const check = await tracker.checkSession('licence-acc', grant.sessionId);
    expect(check.statusCode).toBe(200);
    expect(JSON.parse(check.body)).toMatchObject({
      sessionId: grant.sessionId,
      deviceId: 'tv',
      contentId: 'film-7',
      startedAt: expect.any(String),
      lastHeartbeatAt: expect.any(String),
    });
    expect(await proxy.renew('licence-acc', grant.sessionId)).toEqual({
      status: 200,
      licence: `licence-for-${grant.sessionId}`,
    });

    // The account ends the session (the "stop a device to continue" flow).
    expect((await tracker.endSession('licence-acc', grant.sessionId)).statusCode).toBe(200);
    await waitFor(
      () => device.control.find((m) => m.type === 'evicted' && m.sessionId === grant.sessionId),
      2000,
      'the device to be told',
    );
    // A player that ignores the message heartbeats on; its next renewal is refused all the same.
    await sleep(1200);
    const refused = await tracker.checkSession('licence-acc', grant.sessionId);
    expect(refused.statusCode).toBe(404);
    expect(JSON.parse(refused.body)).toEqual({ error: 'session-not-found', message: expect.any(String) });
    expect(await proxy.renew('licence-acc', grant.sessionId)).toEqual({ status: 403, refused: 'session-not-found' });
  });

  it('refuses a renewal once a crashed player’s lease lapsed, and for another account’s session', async () => {
    const tracker = harness.api();
    const proxy = new LicenceProxy(tracker);
    const grant = await tracker.admit('crash-acc', { deviceId: 'phone' });
    const device = await harness.device(grant, 'phone');
    device.startHeartbeats();
    expect((await proxy.renew('crash-acc', grant.sessionId)).status).toBe(200);
    expect((await proxy.renew('other-acc', grant.sessionId)).status).not.toBe(200);
    device.stopHeartbeats(); // crashed: silent from now on
    await waitFor(
      async () => (await proxy.renew('crash-acc', grant.sessionId)).status === 403,
      6000,
      'the lapsed lease to refuse renewals',
    );
  });
});

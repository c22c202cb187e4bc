import { sleep, TrackerHarness, waitFor } from './support/tracker-harness';

// Every device of an account holds the same device token (one per account, Momento's auth
// limits), so the token id proves the account and nothing more. These attacks are made by a
// device of the same account, with that shared valid token, against a sibling's session whose
// sessionId and deviceId it read from a 409 or the entitlement list.
describe('the tracker against the emulator: a sibling device cannot act for another session', () => {
  let harness: TrackerHarness;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
    await harness.subscriber();
  });
  afterAll(() => harness.stop());

  it('a stop published in a sibling’s name with the shared device token leaves the sibling counted', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '2' });
    const earlier = await api.admit('sibling-stop-acc', { deviceId: 'old-phone' });
    const victim = await api.admit('sibling-stop-acc', { deviceId: 'living-room-tv' });
    expect(victim.token).toBe(earlier.token); // one device token per account
    const victimDevice = await harness.device(victim, 'living-room-tv');
    victimDevice.startHeartbeats();
    // The earlier device stops (its token stays valid), then reads who plays from the 409.
    const attacker = await harness.device(earlier, 'old-phone');
    await attacker.stop();
    await waitFor(async () => (await api.sessions('sibling-stop-acc')).active === 1, 3000, 'the attacker’s own stop');
    await api.admit('sibling-stop-acc', { deviceId: 'third' });
    const refusal = await api.startSession('sibling-stop-acc', { deviceId: 'old-phone-again' });
    expect(refusal.statusCode).toBe(409);
    const listed = JSON.parse(refusal.body).sessions.find((s: { deviceId: string }) => s.deviceId === 'living-room-tv');
    expect(listed.sessionId).toBe(victim.sessionId);

    const rejected = harness.metrics.get('HeartbeatsRejected');
    // Its own (valid) key, no key, and a made-up key: none of them proves the victim's session.
    await attacker.publish({
      v: 1,
      type: 'stop',
      sessionId: listed.sessionId,
      deviceId: listed.deviceId,
      sessionKey: earlier.sessionKey,
    });
    await attacker.publish({ v: 1, type: 'stop', sessionId: listed.sessionId, deviceId: listed.deviceId });
    await attacker.publish({
      v: 1,
      type: 'stop',
      sessionId: listed.sessionId,
      deviceId: listed.deviceId,
      sessionKey: 'A'.repeat(43),
    });
    await sleep(1000);
    const view = await api.sessions('sibling-stop-acc');
    expect(view.sessions.map((s) => s.sessionId)).toContain(victim.sessionId);
    expect(harness.events.ofType('Session Stopped').map((e) => e.detail.sessionId)).not.toContain(victim.sessionId);
    await waitFor(
      () => harness.metrics.get('HeartbeatsRejected') >= rejected + 3,
      3000,
      'the spoofed stops to be rejected',
    );
    // The victim's own stop, with its key, still works.
    await victimDevice.stop();
    await waitFor(
      async () => !(await api.sessions('sibling-stop-acc')).sessions.some((s) => s.sessionId === victim.sessionId),
      3000,
      'the victim’s own stop',
    );
  });

  it('a heartbeat in a sibling’s name does not keep a silent session alive', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '2' });
    const attackerGrant = await api.admit('sibling-beat-acc', { deviceId: 'laptop' });
    const silent = await api.admit('sibling-beat-acc', { deviceId: 'crashed-tv' });
    const attacker = await harness.device(attackerGrant, 'laptop');
    const processed = harness.metrics.get('HeartbeatsProcessed');
    const rejected = harness.metrics.get('HeartbeatsRejected');
    await attacker.publish({
      v: 1,
      type: 'heartbeat',
      sessionId: silent.sessionId,
      deviceId: 'crashed-tv',
      sessionKey: attackerGrant.sessionKey,
    });
    await waitFor(
      () => harness.metrics.get('HeartbeatsRejected') > rejected,
      3000,
      'the spoofed heartbeat to be rejected',
    );
    expect(harness.metrics.get('HeartbeatsProcessed')).toBe(processed);
  });

  it('a sibling cannot refresh another session’s token, so it never learns that session’s key', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '1' });
    const victim = await api.admit('sibling-refresh-acc', { deviceId: 'tv' });
    const refusal = await api.startSession('sibling-refresh-acc', { deviceId: 'phone' });
    expect(refusal.statusCode).toBe(409);
    const listed = JSON.parse(refusal.body).sessions[0];
    // The refresh form of POST /tokens with the listed ids and no (or a wrong) key is refused.
    const withoutKey = await api.startSession('sibling-refresh-acc', {
      deviceId: listed.deviceId,
      sessionId: listed.sessionId,
    });
    expect(withoutKey.statusCode).toBe(400);
    const wrongKey = await api.startSession('sibling-refresh-acc', {
      deviceId: listed.deviceId,
      sessionId: listed.sessionId,
      sessionKey: 'A'.repeat(43),
    });
    expect(wrongKey.statusCode).toBe(403);
    expect(JSON.parse(wrongKey.body)).toMatchObject({ error: 'invalid-session-key' });
    expect(wrongKey.body).not.toContain(victim.sessionKey);
    // The device itself refreshes with its key and keeps its session and key.
    const refreshed = await api.admit('sibling-refresh-acc', {
      deviceId: 'tv',
      sessionId: victim.sessionId,
      sessionKey: victim.sessionKey,
    });
    expect(refreshed).toMatchObject({ sessionId: victim.sessionId, sessionKey: victim.sessionKey });
  });

  it('neither the 409 nor the entitlement list carries anything that proves a session', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '1' });
    const grant = await api.admit('sibling-list-acc', { deviceId: 'tv' });
    expect(grant.sessionKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const refusal = await api.startSession('sibling-list-acc', { deviceId: 'phone' });
    const list = await api.sessions('sibling-list-acc');
    for (const body of [refusal.body, JSON.stringify(list)]) {
      expect(body).toContain(grant.sessionId);
      expect(body).not.toContain(grant.sessionKey);
      expect(body).not.toContain(grant.token);
      expect(body).not.toMatch(/sessionKey/);
    }
  });
});

/** @jest-environment jsdom */
import { act, renderHook } from '@testing-library/react';
import { DeviceSession } from '../../client/device-session';
import { useTrackedSession } from '../../client/react';
import { FakeDeviceSession } from '../../client/testing';
import { FakeTopicTransport } from './fake-topic-transport';
import { granted, refused, tokenBackend } from './fake-token-backend';

// React warns unless it knows the test wraps updates in act().
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const nextTask = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('useTrackedSession', () => {
  it('re-renders with the state, the grant and the reason a session ended', async () => {
    const session = new FakeDeviceSession({ onStart: 'wait' });
    const { result } = renderHook(() => useTrackedSession(session, { autoStart: true }));
    expect(result.current.state).toBe('starting');
    expect(session.startCalls).toBe(1);

    let grant: ReturnType<typeof session.admit> | undefined;
    act(() => {
      grant = session.admit();
    });
    expect(result.current).toMatchObject({ state: 'active', grant, reason: undefined, reconnecting: false });

    act(() => {
      session.loseConnection();
    });
    expect(result.current.reconnecting).toBe(true);
    act(() => {
      session.restoreConnection();
    });
    expect(result.current.reconnecting).toBe(false);

    act(() => {
      session.evict('ended-by-account');
    });
    expect(result.current).toMatchObject({ state: 'evicted', reason: 'ended-by-account', grant: undefined });
  });

  it('shows a refusal with the devices to stop, and starts again on demand', async () => {
    const session = new FakeDeviceSession({ onStart: 'refuse' });
    const { result } = renderHook(() => useTrackedSession(session));
    expect(result.current.state).toBe('idle');
    expect(session.startCalls).toBe(0); // no autoStart

    await act(() => result.current.start());
    expect(result.current.state).toBe('refused');
    expect(result.current.reason).toBe('limit-reached');
    expect(result.current.refusal?.sessions.map((s) => s.deviceName)).toContain('Living-room TV');
  });

  it('stops the session when the component unmounts, so the slot is freed', async () => {
    const session = new FakeDeviceSession();
    const { result, unmount } = renderHook(() => useTrackedSession(session, { autoStart: true }));
    await act(() => Promise.resolve());
    expect(result.current.state).toBe('active');
    unmount();
    await nextTask();
    expect(session.stopCalls).toBe(1);
    expect(session.state).toBe('stopped');
  });

  it('keeps the session going through StrictMode unmounting and mounting again', async () => {
    const session = new FakeDeviceSession();
    // StrictMode runs the effect, its cleanup and the effect again: a stop there would end the session.
    const { result } = renderHook(() => useTrackedSession(session, { autoStart: true }), { reactStrictMode: true });
    await act(() => Promise.resolve());
    await nextTask();
    expect(session.startCalls).toBe(1);
    expect(session.stopCalls).toBe(0);
    expect(result.current.state).toBe('active');
  });

  it('leaves the session running on unmount with stopOnUnmount: false', async () => {
    const session = new FakeDeviceSession();
    const { unmount } = renderHook(() => useTrackedSession(session, { autoStart: true, stopOnUnmount: false }));
    await act(() => Promise.resolve());
    unmount();
    await nextTask();
    expect(session.stopCalls).toBe(0);
    expect(session.state).toBe('active');
  });

  it('follows a real DeviceSession the same way', async () => {
    const backend = tokenBackend(refused, granted());
    const transport = new FakeTopicTransport();
    const session = new DeviceSession({
      deviceId: 'tv-1',
      requestToken: backend.requestToken,
      transport,
      pageLifecycle: false,
    });
    const { result, unmount } = renderHook(() => useTrackedSession(session, { autoStart: true }));
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(result.current.state).toBe('refused');

    await act(() => result.current.start());
    expect(result.current.state).toBe('active');
    expect(result.current.grant?.sessionId).toBe('session-1');

    act(() => {
      transport.lastSubscription.deliver({ v: 1, type: 'expired', sessionId: 'session-1', reason: 'max-duration' });
    });
    expect(result.current).toMatchObject({ state: 'expired', reason: 'max-duration' });
    unmount();
  });
});

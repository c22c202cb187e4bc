import type { ActiveSession } from './contracts';
import type { TrackedSession } from './device-session-events';
import { watchSession, type SessionSnapshot } from './session-snapshot';

/**
 * The part of a video.js `Player` the binding uses (video.js 7 and 8). Typed here rather than
 * imported, so the client does not depend on video.js: pass the player `videojs()` returned.
 */
export interface VideoJsPlayer {
  play(): Promise<void> | void | undefined;
  pause(): unknown;
  paused(): boolean;
  on(type: string, listener: () => void): unknown;
  off(type: string, listener: () => void): unknown;
  addClass(name: string): unknown;
  removeClass(name: string): unknown;
  el(): Element;
  createModal(content: Element, options?: { temporary?: boolean; uncloseable?: boolean }): { close(): unknown };
}

/** What the player shows when the session is not playing: a text and, when there is one, what the button does. */
export interface SessionNotice {
  readonly text: string;
  /** The button's label; pressing it calls `start()` and plays once active. Without one, no button. */
  readonly action?: string;
}

/** Options of `bindVideoJsPlayer`. */
export interface VideoJsBindingOptions {
  /**
   * The text (and button) for a session that is not playing, keyed by its state and reason (see
   * docs/client.md, "Reasons and error codes"); return undefined to show nothing. Translate here.
   * @default - `englishNotice`
   */
  readonly notice?: (snapshot: SessionSnapshot) => SessionNotice | undefined;
  /**
   * When the viewer presses play while the session is not active, hold playback and call `start()`
   * (playback begins once admitted). `false`: the app starts the session itself. @default true
   */
  readonly startOnPlay?: boolean;
  /**
   * On a refusal, a button per listed device ("Stop Living-room TV") calls this with its session
   * (your backend's DELETE), then `start()` again. @default - no such buttons
   */
  readonly stopOtherSession?: (session: ActiveSession) => Promise<unknown>;
  /** The label of those buttons. @default - "Stop <deviceName or deviceId>" */
  readonly stopOtherLabel?: (session: ActiveSession) => string;
}

/** CSS classes the binding sets on the player, for the app's own styling. */
export const VIDEOJS_SESSION_CLASSES = {
  /** Waiting for admission. */
  starting: 'vjs-session-starting',
  /** Heartbeats are failing; playback goes on (the lease still holds). */
  reconnecting: 'vjs-session-reconnecting',
  /** The session is not playing; the notice is shown. */
  ended: 'vjs-session-ended',
} as const;

/**
 * Binds a video.js player to a session: the player plays only while the session is `active`. When
 * the session is refused, evicted, expired, stopped by the page or ends in error, it pauses and
 * shows why in a modal (with a button to start again where docs/client.md says to offer one); a
 * new admission closes the modal and resumes playback. Returns the function that unbinds (also
 * done when the player is disposed); it does not stop the session.
 */
export function bindVideoJsPlayer(
  player: VideoJsPlayer,
  session: TrackedSession,
  options: VideoJsBindingOptions = {},
): () => void {
  const describe = options.notice ?? englishNotice;
  const startOnPlay = options.startOnPlay ?? true;
  let modal: { close(): unknown } | undefined;
  /** Playback was held (or ended) by the binding and resumes once the session is active. */
  let resumeWhenActive = false;

  const onPlay = (): void => {
    if (session.state === 'active') return;
    player.pause(); // never play without a slot
    if (!startOnPlay) return;
    resumeWhenActive = true;
    if (session.state !== 'starting') void session.start();
  };

  const show = (snapshot: SessionSnapshot): void => {
    closeModal();
    const notice = describe(snapshot);
    if (!notice) return;
    const doc = player.el().ownerDocument;
    const content = doc.createElement('div');
    content.className = 'vjs-session-notice';
    const text = doc.createElement('p');
    text.className = 'vjs-session-reason';
    text.textContent = notice.text;
    content.appendChild(text);
    if (snapshot.state === 'refused' && options.stopOtherSession) {
      const stopOther = options.stopOtherSession;
      for (const other of snapshot.refusal?.sessions ?? []) {
        const label =
          options.stopOtherLabel?.(other) ?? `Stop ${other.deviceName ?? other.deviceId ?? other.sessionId}`;
        content.appendChild(
          button(doc, label, 'vjs-session-stop-other', async () => {
            await stopOther(other);
            startAgain();
          }),
        );
      }
    }
    if (notice.action) content.appendChild(button(doc, notice.action, 'vjs-session-action', startAgain));
    modal = player.createModal(content, { temporary: true, uncloseable: true });
  };

  const startAgain = (): void => {
    resumeWhenActive = true;
    void session.start();
  };

  const closeModal = (): void => {
    const open = modal;
    modal = undefined;
    open?.close();
  };

  const render = (snapshot: SessionSnapshot): void => {
    toggleClass(player, VIDEOJS_SESSION_CLASSES.starting, snapshot.state === 'starting');
    toggleClass(player, VIDEOJS_SESSION_CLASSES.reconnecting, snapshot.reconnecting);
    const ended = snapshot.state !== 'active' && snapshot.state !== 'starting' && snapshot.state !== 'idle';
    toggleClass(player, VIDEOJS_SESSION_CLASSES.ended, ended);
    if (snapshot.state === 'active') {
      closeModal();
      if (resumeWhenActive) {
        resumeWhenActive = false;
        void Promise.resolve(player.play()).catch(() => undefined); // autoplay rules may refuse: the viewer presses play
      }
      return;
    }
    if (!ended) return;
    if (!player.paused()) player.pause();
    show(snapshot);
  };

  const watch = watchSession(session, render);
  player.on('play', onPlay);
  const unbind = (): void => {
    watch.close();
    player.off('play', onPlay);
    player.off('dispose', unbind);
    closeModal();
  };
  player.on('dispose', unbind);
  render(watch.snapshot());
  return unbind;
}

/**
 * The notices of docs/client.md ("Reasons and error codes"), in English. A reason the table does
 * not know gets its state's generic text.
 */
export function englishNotice(snapshot: SessionSnapshot): SessionNotice | undefined {
  const { state, reason } = snapshot;
  switch (state) {
    case 'refused': {
      const count = snapshot.refusal?.sessions.length ?? 0;
      return {
        text: `This account is already playing on ${count} device${count === 1 ? '' : 's'}: stop one to continue`,
        action: 'Try again',
      };
    }
    case 'evicted':
      if (reason === 'ended-by-account')
        return { text: 'Playback was stopped from another device or by your account', action: 'Watch here' };
      if (reason === 'replaced')
        return { text: 'This device id started playing on another screen', action: 'Watch here' };
      return { text: 'Playback moved to another device', action: 'Watch here' };
    case 'expired':
      if (reason === 'max-duration') return { text: 'You have reached the maximum viewing time' };
      if (reason === 'token-expired') return { text: 'Could not renew playback rights', action: 'Resume' };
      if (reason === 'connection-lost') return { text: 'Connection lost: playback paused', action: 'Resume' };
      return { text: 'Connection to the service was lost', action: 'Resume' };
    case 'stopped':
      return reason === 'page-hidden' ? { text: 'Playback paused', action: 'Resume' } : undefined;
    case 'error':
      return errorNotice(snapshot);
    default:
      return undefined;
  }
}

function errorNotice({ error }: SessionSnapshot): SessionNotice {
  const retry = error?.retryable ? { action: 'Try again' } : {};
  switch (error?.code) {
    case 'token-request-failed':
      return { text: 'Cannot reach the service', ...retry };
    case 'heartbeat-unreachable':
      return { text: 'Playback is blocked by a browser extension or network filter' };
    case 'momento-unavailable':
    case 'admission-hook-failed':
    case 'internal-error':
      return { text: 'The service is busy', ...retry };
    case 'unauthenticated':
    case 'forbidden':
    case 'invalid-session-key':
      return { text: 'Please sign in again' };
    case 'admission-denied':
      return { text: 'Playback is not allowed for this account' };
    default:
      return { text: 'Playback is misconfigured', ...retry };
  }
}

function button(
  doc: Document,
  label: string,
  className: string,
  onClick: () => void | Promise<void>,
): HTMLButtonElement {
  const element = doc.createElement('button');
  element.type = 'button';
  element.className = className;
  element.textContent = label;
  element.addEventListener('click', () => void Promise.resolve(onClick()).catch(() => undefined)); // the notice stays: the viewer may try again
  return element;
}

function toggleClass(player: VideoJsPlayer, name: string, on: boolean): void {
  if (on) player.addClass(name);
  else player.removeClass(name);
}

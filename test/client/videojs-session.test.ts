/** @jest-environment jsdom */
import videojs from 'video.js';
import { bindVideoJsPlayer, VIDEOJS_SESSION_CLASSES } from '../../client/videojs';
import { FakeDeviceSession } from '../../client/testing';

// jsdom has no media playback: the <video> element's play() and pause() are stood in for by ones
// that flip `paused` and fire the events a browser fires, which video.js turns into player events.
const playCalls: number[] = [];
beforeAll(() => {
  const state = new WeakMap<HTMLMediaElement, boolean>();
  Object.defineProperty(HTMLMediaElement.prototype, 'paused', {
    configurable: true,
    get(this: HTMLMediaElement) {
      return state.get(this) ?? true;
    },
  });
  HTMLMediaElement.prototype.play = function play(this: HTMLMediaElement) {
    playCalls.push(Date.now());
    state.set(this, false);
    this.dispatchEvent(new Event('play'));
    return Promise.resolve();
  };
  HTMLMediaElement.prototype.pause = function pause(this: HTMLMediaElement) {
    if (state.get(this) === false) {
      state.set(this, true);
      this.dispatchEvent(new Event('pause'));
    }
  };
  HTMLMediaElement.prototype.load = () => undefined;
  HTMLMediaElement.prototype.canPlayType = () => 'maybe';
});

let player: ReturnType<typeof videojs>;
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

beforeEach(async () => {
  playCalls.length = 0;
  const video = document.createElement('video');
  document.body.appendChild(video);
  player = videojs(video);
  await new Promise<void>((resolve) => player.ready(() => resolve()));
  player.src({ src: 'https://media.example.test/title-42.mp4', type: 'video/mp4' });
  await settle();
  player.tech(true).el().dispatchEvent(new Event('loadstart')); // what a browser fires once it starts loading
});

afterEach(() => {
  player.dispose();
  document.body.innerHTML = '';
});

const notice = () => player.el().querySelector('.vjs-session-notice');
const reasonText = () => player.el().querySelector('.vjs-session-reason')?.textContent;
const actionButton = () => player.el().querySelector<HTMLButtonElement>('.vjs-session-action');

async function playing(session: FakeDeviceSession): Promise<void> {
  await session.start();
  await player.play();
  expect(player.paused()).toBe(false);
}

describe('bindVideoJsPlayer', () => {
  it('pauses and says why when the session is evicted, and resumes on "Watch here"', async () => {
    const session = new FakeDeviceSession();
    bindVideoJsPlayer(player, session);
    await playing(session);

    session.evict('evicted-by-newer-session');

    expect(player.paused()).toBe(true);
    expect(reasonText()).toBe('Playback moved to another device');
    expect(player.hasClass(VIDEOJS_SESSION_CLASSES.ended)).toBe(true);
    const plays = playCalls.length;

    actionButton()!.click();
    await settle();

    expect(session.startCalls).toBe(2);
    expect(session.state).toBe('active');
    expect(notice()).toBeNull();
    expect(playCalls.length).toBe(plays + 1);
    expect(player.paused()).toBe(false);
  });

  it('holds playback pressed before admission and plays once admitted', async () => {
    const session = new FakeDeviceSession({ onStart: 'wait' });
    bindVideoJsPlayer(player, session);

    await player.play();

    expect(player.paused()).toBe(true);
    expect(session.state).toBe('starting');
    expect(player.hasClass(VIDEOJS_SESSION_CLASSES.starting)).toBe(true);
    session.admit();
    await settle();
    expect(player.paused()).toBe(false);
    expect(player.hasClass(VIDEOJS_SESSION_CLASSES.starting)).toBe(false);
  });

  it('on a refusal lists the devices to stop and starts again after stopping one', async () => {
    const session = new FakeDeviceSession({ onStart: 'refuse' });
    const stopped: string[] = [];
    bindVideoJsPlayer(player, session, {
      stopOtherSession: async (other) => {
        stopped.push(other.sessionId);
      },
    });
    await player.play();
    await settle();

    expect(session.state).toBe('refused');
    expect(player.paused()).toBe(true);
    expect(reasonText()).toBe('This account is already playing on 2 devices: stop one to continue');
    const buttons = Array.from(player.el().querySelectorAll<HTMLButtonElement>('.vjs-session-stop-other'));
    expect(buttons.map((b) => b.textContent)).toEqual(['Stop Living-room TV', 'Stop tablet']);

    session.startAnswer = 'admit';
    buttons[0]!.click();
    await settle();
    await settle();

    expect(stopped).toEqual(['other-session-1']);
    expect(session.state).toBe('active');
    expect(player.paused()).toBe(false);
  });

  it('offers no button where the docs say there is nothing to do (max-duration), and keeps playing while reconnecting', async () => {
    const session = new FakeDeviceSession();
    bindVideoJsPlayer(player, session);
    await playing(session);

    session.loseConnection();
    expect(player.paused()).toBe(false);
    expect(player.hasClass(VIDEOJS_SESSION_CLASSES.reconnecting)).toBe(true);

    session.expire('max-duration');
    expect(player.paused()).toBe(true);
    expect(reasonText()).toBe('You have reached the maximum viewing time');
    expect(actionButton()).toBeNull();
    expect(player.hasClass(VIDEOJS_SESSION_CLASSES.reconnecting)).toBe(false);
  });

  it('shows the app’s own (translated) words', async () => {
    const session = new FakeDeviceSession();
    bindVideoJsPlayer(player, session, {
      notice: ({ state, reason }) => ({ text: `${state}.${reason}`, action: 'Reprendre' }),
    });
    await playing(session);
    session.expire('connection-lost');
    expect(reasonText()).toBe('expired.connection-lost');
    expect(actionButton()?.textContent).toBe('Reprendre');
  });

  it('unbinds when the player is disposed', async () => {
    const session = new FakeDeviceSession();
    const video = document.createElement('video');
    document.body.appendChild(video);
    const other = videojs(video);
    bindVideoJsPlayer(other, session);
    await session.start();
    other.dispose();
    expect(() => session.evict()).not.toThrow(); // no listener left that touches the disposed player
  });
});

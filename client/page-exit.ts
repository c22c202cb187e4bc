/** The part of `window` and `document` the session needs to notice the page going away. */
export interface PageLifecycle {
  /** Receives `pagehide` (normally `window`). */
  readonly window: EventTargetLike;
  /** Receives `visibilitychange` and reports `visibilityState` (normally `document`). */
  readonly document?: EventTargetLike & { readonly visibilityState?: string };
}

/** `addEventListener`/`removeEventListener`, as on any DOM `EventTarget`. */
export interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** The page's own `window` and `document`, or undefined outside a browser. */
export function browserPageLifecycle(): PageLifecycle | undefined {
  const scope = globalThis as { window?: EventTargetLike; document?: PageLifecycle['document'] };
  if (!scope.window || typeof scope.window.addEventListener !== 'function') return undefined;
  return { window: scope.window, document: scope.document };
}

/** How the page went away: left (`pagehide`) or only hidden (`visibilitychange` to `hidden`). */
export type PageExit = 'left' | 'hidden';

/**
 * Calls `onExit` once when the page is hidden for good (`pagehide`) or, with `whenHidden`, as soon
 * as it is hidden (`visibilitychange` to `hidden`; mobile browsers may discard a hidden page without
 * a `pagehide`). Returns the function that stops watching.
 */
export function watchPageExit(page: PageLifecycle, onExit: (how: PageExit) => void, whenHidden: boolean): () => void {
  let done = false;
  const fire = (how: PageExit): void => {
    if (done) return;
    done = true;
    unwatch();
    onExit(how);
  };
  const onPageHide = (): void => fire('left');
  const onVisibility = (): void => {
    if (page.document?.visibilityState === 'hidden') fire('hidden');
  };
  const unwatch = (): void => {
    page.window.removeEventListener('pagehide', onPageHide);
    if (whenHidden) page.document?.removeEventListener('visibilitychange', onVisibility);
  };
  page.window.addEventListener('pagehide', onPageHide);
  if (whenHidden) page.document?.addEventListener('visibilitychange', onVisibility);
  return () => {
    done = true;
    unwatch();
  };
}

/** Calls `onVisible` once when the page is visible again. Returns the function that stops watching. */
export function watchPageVisible(page: PageLifecycle, onVisible: () => void): () => void {
  const document = page.document;
  if (!document) return () => undefined;
  const onVisibility = (): void => {
    if (document.visibilityState !== 'visible') return;
    document.removeEventListener('visibilitychange', onVisibility);
    onVisible();
  };
  document.addEventListener('visibilitychange', onVisibility);
  return () => document.removeEventListener('visibilitychange', onVisibility);
}

import { useMemo, useSyncExternalStore } from 'react';
import { Slug } from '../../../shared/events';

export type Route =
  | { name: 'home' }
  | { name: 'studio' }
  | { name: 'eventStudio'; slug: string }
  | { name: 'watch'; slug: string }
  | { name: 'replays' }
  | { name: 'replay'; slug: string }
  | { name: 'notFound' };

/** pushState fires no event of its own, so navigate() announces itself with this one. */
const NAVIGATE_EVENT = 'jalsa:navigate';

export function matchRoute(pathname: string): Route {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  const [first, second, ...rest] = segments;
  if (rest.length > 0) return { name: 'notFound' };
  if (first === undefined) return { name: 'home' };
  if (first === 'studio' && second === undefined) return { name: 'studio' };
  if (first === 'replay' && second === undefined) return { name: 'replays' };
  const slug = second === undefined ? null : Slug.safeParse(second);
  if (!slug?.success) return { name: 'notFound' };
  if (first === 'studio') return { name: 'eventStudio', slug: slug.data };
  if (first === 'e') return { name: 'watch', slug: slug.data };
  if (first === 'replay') return { name: 'replay', slug: slug.data };
  return { name: 'notFound' };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function currentPathname(): string {
  return window.location.pathname;
}

export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, currentPathname);
  return useMemo(() => matchRoute(pathname), [pathname]);
}

export function navigate(to: string): void {
  if (to === window.location.pathname) return;
  window.history.pushState(null, '', to);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

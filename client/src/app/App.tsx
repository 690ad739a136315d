import { Suspense, lazy } from 'react';
import { HomePage } from '../home/HomePage';
import { WatchPage } from '../watch/WatchPage';
import { Link } from './Link';
import { useRoute, type Route } from './router';

// Attendees never need the studio, so its code (and its share of mediasoup-client wiring) stays out of their download.
const StudioPage = lazy(() => import('../studio/StudioPage').then((module) => ({ default: module.StudioPage })));
const EventStudioPage = lazy(() =>
  import('../studio/EventStudioPage').then((module) => ({ default: module.EventStudioPage })),
);

function page(route: Route) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'studio':
      return <StudioPage />;
    case 'eventStudio':
      return <EventStudioPage key={route.slug} slug={route.slug} />;
    case 'watch':
      return <WatchPage key={route.slug} slug={route.slug} />;
    case 'notFound':
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            <Link to="/">See the events on Jalsa</Link>
          </p>
        </section>
      );
  }
}

export function App() {
  const route = useRoute();
  return (
    <>
      <header className="site-header">
        <Link to="/" className="brand">
          Jalsa
        </Link>
      </header>
      <main>
        <Suspense fallback={<p className="muted">Loading…</p>}>{page(route)}</Suspense>
      </main>
    </>
  );
}

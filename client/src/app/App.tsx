import { Suspense, lazy } from 'react';
import { HomePage } from '../home/HomePage';
import { LANGUAGES, setLanguage, useLanguage, useMessages, type Language } from '../i18n/language';
import { WatchPage } from '../watch/WatchPage';
import { Link } from './Link';
import { useRoute, type Route } from './router';

// Attendees never need the studio, so its code (and its share of mediasoup-client wiring) stays out of their download.
const StudioPage = lazy(() => import('../studio/StudioPage').then((module) => ({ default: module.StudioPage })));
const EventStudioPage = lazy(() =>
  import('../studio/EventStudioPage').then((module) => ({ default: module.EventStudioPage })),
);
// The live page is what must load fast on a weak link; recordings can wait for one more request.
const ReplayListPage = lazy(() =>
  import('../replay/ReplayListPage').then((module) => ({ default: module.ReplayListPage })),
);
const ReplayPage = lazy(() => import('../replay/ReplayPage').then((module) => ({ default: module.ReplayPage })));

function NotFound() {
  const t = useMessages();
  return (
    <section>
      <h1>{t.notFoundTitle}</h1>
      <p>
        <Link to="/">{t.notFoundLink}</Link>
      </p>
    </section>
  );
}

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
    case 'replays':
      return <ReplayListPage />;
    case 'replay':
      return <ReplayPage key={route.slug} slug={route.slug} />;
    case 'notFound':
      return <NotFound />;
  }
}

/** Offers each other language by its own name, so it reads right whichever language is on screen. */
function LanguageSwitch() {
  const current = useLanguage();
  const others = (Object.keys(LANGUAGES) as Language[]).filter((language) => language !== current);
  return (
    <span className="language-switch">
      {others.map((language) => (
        <button key={language} type="button" lang={language} data-testid={`language-${language}`} onClick={() => setLanguage(language)}>
          {LANGUAGES[language].languageName}
        </button>
      ))}
    </span>
  );
}

export function App() {
  const route = useRoute();
  const t = useMessages();
  return (
    <>
      <header className="site-header">
        <Link to="/" className="brand">
          {t.brand}
        </Link>
        <nav>
          <Link to="/">{t.navEvents}</Link>
          <Link to="/replay">{t.navReplays}</Link>
          <LanguageSwitch />
        </nav>
      </header>
      <main>
        <Suspense fallback={<p className="muted">{t.loading}</p>}>{page(route)}</Suspense>
      </main>
    </>
  );
}

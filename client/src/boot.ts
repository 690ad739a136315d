import { startBootAudio, watchPageSlug } from './player/BootAudio';

/**
 * The page's first script, a few KB: on a live event's watch page it starts the sound at once (see
 * BootAudio) and loads the app only once the sound plays, so that on a 2G link the app's 120 KB do not
 * share the link with the first segments. The app is loaded anyway after BOOT_WAIT_MS, and at once on
 * every other page, or when there is nothing live to play.
 */
const BOOT_WAIT_MS = 8_000;

const slug = watchPageSlug(location.pathname);
const boot = slug === null ? null : startBootAudio(slug);
const soundOrTimeout = boot ? Promise.race([boot.started, new Promise((resolve) => setTimeout(resolve, BOOT_WAIT_MS))]) : null;
void Promise.resolve(soundOrTimeout).then(() => import('./main'));

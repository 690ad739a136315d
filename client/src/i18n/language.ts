import { useSyncExternalStore } from 'react';
import { StateStore } from '../lib/StateStore';
import { en, ur, type Messages } from './messages';

export const LANGUAGES = { en, ur } as const;
export type Language = keyof typeof LANGUAGES;

const STORAGE_KEY = 'jalsa.language';
const RIGHT_TO_LEFT: ReadonlySet<Language> = new Set(['ur']);

function isLanguage(value: string | null): value is Language {
  return value !== null && Object.hasOwn(LANGUAGES, value);
}

/** The attendee's earlier choice, else the first of the browser's languages we speak, else English. */
function initialLanguage(): Language {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled; the browser's languages still apply.
  }
  if (isLanguage(saved)) return saved;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.toLowerCase().split('-')[0] ?? '';
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

const store = new StateStore<{ language: Language }>({ language: initialLanguage() });

function applyToDocument(language: Language): void {
  document.documentElement.lang = language;
  document.documentElement.dir = RIGHT_TO_LEFT.has(language) ? 'rtl' : 'ltr';
}
applyToDocument(store.get().language);

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Remembered for this visit only.
  }
  applyToDocument(language);
  store.update({ language });
}

export function useLanguage(): Language {
  return useSyncExternalStore(store.subscribe, () => store.get().language);
}

export function useMessages(): Messages {
  return LANGUAGES[useLanguage()];
}

import { z } from 'zod';

// Zod compiles its object parsers with `new Function` where it may. The page's CSP forbids eval, and
// Chromium reports even zod's probe for it (caught as it is) as a policy violation; the interpreted
// parsers are fast enough for signalling. First of the app's imports, before any schema exists.
z.config({ jitless: true });

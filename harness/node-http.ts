import { createRequire } from 'node:module';

/**
 * node:http, loaded with require. An ESM `import ... from 'node:http'` builds a facade of every
 * export, and reading http's lazy WebSocket export loads undici: about 30 ms of start-up on every
 * run for nothing. Types still come from `import type ... from 'node:http'`.
 */
export const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

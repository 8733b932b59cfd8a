import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { IDEMPOTENCY_HEADER } from '../protocol/messages';

/** Methods and request headers a browser client needs: bearer token, JSON or frame bodies, idempotency keys. */
const ALLOWED_METHODS = ['GET', 'POST'] as const;
const ALLOWED_HEADERS = ['authorization', 'content-type', IDEMPOTENCY_HEADER] as const;
/** Browsers cache a successful preflight this long (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_S = 600;
/** Refused origins are logged once each, up to this many: a hostile page must not flood the log. */
const MAX_LOGGED_REFUSALS = 100;

/**
 * One origin as browsers send it in `Origin`: `http(s)://host[:port]`, nothing more. A wildcard is
 * refused on purpose: every page allowed to call the server is named (a trailing `/` is tolerated).
 */
export const corsOriginSchema = z.string().transform((text, ctx) => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `CORS origin "${text}": ${message}` });
    return z.NEVER;
  };
  if (text.includes('*')) return fail('wildcards are not accepted; list every origin allowed to call the server');
  if (text === 'null') return fail('"null" (sandboxed frames, file:// pages) cannot be told apart from each other; serve the page over http(s)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('expected scheme://host[:port], e.g. https://app.example.org');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('only http and https origins exist for browser pages');
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    return fail(`an origin has no path, query or credentials; did you mean ${url.origin}?`);
  }
  // Canonical form, as browsers send it: lower-case host, no default port.
  return url.origin;
});

export const corsOriginsSchema = z.array(corsOriginSchema);

/**
 * The server's CORS behaviour. Only listed origins get `Access-Control-Allow-Origin` (echoing that
 * origin, never `*`); credentials mode is never allowed, because clients authenticate with the bearer
 * token their own code sends, never with cookies. CORS only decides which pages may *read* answers:
 * every request still needs a valid token.
 */
export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;
  private readonly refusalsLogged = new Set<string>();

  constructor(
    origins: readonly string[],
    private readonly log: (message: string) => void = () => {},
  ) {
    this.origins = new Set(corsOriginsSchema.parse(origins));
  }

  get allowedOrigins(): string[] {
    return [...this.origins];
  }

  /** Adds the CORS headers of an actual (non-preflight) request to `res`, when its origin is allowed. */
  decorate(req: IncomingMessage, res: ServerResponse): void {
    if (this.origins.size === 0) return;
    // Answers differ by Origin, so shared caches must key on it.
    res.setHeader('vary', 'Origin');
    const origin = this.allowedOrigin(req);
    if (!origin) return;
    res.setHeader('access-control-allow-origin', origin);
    // The client honours Retry-After on 429; browsers hide non-safelisted headers unless exposed.
    res.setHeader('access-control-expose-headers', 'Retry-After');
  }

  /**
   * Answers a preflight (`OPTIONS`) with 204: with the CORS grant when origin, method and headers are
   * allowed, without it otherwise, so the browser refuses the real request. Needs no token: browsers
   * never send credentials on a preflight.
   */
  answerPreflight(req: IncomingMessage, res: ServerResponse): void {
    const headers: Record<string, string> = { allow: 'GET, POST, OPTIONS', 'cache-control': 'no-store', 'content-length': '0' };
    if (this.origins.size > 0) headers.vary = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
    const origin = this.allowedOrigin(req);
    const method = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const methodOk = (ALLOWED_METHODS as readonly string[]).includes(method);
    const headersOk = requested.every((h) => (ALLOWED_HEADERS as readonly string[]).includes(h));
    if (origin && methodOk && headersOk) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-methods'] = ALLOWED_METHODS.join(', ');
      headers['access-control-allow-headers'] = ALLOWED_HEADERS.join(', ');
      headers['access-control-max-age'] = String(PREFLIGHT_MAX_AGE_S);
    } else if (typeof req.headers.origin === 'string') {
      this.logRefusal(req.headers.origin, origin ? `method "${method}" or headers "${requested.join(', ')}" not allowed` : 'origin not in the allow-list');
    }
    res.writeHead(204, headers);
    res.end();
  }

  private allowedOrigin(req: IncomingMessage): string | null {
    const origin = req.headers.origin;
    return typeof origin === 'string' && this.origins.has(origin) ? origin : null;
  }

  private logRefusal(origin: string, why: string): void {
    const key = origin.slice(0, 200);
    if (this.refusalsLogged.has(key) || this.refusalsLogged.size >= MAX_LOGGED_REFUSALS) return;
    this.refusalsLogged.add(key);
    this.log(
      `refused a CORS preflight from ${JSON.stringify(key)}: ${why} (allowed origins: ${this.origins.size ? [...this.origins].join(', ') : 'none; see --cors-origin'})`,
    );
  }
}

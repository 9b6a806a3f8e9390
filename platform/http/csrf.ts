import crypto from 'node:crypto';
import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';
import { config } from '../../config';

/**
 * CSRF protection with synchronizer tokens (csrf-sync), one token per session.
 *
 * A signed-in session gets its token at sign-in (newSessionToken), so the pages a user opens
 * at once in several tabs right after signing in all carry the same token; before, each
 * concurrent page made its own and the session kept only the last (the other forms then
 * failed as "kedaluwarsa").
 *
 * A visitor who is not signed in (the sign-in page) has no session row at all: the token
 * lives in a short cookie of its own, HMAC-signed with the session secret, and the form
 * must echo it. So loading the sign-in page stores nothing, and a sign-in form is still
 * bound to the browser that loaded it.
 */
export const PRE_COOKIE = 'naskah.pre';
const sign = (token: string) => crypto.createHmac('sha256', config().sessionSecret).update(`csrf-pre:${token}`).digest('base64url');

function preToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const m = new RegExp(`(?:^|;\\s*)${PRE_COOKIE.replace('.', '\\.')}=([0-9a-f]{32,256})\\.([A-Za-z0-9_-]{43})(?:;|$)`).exec(header);
  if (!m) return undefined;
  const expected = Buffer.from(sign(m[1]));
  const given = Buffer.from(m[2]);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? m[1] : undefined;
}

const signedIn = (req: Request) => Boolean((req as { user?: unknown }).user);
const state = (req: Request) => req.session as unknown as { csrfToken?: string } | undefined;

export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const b = req.body as Record<string, unknown> | undefined;
    const q = req.query as Record<string, unknown>;
    const v = (b && typeof b._csrf === 'string' && b._csrf) || req.headers['x-csrf-token'] || (typeof q._csrf === 'string' ? q._csrf : undefined);
    return typeof v === 'string' ? v : undefined;
  },
  getTokenFromState: (req) => {
    const s = state(req)?.csrfToken;
    if (s) return s;
    if (signedIn(req)) return undefined;
    return (req as { preCsrf?: string }).preCsrf ?? preToken(req);
  },
  storeTokenInState: (req, token) => {
    if (!token) return;
    const s = state(req);
    if (signedIn(req) || s?.csrfToken) { s!.csrfToken = token; return; }
    // Not signed in: a signed cookie instead of a session row (see above).
    (req as { preCsrf?: string }).preCsrf = token;
    req.res?.cookie(PRE_COOKIE, `${token}.${sign(token)}`, { httpOnly: true, sameSite: 'lax', secure: config().isProduction, path: '/' });
  },
  errorConfig: { statusCode: 403, code: 'EBADCSRFTOKEN', message: 'Formulir kedaluwarsa atau tidak sah.' },
});

/** A fresh token for a session that was just signed in (called before the session is saved). */
export function newSessionToken(req: Request): void {
  const s = state(req);
  if (s) s.csrfToken = crypto.randomBytes(32).toString('hex');
}

import type { Request, Response, NextFunction } from 'express';
import { ForbiddenError } from '../errors';
import type { Actor } from '../actor';

/** Pages behind sign-in: a visitor is sent to the sign-in page and brought back after. */
export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  if (req.actor) return next();
  if (req.method === 'GET') return res.redirect(`/masuk?next=${encodeURIComponent(req.originalUrl)}`);
  res.status(401);
  return res.redirect('/masuk');
}

export function requireThat(check: (a: Actor) => boolean) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.actor || !check(req.actor)) return next(new ForbiddenError());
    next();
  };
}

export const actorOf = (req: Request): Actor => {
  if (!req.actor) throw new ForbiddenError();
  return req.actor;
};

export function flash(req: Request, type: 'ok' | 'error' | 'info', text: string): void {
  (req.session.flash ??= []).push({ type, text });
}

/** A positive integer route parameter, or null (the route then answers 404). */
export function idParam(v: unknown): number | null {
  return typeof v === 'string' && /^[1-9]\d{0,9}$/.test(v) && Number(v) <= 2_147_483_647 ? Number(v) : null;
}

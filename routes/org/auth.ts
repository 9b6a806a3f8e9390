import { Router, type Request, type Response, type NextFunction } from 'express';
import passport from 'passport';
import { now } from '../../platform/clock';
import { newSessionToken, PRE_COOKIE } from '../../platform/http/csrf';
import { homeFor } from '../nav';
import { requireLogin, actorOf } from '../../platform/http/guards';

const router = Router();

/** Only same-site paths are followed after sign-in. */
const safeNext = (v: unknown): string | null =>
  typeof v === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(v) && !v.startsWith('/masuk') ? v : null;

router.get('/', (req, res) => (req.actor ? res.redirect(homeFor(req.actor)) : res.redirect('/masuk')));

router.get('/masuk', (req, res) => {
  if (req.actor) return res.redirect(homeFor(req.actor));
  res.render('auth/login', { title: 'Masuk', error: null, login: '', next: safeNext(req.query.next) ?? '' });
});

router.post('/masuk', (req: Request, res: Response, next: NextFunction) => {
  passport.authenticate('local', (err: unknown, user: Express.User | false, info?: { message?: string }) => {
    if (err) return next(err);
    const login = typeof req.body.login === 'string' ? req.body.login.slice(0, 100) : '';
    const nextUrl = safeNext(req.body.next) ?? '';
    if (!user) {
      return res.status(401).render('auth/login', { title: 'Masuk', error: info?.message ?? 'Gagal masuk.', login, next: nextUrl });
    }
    // passport regenerates the session on login (new session id).
    req.login(user, (e) => {
      if (e) return next(e);
      req.session.loginAt = now().getTime();
      // The session's CSRF token now, so pages opened at once share it (platform/http/csrf.ts).
      newSessionToken(req);
      res.clearCookie(PRE_COOKIE, { path: '/' });
      req.session.save(() => res.redirect(nextUrl || '/'));
    });
  })(req, res, next);
});

router.post('/keluar', (req, res, next) => {
  req.logout((err) => {
    if (err) return next(err);
    req.session.destroy(() => {
      res.clearCookie('naskah.sid');
      res.redirect('/masuk?keluar=1');
    });
  });
});

router.get('/profil', requireLogin, (req, res) => {
  res.render('auth/profile', { title: 'Profil', me: actorOf(req) });
});

export default router;

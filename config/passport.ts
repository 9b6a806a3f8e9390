import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authenticate } from '../modules/org';

let configured = false;
/** passport-local over modules/org/auth.ts (NIP or username, argon2id, throttling). */
export function configurePassport(): void {
  if (configured) return;
  passport.use(new LocalStrategy({ usernameField: 'login', passwordField: 'password', passReqToCallback: true },
    (req, login, password, done) => {
      authenticate(login, password, req.ip ?? 'unknown')
        .then((r) => (r.ok ? done(null, { id: r.user.id }) : done(null, false, { message: r.message })))
        .catch(done);
    }));
  passport.serializeUser((user, done) => done(null, (user as { id: number }).id));
  passport.deserializeUser((id: number, done) => done(null, { id }));
  configured = true;
}

import path from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';
import session from 'express-session';
import connectSessionSequelize from 'connect-session-sequelize';
import helmet from 'helmet';
import passport from 'passport';
import type { Sequelize } from 'sequelize';
import { config } from './config';
import { configurePassport } from './config/passport';
import { AppError, ValidationError } from './platform/errors';
import { viewHelpers, baseLocals } from './platform/http/viewHelpers';
import { admission } from './platform/http/admission';
import { precompileViews, renderView } from './platform/http/viewEngine';
import { now } from './platform/clock';
import { csrf } from './platform/http/csrf';
import { selectPlain } from './platform/db';
import { currentHoldings, directoryUser } from './modules/org';
import { navCounters } from './modules/surat-masuk';
import { navFor } from './routes/nav';
import type { Actor } from './platform/actor';
import authRoutes from './routes/org/auth';
import healthRoutes from './routes/health';
import inboxRoutes from './routes/surat-masuk/inbox';
import letterRoutes from './routes/surat-masuk/letters';
import fileRoutes from './routes/files';
import adminRoutes from './routes/org/admin';
import dispositionRoutes from './routes/disposisi/dispositions';
import printoutRoutes from './routes/disposisi/printouts';
import notificationRoutes from './routes/notifications';
import dashboardRoutes from './routes/dasbor/dashboard';
import kopSuratRoutes from './routes/templat/kopSurat';
import nomorSuratRoutes from './routes/surat-keluar/nomorSurat';
import outgoingRoutes from './routes/surat-keluar/outgoing';
import templateRoutes from './routes/templat/templates';
import certificateRoutes from './routes/ttd/certificates';
import verificationRoutes from './routes/ttd/verification';
import signingRoutes from './routes/ttd/signing';
import domainRoutes from './routes/domain/domain';
import domainAdminRoutes from './routes/domain/domainAdmin';

declare module 'express-session' {
  interface SessionData {
    loginAt?: number;
    flash?: { type: 'ok' | 'error' | 'info'; text: string }[];
    pendingUploads?: Record<string, import('./platform/uploads').StoredUpload[]>;
    /** The last bulk signing's per-letter outcome, shown once on the "Siap tanda tangan" tab. */
    bulkSigning?: import('./modules/ttd/bulkSigner').BulkSummary;
  }
}
declare global {
  namespace Express {
    interface User { id: number }
    interface Request { actor?: Actor }
  }
}

const BaseStore = connectSessionSequelize(session.Store);
type StoredSession = session.SessionData & { passport?: unknown };

/**
 * Sessions in the database, with the idle timeout on the app's clock: every request pushes
 * `expires` forward (touch), and a session found past it is dead. A signed-in session that
 * timed out comes back empty but for a notice, so the sign-in page can say why.
 */
class ClockedSessionStore extends BaseStore {
  /** When each session's stored expiry was last pushed, so a burst of requests writes it once. */
  private expiresSeen = new Map<string, number>();
  private db: Sequelize;
  constructor(opts: ConstructorParameters<typeof BaseStore>[0], private idleMs: number) {
    super(opts);
    this.db = opts.db;
    // Push the idle expiry forward, but write it only when it moves by more than a minute: the
    // idle timeout is counted in minutes, and a page with its frames and assets would otherwise
    // write the session row on every request.
    const touch = this.touch.bind(this);
    this.touch = (sid: string, data: session.SessionData, fn?: (err?: unknown) => void) => {
      const next = this.expiration().getTime();
      if (next - (this.expiresSeen.get(sid) ?? 0) < TOUCH_GRANULARITY_MS) return fn?.();
      this.remember(sid, next);
      return touch(sid, data, fn);
    };
  }
  expiration(): Date { return new Date(now().getTime() + this.idleMs); }
  override get(sid: string, fn: (err: unknown, s?: session.SessionData | null) => void): void {
    // Every request reads its session: one plain statement rather than a findOne built from options.
    const s = this.db;
    selectPlain<{ data: string; expires: Date | string | null }>(`SELECT data, expires FROM sessions WHERE sid = ${s.escape(sid)}`, s).then(([row]) => {
      if (!row) return fn(null, null);
      this.remember(sid, row.expires ? new Date(row.expires).getTime() : 0);
      const data = JSON.parse(row.data) as StoredSession;
      if (row.expires && new Date(row.expires).getTime() < now().getTime()) {
        if (!data.passport) return fn(null, null);
        return fn(null, { cookie: data.cookie, flash: [{ type: 'info', text: 'Sesi Anda berakhir karena tidak ada aktivitas. Silakan masuk kembali.' }] } as session.SessionData);
      }
      fn(null, data);
    }, (err) => fn(err));
  }
  override set(sid: string, data: session.SessionData, fn?: (err?: unknown) => void): void {
    this.remember(sid, this.expiration().getTime());
    super.set(sid, data, fn);
  }
  override destroy(sid: string, fn?: (err?: unknown) => void): void {
    this.expiresSeen.delete(sid);
    super.destroy(sid, fn);
  }
  private remember(sid: string, expiresMs: number): void {
    if (this.expiresSeen.size > 50_000) this.expiresSeen.clear();
    this.expiresSeen.set(sid, expiresMs);
  }
}
const TOUCH_GRANULARITY_MS = 60_000;

/** body-parser's refusals, as the sender should read them. */
const BODY_ERRORS: Record<string, [number, string]> = {
  'charset.unsupported': [415, 'Set karakter isian tidak didukung (gunakan UTF-8).'],
  'encoding.unsupported': [415, 'Pengodean isian (Content-Encoding) tidak didukung.'],
  'parameters.too.many': [413, 'Isian formulir terlalu banyak.'],
  'entity.parse.failed': [400, 'Isian formulir tidak dapat dibaca.'],
  'entity.verify.failed': [400, 'Isian formulir tidak dapat dibaca.'],
  'request.size.invalid': [400, 'Ukuran isian tidak sesuai dengan yang dikirim.'],
  'stream.encoding.set': [400, 'Isian formulir tidak dapat dibaca.'],
};

export interface AppHandle { app: express.Express; close(): void }

/** Build the Express app. The caller has connected the database and run migrations. */
export function createApp(sequelize: Sequelize): AppHandle {
  const c = config();
  const app = express();
  app.set('views', path.join(__dirname, 'views'));
  app.engine('ejs', renderView);
  app.set('view engine', 'ejs');
  app.set('trust proxy', c.trustProxy ? 1 : false);
  app.disable('x-powered-by');
  // Pages are per user and never revalidated: hashing every body for an ETag is wasted work.
  app.set('etag', false);
  // The helpers every view uses, once for the app (Express hands app.locals to every render).
  Object.assign(app.locals, viewHelpers);
  if (c.isProduction) {
    app.set('view cache', true);
    precompileViews(app.get('views') as string);
  }

  app.use(helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"], objectSrc: ["'none'"], frameSrc: ["'self'"], frameAncestors: ["'self'"],
        formAction: ["'self'"], baseUri: ["'self'"], connectSrc: ["'self'"],
        ...(c.isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: c.isProduction,
    crossOriginEmbedderPolicy: false,
  }));
  app.use('/static', express.static(path.join(__dirname, 'public'), { maxAge: c.isProduction ? '7d' : 0, index: false }));
  app.use(healthRoutes);
  // Everything past here (sessions, database, pages) is worked on a bounded number at a time.
  app.use(admission({
    limit: c.maxActiveRequests, maxQueue: c.maxWaitingRequests, maxWaitMs: c.maxWaitMs,
    refuse: (_req, res) => {
      if (res.headersSent || res.writableEnded) return;
      baseLocals(res.locals);
      res.set('Retry-After', '10').status(503).render('errors/503', { title: 'Server sedang sibuk', message: 'Terlalu banyak permintaan pada saat yang sama. Tidak ada data yang disimpan dari permintaan ini; coba lagi dalam beberapa detik.' });
    },
  }));

  const store = new ClockedSessionStore({ db: sequelize, tableName: 'sessions', checkExpirationInterval: 15 * 60_000, expiration: c.sessionIdleMs }, c.sessionIdleMs);
  app.use(session({
    name: 'naskah.sid',
    secret: c.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    // A browser-session cookie, set at sign-in only: the idle and absolute timeouts are the
    // server's (the store's expiry and the middleware below), so no response re-signs and
    // re-sends the cookie to push an expiry the server enforces anyway.
    cookie: { httpOnly: true, sameSite: 'lax', secure: c.isProduction },
  }));
  app.use(express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 300 }));
  // Forms are urlencoded or multipart (multer, per route). Any other body (JSON, XML, text)
  // is refused before a route reads it, with a message, instead of reaching a handler as an
  // empty or foreign body.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(['application/x-www-form-urlencoded', 'multipart/form-data'])) {
      baseLocals(res.locals);
      return res.status(415).render('errors/400', { title: 'Jenis isian tidak didukung', message: 'Formulir harus dikirim dari halaman Naskah (application/x-www-form-urlencoded atau multipart/form-data). Tidak ada data yang disimpan.' });
    }
    if (req.body === undefined) req.body = {};
    next();
  });

  // Absolute session lifetime on the app's clock: however active, a session ends this long after
  // sign-in. (The idle timeout is the store's.) Requests never write the session otherwise, so
  // concurrent requests (a page and its PDF frame) cannot overwrite each other's flash messages.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const s = req.session;
    if (!s?.loginAt || now().getTime() - s.loginAt <= c.sessionAbsoluteMs) return next();
    return s.regenerate(() => { (req as { user?: unknown }).user = undefined; req.session.flash = [{ type: 'info', text: 'Sesi Anda berakhir. Silakan masuk kembali.' }]; next(); });
  });

  // Save the session before any redirect is sent. express-session flushes the headers before its
  // save finishes, and a browser follows a 303 on the headers alone: the next page could load the
  // session without the flash message just set.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const redirect = res.redirect.bind(res) as (...a: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      if (!req.session) return redirect(...args);
      req.session.save(() => redirect(...args));
    }) as typeof res.redirect;
    next();
  });

  configurePassport();
  // compat: false: no req._passport (only passport < 0.5 strategies read it).
  app.use(passport.initialize({ compat: false }));
  app.use(passport.session());

  const { csrfSynchronisedProtection, generateToken } = csrf;
  app.use(csrfSynchronisedProtection);

  app.use(async (req: Request, res: Response, next: NextFunction) => {
    res.locals.csrfToken = generateToken(req);
    // Flash messages are taken from the session only when a page is rendered, so a redirect
    // (e.g. after a session timeout) carries them to the next page.
    Object.defineProperty(res.locals, 'flash', {
      enumerable: true, configurable: true,
      get() { const f = req.session.flash ?? []; if (req.session.flash) delete req.session.flash; return f; },
    });
    res.locals.path = req.path;
    res.locals.actor = null;
    res.locals.nav = [];
    res.locals.counters = { unread: 0, overdue: 0, notif: 0 };
    if (req.user) {
      const user = await directoryUser(req.user.id);
      if (!user || !user.active) {
        return req.logout(() => req.session.destroy(() => res.redirect('/masuk')));
      }
      const actor: Actor = { user, holdings: await currentHoldings(user.id), ip: req.ip ?? null };
      req.actor = actor;
      res.locals.actor = actor;
      res.locals.counters = await navCounters(actor);
      res.locals.nav = navFor(actor);
    }
    next();
  });

  app.use(verificationRoutes);
  app.use(domainRoutes);
  app.use(authRoutes);
  app.use(inboxRoutes);
  app.use(letterRoutes);
  app.use(dispositionRoutes);
  app.use(signingRoutes);
  app.use(outgoingRoutes);
  app.use(printoutRoutes);
  app.use(notificationRoutes);
  app.use(dashboardRoutes);
  app.use(fileRoutes);
  // Before adminRoutes: its /admin/:entity would take /admin/kop-surat, /admin/penomoran and /admin/templat.
  app.use(kopSuratRoutes);
  app.use(nomorSuratRoutes);
  app.use(templateRoutes);
  app.use(certificateRoutes);
  app.use(domainAdminRoutes);
  app.use(adminRoutes);

  app.use((_req: Request, res: Response) => {
    baseLocals(res.locals);
    res.status(404).render('errors/404', { title: 'Tidak ditemukan', message: 'Halaman yang Anda cari tidak ditemukan.' });
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    // The sender went away before its form arrived: nobody is left to answer, nothing to report.
    if ((err as { type?: string }).type === 'request.aborted') { res.destroy(); return; }
    baseLocals(res.locals);
    const code = (err as { code?: string }).code;
    if (code === 'EBADCSRFTOKEN') {
      return res.status(403).render('errors/403', {
        title: 'Formulir kedaluwarsa',
        message: 'Formulir kedaluwarsa atau tidak sah (token keamanan tidak cocok). Tidak ada data yang disimpan. Kembali, muat ulang halaman, lalu kirim lagi.',
      });
    }
    const bodyError = BODY_ERRORS[(err as { type?: string }).type ?? ''];
    if (bodyError) return res.status(bodyError[0]).render('errors/400', { title: 'Isian tidak dapat dibaca', message: `${bodyError[1]} Tidak ada data yang disimpan.` });
    if ((err as { type?: string }).type === 'entity.too.large') {
      return res.status(413).render('errors/400', { title: 'Isian terlalu besar', message: 'Isian formulir terlalu besar. Tidak ada data yang disimpan.' });
    }
    if (err instanceof AppError && !(err instanceof ValidationError)) {
      const view = err.status === 404 ? 'errors/404' : err.status === 403 ? 'errors/403' : 'errors/400';
      return res.status(err.status).render(view, { title: err.status === 404 ? 'Tidak ditemukan' : 'Tidak dapat diproses', message: err.message });
    }
    console.error(`[${new Date().toISOString()}] ${req.method} ${req.originalUrl}`, err);
    res.status(500).render('errors/500', { title: 'Terjadi kesalahan', message: 'Terjadi kesalahan pada sistem. Kejadian ini sudah dicatat; coba lagi beberapa saat lagi.' });
  });

  return { app, close: () => store.stopExpiringSessions() };
}

import { expect } from 'chai';
import supertest from 'supertest';
import { Op } from 'sequelize';
import { LoginThrottle, User } from '../models';
import { db } from '../platform/db';
import { setClock, systemClock, FixedClock } from '../platform/clock';
import { config } from '../config';
import { app, csrfOf, signIn, textOf } from './helpers/app';
import { buildUser } from './helpers/factories';
import { DEMO_PASSWORD } from '../seed/demo';

const sidOf = (res: supertest.Response): string | undefined =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('naskah.sid='))?.split(';')[0];

async function tryLogin(agent: ReturnType<typeof supertest.agent>, login: string, password: string) {
  const token = await csrfOf(agent, '/masuk');
  return agent.post('/masuk').type('form').send({ _csrf: token, login, password });
}

describe('Sign-in and sessions', () => {
  afterEach(async () => {
    setClock(systemClock);
    // Failed attempts from this test's address must not lock out the tests that follow.
    await LoginThrottle.destroy({ where: { key: { [Op.like]: 'ip:%' } } });
  });

  it('signs in by username or by NIP and lands on the page of the role', async () => {
    for (const [login, home] of [['sekretariat', '/surat-masuk'], ['kadis', '/kotak-masuk'], ['admin', '/admin']]) {
      const res = await tryLogin(supertest.agent(app()), login, DEMO_PASSWORD);
      expect(res.status, login).to.equal(302);
      const agent = supertest.agent(app());
      await tryLogin(agent, login, DEMO_PASSWORD);
      expect((await agent.get('/')).headers.location, login).to.equal(home);
    }
    const kabid = await User.findOne({ where: { username: 'kabid' } });
    const byNip = supertest.agent(app());
    expect((await tryLogin(byNip, kabid!.nip!, DEMO_PASSWORD)).status).to.equal(302);
    expect(textOf((await byNip.get('/profil')).text)).to.include(kabid!.name);
  });

  it('refuses a wrong password with a clear message and keeps what was typed', async () => {
    const res = await tryLogin(supertest.agent(app()), 'kasi.egov', 'salah-sekali-123');
    expect(res.status).to.equal(401);
    expect(textOf(res.text)).to.include('NIP/nama pengguna atau kata sandi salah');
    expect(res.text).to.include('value="kasi.egov"');
    const unknown = await tryLogin(supertest.agent(app()), 'tidak.ada', 'apa-saja-123');
    expect(textOf(unknown.text)).to.include('NIP/nama pengguna atau kata sandi salah');
  });

  it('locks an account after repeated failures, says for how long, and lets it in after the lock', async () => {
    const clock = new FixedClock(new Date());
    setClock(clock);
    const user = await buildUser();
    const agent = supertest.agent(app());
    for (let i = 0; i < config().loginMaxAttempts - 1; i++) {
      expect(textOf((await tryLogin(agent, user.username, `salah-${i}-xyz`)).text)).to.include('kata sandi salah');
    }
    const last = await tryLogin(agent, user.username, 'salah-terakhir-1');
    expect(textOf(last.text)).to.include('Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit');
    // Even the right password is refused while locked.
    const locked = await tryLogin(agent, user.username, DEMO_PASSWORD);
    expect(locked.status).to.equal(401);
    expect(textOf(locked.text)).to.include('Terlalu banyak percobaan');
    clock.advance(14 * 60_000);
    expect(textOf((await tryLogin(agent, user.username, DEMO_PASSWORD)).text)).to.include('Coba lagi dalam 1 menit');
    clock.advance(2 * 60_000);
    expect((await tryLogin(agent, user.username, DEMO_PASSWORD)).status).to.equal(302);
  });

  it('gives a new session id at sign-in, keeps sessions in the database, and ends them at logout', async () => {
    const agent = supertest.agent(app());
    const page = await agent.get('/masuk');
    const before = sidOf(page);
    expect(before, 'no session before sign-in: the sign-in form\'s token is in a signed cookie of its own').to.equal(undefined);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent.post('/masuk').type('form').send({ _csrf: token, login: 'kabid', password: DEMO_PASSWORD });
    const after = sidOf(res);
    expect(after).to.be.a('string');
    const sid = decodeURIComponent(after!.split('=')[1]).replace(/^s:/, '').split('.')[0];
    const [rows] = await db().query('SELECT sid, data FROM sessions WHERE sid = ?', { replacements: [sid] });
    expect(rows as unknown[]).to.have.length(1);
    expect((await agent.get('/kotak-masuk')).status).to.equal(200);
    const out = await agent.post('/keluar').type('form').send({ _csrf: await csrfOf(agent, '/profil') });
    expect(out.status).to.equal(302);
    const [gone] = await db().query('SELECT sid FROM sessions WHERE sid = ?', { replacements: [sid] });
    expect(gone as unknown[]).to.have.length(0);
    const back = await agent.get('/kotak-masuk');
    expect(back.status).to.equal(302);
    expect(back.headers.location).to.match(/^\/masuk\?next=/);
  });

  it('ends a session after the idle timeout and after the absolute lifetime', async () => {
    const clock = new FixedClock(new Date());
    setClock(clock);
    const agent = await signIn('kasi.idc');
    clock.advance(config().sessionIdleMs - 60_000);
    expect((await agent.get('/kotak-masuk')).status, 'still active before the idle limit').to.equal(200);
    clock.advance(config().sessionIdleMs + 60_000);
    const idle = await agent.get('/kotak-masuk');
    expect(idle.status).to.equal(302);
    const login = await agent.get('/masuk');
    expect(textOf(login.text)).to.include('Sesi Anda berakhir');

    const busy = await signIn('kasi.idc');
    const steps = Math.ceil(config().sessionAbsoluteMs / (config().sessionIdleMs / 2)) + 1;
    let ended = -1;
    for (let i = 0; i < steps; i++) {
      clock.advance(config().sessionIdleMs / 2); // always active, never idle
      if ((await busy.get('/kotak-masuk')).status === 302) { ended = i; break; }
    }
    expect(ended, 'an always-active session still ends').to.be.greaterThan(0);
    expect((ended + 1) * (config().sessionIdleMs / 2)).to.be.greaterThan(config().sessionAbsoluteMs);
  });

  it('stores no session for visitors: 20 cookieless loads of the sign-in page add no session row, and the form still works', async () => {
    const count = async () => Number(((await db().query('SELECT COUNT(*) AS n FROM sessions'))[0] as { n: number }[])[0].n);
    const before = await count();
    for (let i = 0; i < 20; i++) expect((await supertest(app()).get('/masuk')).status).to.equal(200);
    expect(await count()).to.equal(before);
    // The sign-in form's token is bound to the browser by its own signed cookie: a token from
    // another browser's page is refused.
    const other = await csrfOf(supertest.agent(app()), '/masuk');
    const agent = supertest.agent(app());
    await agent.get('/masuk');
    expect((await agent.post('/masuk').type('form').send({ _csrf: other, login: 'kabid', password: DEMO_PASSWORD })).status).to.equal(403);
    const own = await csrfOf(agent, '/masuk');
    expect((await agent.post('/masuk').type('form').send({ _csrf: own, login: 'kabid', password: DEMO_PASSWORD })).status).to.equal(302);
    expect(await count()).to.equal(before + 1);
  });

  it('pages opened at once right after sign-in share one CSRF token, so each of their forms is accepted', async () => {
    const agent = await signIn('sekretariat');
    const pages = await Promise.all(['/surat-masuk/baru', '/surat-masuk', '/profil', '/kotak-masuk', '/notifikasi'].map((u) => agent.get(u)));
    const tokens = new Set(pages.map((p) => /name="_csrf" value="([^"]+)"/.exec(p.text)?.[1]).filter(Boolean));
    expect(tokens.size).to.equal(1);
  });

  it('sets the session cookie at sign-in as a browser-session cookie and does not re-send it on every page', async () => {
    const agent = supertest.agent(app());
    const res = await tryLogin(agent, 'kadis', DEMO_PASSWORD);
    expect(res.status).to.equal(302);
    const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('naskah.sid='));
    expect(set, 'a new session id at sign-in').to.be.a('string');
    expect(set).to.not.match(/Max-Age|Expires/i);
    const page = await agent.get('/kotak-masuk');
    expect(page.status).to.equal(200);
    expect(sidOf(page), 'no cookie on an ordinary page').to.equal(undefined);
  });

  it('refuses state-changing requests without the right CSRF token, with an Indonesian message', async () => {
    const agent = supertest.agent(app());
    await agent.get('/masuk');
    const none = await agent.post('/masuk').type('form').send({ login: 'kadis', password: DEMO_PASSWORD });
    expect(none.status).to.equal(403);
    expect(textOf(none.text)).to.include('Formulir kedaluwarsa');
    const wrong = await agent.post('/masuk').type('form').send({ _csrf: 'x'.repeat(40), login: 'kadis', password: DEMO_PASSWORD });
    expect(wrong.status).to.equal(403);
    // A token of another session does not work either.
    const other = await csrfOf(supertest.agent(app()), '/masuk');
    expect((await agent.post('/masuk').type('form').send({ _csrf: other, login: 'kadis', password: DEMO_PASSWORD })).status).to.equal(403);
  });

  it('sends security headers: a CSP without inline script, nosniff, no x-powered-by; httpOnly SameSite cookie', async () => {
    const res = await supertest(app()).get('/masuk');
    const csp = res.headers['content-security-policy'];
    expect(csp).to.match(/script-src 'self'/);
    expect(csp).to.not.include('unsafe-inline');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';');
    expect(cookie).to.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
    expect(res.text).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('only follows same-site paths after sign-in', async () => {
    const agent = supertest.agent(app());
    const token = await csrfOf(agent, '/masuk?next=//evil.example/');
    const res = await agent.post('/masuk').type('form').send({ _csrf: token, login: 'kadis', password: DEMO_PASSWORD, next: '//evil.example/' });
    expect(res.headers.location).to.equal('/');
    const agent2 = supertest.agent(app());
    const t2 = await csrfOf(agent2, '/masuk');
    const res2 = await agent2.post('/masuk').type('form').send({ _csrf: t2, login: 'kadis', password: DEMO_PASSWORD, next: '/kotak-masuk' });
    expect(res2.headers.location).to.equal('/kotak-masuk');
  });
});

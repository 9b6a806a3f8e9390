import { expect } from 'chai';
import supertest from 'supertest';
import { Op } from 'sequelize';
import { LoginThrottle } from '../models';
import { config, setConfig } from '../config';
import { setClock, systemClock, FixedClock } from '../platform/clock';
import { countEvent } from '../platform/throttle';
import { app, csrfOf, textOf } from './helpers/app';
import { buildUser, uniq } from './helpers/factories';
import { DEMO_PASSWORD } from '../seed/demo';

const LOCKED = 'Terlalu banyak percobaan masuk yang gagal';
const WRONG = 'NIP/nama pengguna atau kata sandi salah';

async function tryLogin(agent: ReturnType<typeof supertest.agent>, login: string, password: string) {
  const token = await csrfOf(agent, '/masuk');
  return agent.post('/masuk').type('form').send({ _csrf: token, login, password });
}

/** Failures stored per key (0 when there is no row). */
async function failuresOf(key: string): Promise<number> {
  return (await LoginThrottle.findByPk(key))?.failures ?? 0;
}

describe('Sign-in throttle: per account and atomic', () => {
  const clean = async () => {
    setClock(systemClock);
    // Failed attempts from this address must not lock out the tests that follow.
    await LoginThrottle.destroy({ where: { key: { [Op.like]: 'ip:%' } } });
  };
  beforeEach(clean);
  afterEach(clean);

  it('locks the account, not the typed string: failures by username lock sign-in by NIP', async () => {
    const user = await buildUser();
    const agent = supertest.agent(app());
    for (let i = 0; i < config().loginMaxAttempts; i++) await tryLogin(agent, user.username, `salah-${i}-xyz`);
    const byNip = await tryLogin(supertest.agent(app()), user.nip!, DEMO_PASSWORD);
    expect(byNip.status, 'the right password by NIP is refused while the account is locked').to.equal(401);
    expect(textOf(byNip.text)).to.include(LOCKED);
    expect((await tryLogin(supertest.agent(app()), user.username, DEMO_PASSWORD)).status).to.equal(401);
  });

  it('locks the account, not the typed string: failures by NIP lock sign-in by username', async () => {
    const user = await buildUser();
    const agent = supertest.agent(app());
    for (let i = 0; i < config().loginMaxAttempts; i++) await tryLogin(agent, user.nip!, `salah-${i}-xyz`);
    const byName = await tryLogin(supertest.agent(app()), user.username, DEMO_PASSWORD);
    expect(byName.status, 'the right password by username is refused while the account is locked').to.equal(401);
    expect(textOf(byName.text)).to.include(LOCKED);
  });

  it('mixing username and NIP failures still reaches the one limit of the account', async () => {
    const user = await buildUser();
    const agent = supertest.agent(app());
    for (let i = 0; i < config().loginMaxAttempts; i++) await tryLogin(agent, i % 2 ? user.nip! : user.username, `salah-${i}-xyz`);
    expect(textOf((await tryLogin(agent, user.username, DEMO_PASSWORD)).text)).to.include(LOCKED);
    expect(textOf((await tryLogin(agent, user.nip!, DEMO_PASSWORD)).text)).to.include(LOCKED);
  });

  it('still counts failures for an unknown login per typed string', async () => {
    const ghost = uniq('tidak.ada.');
    const agent = supertest.agent(app());
    for (let i = 0; i < config().loginMaxAttempts - 1; i++) {
      expect(textOf((await tryLogin(agent, ghost, `salah-${i}-xyz`)).text)).to.include(WRONG);
    }
    expect(textOf((await tryLogin(agent, ghost, 'salah-terakhir-1')).text)).to.include(LOCKED);
    expect(await failuresOf(`u:${ghost}`)).to.equal(config().loginMaxAttempts);
    // Another account from the same address is not locked by that.
    await LoginThrottle.destroy({ where: { key: { [Op.like]: 'ip:%' } } });
    const other = await buildUser();
    expect((await tryLogin(supertest.agent(app()), other.username, DEMO_PASSWORD)).status).to.equal(302);
  });

  /** `n` visitors, each with the sign-in page open (its own cookie and CSRF token). */
  const signInPages = (n: number) => Promise.all(Array.from({ length: n }, async () => {
    const agent = supertest.agent(app());
    return { agent, token: await csrfOf(agent, '/masuk') };
  }));

  it('counts 50 concurrent wrong passwords on one account without losing any, and then refuses the right one', async function () {
    this.timeout(120_000);
    const user = await buildUser();
    const attempts = 50;
    const agents = await signInPages(attempts);
    const results = await Promise.all(agents.map(({ agent, token }, i) =>
      agent.post('/masuk').type('form').send({ _csrf: token, login: i % 2 ? user.nip! : user.username, password: `salah-${i}-xyz` })));
    for (const r of results) expect(r.status).to.equal(401);
    const texts = results.map((r) => textOf(r.text));
    expect(texts.every((t) => t.includes(WRONG) || t.includes(LOCKED))).to.equal(true);

    const account = await failuresOf(`u:${user.username}`);
    const ip = (await LoginThrottle.findAll({ where: { key: { [Op.like]: 'ip:%' } } })).map((r) => r.failures);
    // Every attempt that got past the lock check counted once on the account and once on the
    // address (the only failures from this address in this test), so both counts are equal:
    // no increment was lost on either.
    expect(ip, 'one address').to.have.length(1);
    expect(account, 'failures counted on the account').to.be.at.least(config().loginMaxAttempts);
    expect(account).to.be.at.most(attempts);
    expect(ip[0], 'the same attempts counted on the address').to.equal(account);
    // Only the attempts counted below the limit were told "wrong password".
    expect(texts.filter((t) => t.includes(WRONG)).length).to.be.at.most(config().loginMaxAttempts - 1);
    const row = await LoginThrottle.findByPk(`u:${user.username}`);
    expect(row!.lockedUntil, 'the account is locked').to.not.equal(null);

    await LoginThrottle.destroy({ where: { key: { [Op.like]: 'ip:%' } } });
    for (const login of [user.username, user.nip!]) {
      const right = await tryLogin(supertest.agent(app()), login, DEMO_PASSWORD);
      expect(right.status, login).to.equal(401);
      expect(textOf(right.text)).to.include(LOCKED);
    }
  });

  it('counts 50 concurrent wrong passwords exactly when none is refused by the lock first', async function () {
    this.timeout(120_000);
    const user = await buildUser();
    const attempts = 50;
    const agents = await signInPages(attempts);
    // A limit above the number of attempts: every attempt is counted, so the count is exact.
    const saved = config();
    setConfig({ ...saved, loginMaxAttempts: 100 });
    try {
      const results = await Promise.all(agents.map(({ agent, token }, i) =>
        agent.post('/masuk').type('form').send({ _csrf: token, login: i % 2 ? user.nip! : user.username, password: `salah-${i}-xyz` })));
      for (const r of results) expect(textOf(r.text)).to.include(WRONG);
    } finally {
      setConfig(saved);
    }
    expect(await failuresOf(`u:${user.username}`)).to.equal(attempts);
    const ip = (await LoginThrottle.findAll({ where: { key: { [Op.like]: 'ip:%' } } })).map((r) => r.failures);
    expect(ip).to.deep.equal([attempts]);
    await LoginThrottle.destroy({ where: { key: { [Op.like]: 'ip:%' } } });
    // Back at the usual limit, one more failure locks the account: the right password is refused.
    await tryLogin(supertest.agent(app()), user.username, 'salah-lagi-123');
    expect(textOf((await tryLogin(supertest.agent(app()), user.nip!, DEMO_PASSWORD)).text)).to.include(LOCKED);
  });

  it('countEvent: 50 concurrent events on one key give exactly 50, and each sees its own count', async () => {
    const key = uniq('test:concurrent:');
    const limit = 10;
    const minutes = await Promise.all(Array.from({ length: 50 }, () => countEvent(key, limit, 60 * 60_000, 15 * 60_000)));
    expect(await failuresOf(key)).to.equal(50);
    // Events 1..9 were below the limit; events 10..50 locked the key.
    expect(minutes.filter((m) => m === 0)).to.have.length(limit - 1);
    expect(minutes.filter((m) => m === 15)).to.have.length(50 - (limit - 1));
    await LoginThrottle.destroy({ where: { key } });
  });

  it('countEvent starts a new window after the old one, in the same atomic update', async () => {
    const clock = new FixedClock(new Date('2026-06-01T08:00:00Z'));
    setClock(clock);
    const key = uniq('test:window:');
    for (let i = 0; i < 3; i++) expect(await countEvent(key, 5, 10 * 60_000, 15 * 60_000)).to.equal(0);
    expect(await failuresOf(key)).to.equal(3);
    clock.advance(11 * 60_000);
    expect(await countEvent(key, 5, 10 * 60_000, 15 * 60_000)).to.equal(0);
    const row = await LoginThrottle.findByPk(key);
    expect(row!.failures, 'a new window counts from 1').to.equal(1);
    expect(row!.windowStart.getTime()).to.equal(clock.now().getTime());
    for (let i = 0; i < 3; i++) expect(await countEvent(key, 5, 10 * 60_000, 15 * 60_000)).to.equal(0);
    expect(await countEvent(key, 5, 10 * 60_000, 15 * 60_000), 'the 5th event in the window locks').to.equal(15);
    expect((await LoginThrottle.findByPk(key))!.lockedUntil!.getTime()).to.equal(clock.now().getTime() + 15 * 60_000);
    await LoginThrottle.destroy({ where: { key } });
  });
});

import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { config, setConfig } from '../config';
import { db } from '../platform/db';
import { Assignment, User } from '../models';
import { currentHoldings, directoryUser, invalidateDirectory, positionLabels, referenceLists } from '../modules/org/orgDirectory';
import { holdingsOf } from '../modules/org/org';
import { today } from '../platform/dates';
import { signIn } from './helpers/app';
import { buildAgency, buildPosition, buildUser, positionByRole, uniq } from './helpers/factories';

/**
 * The organization and reference lists are kept in memory for CACHE_SECONDS. A change made
 * through the app shows on the very next request; a change made behind its back (another app
 * server, SQL by hand) shows once the cache time has passed.
 */
describe('Organization directory cache', () => {
  const saved = config();
  afterEach(() => { setConfig(saved); invalidateDirectory(); });

  it('signs out a deactivated user on their next request', async () => {
    const u = await buildUser({ role: 'staf' });
    const agent = await signIn(u.username);
    expect((await agent.get('/kotak-masuk')).status).to.equal(200);
    await User.update({ active: false }, { where: { id: u.id } });
    const res = await agent.get('/kotak-masuk');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal('/masuk');
  });

  it('gives a new Plh assignment its position at once, and takes it away when it ends', async () => {
    const u = await buildUser({ role: 'staf' });
    const kasi = await positionByRole('kasi');
    expect((await currentHoldings(u.id)).map((h) => h.positionId)).not.to.include(kasi.id);
    const a = await Assignment.create({ userId: u.id, positionId: kasi.id, kind: 'plh', startDate: today(), endDate: null });
    expect((await currentHoldings(u.id)).map((h) => h.positionId)).to.include(kasi.id);
    expect((await positionLabels([kasi.id])).get(kasi.id)!.holders).to.contain(`Plh. ${u.name}`);
    await a.update({ endDate: '2000-01-01' });
    expect((await currentHoldings(u.id)).map((h) => h.positionId)).not.to.include(kasi.id);
  });

  it('answers as the database does (same holdings, in the same order, as holdingsOf)', async () => {
    const p1 = await buildPosition({ role: 'staf' });
    const p2 = await buildPosition({ role: 'kasi' });
    const u = await buildUser({ positionId: p1.id });
    await Assignment.create({ userId: u.id, positionId: p2.id, kind: 'plt', startDate: today(), endDate: null });
    const cached = (await currentHoldings(u.id)).map((h) => [h.positionId, h.kind, h.position.name, h.position.unit?.name]);
    const direct = (await holdingsOf(u.id)).map((h) => [h.positionId, h.kind, h.position.name, h.position.unit?.name]);
    expect(cached).to.deep.equal(direct);
    expect(cached.map((c) => c[1])).to.deep.equal(['definitif', 'plt']);
  });

  it('sees changes made outside the app once CACHE_SECONDS have passed', async () => {
    setConfig({ ...saved, cacheMs: 300 });
    const u = await buildUser({ role: 'staf', name: 'Nama Lama' });
    expect((await directoryUser(u.id))!.name).to.equal('Nama Lama');
    await db().query('UPDATE users SET name = :n WHERE id = :id', { replacements: { n: 'Nama Baru', id: u.id }, type: QueryTypes.UPDATE });
    await new Promise((r) => setTimeout(r, 350));
    expect((await directoryUser(u.id))!.name).to.equal('Nama Baru');
  });

  it('reads every time when CACHE_SECONDS is 0', async () => {
    setConfig({ ...saved, cacheMs: 0 });
    const u = await buildUser({ role: 'staf', name: 'Sebelum' });
    await directoryUser(u.id);
    await db().query('UPDATE users SET name = :n WHERE id = :id', { replacements: { n: 'Sesudah', id: u.id }, type: QueryTypes.UPDATE });
    expect((await directoryUser(u.id))!.name).to.equal('Sesudah');
  });

  it('lists a new agency in the register filter at once', async () => {
    const before = (await referenceLists()).agencies.length;
    const name = uniq('Dinas Baru ');
    await buildAgency({ name });
    const after = await referenceLists();
    expect(after.agencies.length).to.equal(before + 1);
    expect(after.agencies.map((a) => a.name)).to.include(name);
    const agent = await signIn('sekretariat');
    expect((await agent.get('/surat-masuk')).text).to.contain(name);
  });
});

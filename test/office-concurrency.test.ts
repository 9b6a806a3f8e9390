import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { parseDbUrl } from '../config';
import { createSequelize } from '../platform/db';
import { DEMO_PASSWORD } from '../seed/demo';
import { childEnv } from './fixtures/proc';
import { disposeLetter, freshDbUrl, OfficeClient, registerLetter, startServer, type ServerHandle } from './helpers/office';
import { naskah } from './fixtures/proc';

/**
 * An office at once, against the real server as `npm start` runs it (a SQLite file, or a
 * MariaDB database when DB_URL names one), driven over HTTP by separate signed-in clients:
 * the Kepala Dinas on four devices disposing at the same moment, while the agendaris
 * registers and others read. Each answer comes within a second, the server stays healthy,
 * and the audit chain is whole afterwards.
 */
describe('An office at once (real server, concurrent users)', function () {
  this.timeout(180_000);
  let server: ServerHandle;
  let dbUrl: string;
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

  before(async () => {
    dbUrl = await freshDbUrl('office');
    server = await startServer({ ...childEnv({}), NODE_ENV: 'production', DB_URL: dbUrl });
  });
  after(async () => { await server?.stop(); });

  it('8 concurrent dispositions (different letters, and one letter from two devices) each answer within a second; /healthz stays up', async () => {
    const clerk = new OfficeClient(server.url);
    await clerk.signIn('sekretariat', DEMO_PASSWORD);
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await registerLetter(clerk, { perihal: `Permohonan subdomain uji bersamaan ${i}`, senderNumber: `400.14/${100 + i}/Disdik/2026`, today });
      expect(r.status, r.text.slice(0, 300)).to.equal(303);
      ids.push(r.letterId!);
    }
    const devices = await Promise.all(Array.from({ length: 4 }, async () => { const c = new OfficeClient(server.url, 20_000); await c.signIn('kadis', DEMO_PASSWORD); return c; }));
    // Letter 0 from two devices at once (one wins, the other is told), letters 1-6 once each.
    const plan = [ids[0], ids[0], ...ids.slice(1)];
    const pages = await Promise.all(plan.map((id, i) => devices[i % 4].get(`/surat-masuk/${id}`)));
    expect(pages.map((p) => p.status)).to.deep.equal(plan.map(() => 200));
    const answers = await Promise.all(plan.map((id, i) => disposeLetter(devices[i % 4], id, { n: 1 })));
    for (const a of answers) {
      expect([303, 422], a.text.slice(0, 300)).to.include(a.status);
      expect(a.ms, `a disposition took ${Math.round(a.ms)} ms`).to.be.below(1000);
    }
    expect(answers.filter((a) => a.status === 303).length, 'every letter disposed once').to.equal(7);
    const health = await clerk.get('/healthz');
    expect(health.status).to.equal(200);
    expect(health.ms).to.be.below(1000);
    // Every disposed letter shows its disposition to the Kadis (nothing lost).
    for (const id of ids) expect((await devices[0].get(`/surat-masuk/${id}`)).text).to.contain('Mohon ditindaklanjuti');
  });

  it('registrations, dispositions and page reads at once: all answered, agenda numbers distinct, the audit chain whole', async () => {
    const clerks = await Promise.all(Array.from({ length: 4 }, async () => { const c = new OfficeClient(server.url, 20_000); await c.signIn('sekretariat', DEMO_PASSWORD); return c; }));
    const readers = await Promise.all(['kabid', 'kasi.egov', 'staf.egov1', 'sekretaris'].map(async (u) => { const c = new OfficeClient(server.url, 20_000); await c.signIn(u, DEMO_PASSWORD); return c; }));
    const kadis = new OfficeClient(server.url, 20_000);
    await kadis.signIn('kadis', DEMO_PASSWORD);
    const regs = await Promise.all(Array.from({ length: 12 }, (_, i) => registerLetter(clerks[i % 4], { perihal: `Permohonan hosting campuran ${i}`, senderNumber: `005/${200 + i}/Bappeda/2026`, today })));
    expect(regs.map((r) => r.status)).to.deep.equal(regs.map(() => 303));
    const work = await Promise.all([
      ...regs.slice(0, 6).map((r) => disposeLetter(kadis, r.letterId!, { n: 1 })),
      ...readers.flatMap((c) => [c.get('/kotak-masuk'), c.get('/notifikasi')]),
      readers[3].get('/surat-masuk?q=hosting'),
      ...Array.from({ length: 4 }, (_, i) => registerLetter(clerks[i], { perihal: `Permohonan lanjutan ${i}`, senderNumber: `005/${300 + i}/Bappeda/2026`, today })),
    ]);
    for (const w of work) expect(w.status, w.text.slice(0, 200)).to.be.oneOf([200, 303]);
    const server_db = createSequelize(parseDbUrl(dbUrl), false);
    try {
      const rows = await server_db.query<{ agenda: string; perihal: string }>('SELECT agenda_number AS agenda, perihal FROM incoming_letters', { type: QueryTypes.SELECT });
      expect(new Set(rows.map((r) => r.agenda)).size, 'agenda numbers distinct').to.equal(rows.length);
      for (const i of [0, 1, 2, 3]) expect(rows.filter((r) => r.perihal === `Permohonan lanjutan ${i}`), 'each acknowledged registration stored once').to.have.length(1);
    } finally { await server_db.close(); }
    const verify = await naskah(['audit:verify'], childEnv({ DB_URL: dbUrl }), 60_000);
    expect(verify.code, verify.stdout + verify.stderr).to.equal(0);
  });
});

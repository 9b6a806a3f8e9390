import { expect } from 'chai';
import { config, setConfig } from '../config';
import supertest from 'supertest';
import { Disposition, Holiday, IncomingLetter, Position, Unit, User } from '../models';
import { setClock, systemClock, FixedClock } from '../platform/clock';
import { workingMinutesBetween } from '../lib/workingTime';
import { workingCalendar } from '../platform/settings';
import { sendDispositions, type DisposeForm } from '../modules/disposisi/dispositionSender';
import { reportOnDisposition } from '../modules/disposisi/dispositionReporter';
import { recallDisposition } from '../modules/disposisi/dispositionRecaller';
import { markRead } from '../modules/surat-masuk/letterReader';
import {
  dashboardFor, dashboardScope, durasiKerja, lettersByStatus, overdueDispositions, parsePeriod, stepTimes, stepWindow, type DashboardScope,
} from '../modules/dasbor/dashboard';
import { jsonForScript } from '../routes/dasbor/dashboard';
import { app, signIn, textOf } from './helpers/app';
import { actorOf, buildLetter, buildPosition, buildUnit, buildUser, positionByRole, uniq } from './helpers/factories';

/** An instant given in the office's local time (WIB, UTC+7). */
const wib = (s: string): Date => new Date(`${s}+07:00`);

const form = (targets: number[], o: Partial<DisposeForm> = {}): DisposeForm =>
  ({ targets: targets.map(String), instructions: ['tindak_lanjuti'], note: '', priority: 'biasa', dueAt: '', ...o });

describe('Dasbor pimpinan', () => {
  const clock = new FixedClock(wib('2026-03-02T08:00:00'));
  // An own bidang with two seksi, so the Kabid's scope holds only this test's data.
  let bidang: Unit, seksi1: Unit, seksi2: Unit;
  let kabidPos: Position, kasi1Pos: Position, kasi2Pos: Position, stafPos: Position;
  let kabid: User, kasi1: User, kasi2: User, staf: User;
  let l1: IncomingLetter, l2: IncomingLetter;
  let d1: Disposition, d2: Disposition, d3: Disposition;
  const AT = wib('2026-03-06T10:00:00'); // Friday: the dashboard is looked at now

  before(async () => {
    setClock(clock);
    const kadisPos = await positionByRole('kepala');
    bidang = await buildUnit({ name: uniq('Bidang Dasbor '), kind: 'bidang' });
    seksi1 = await buildUnit({ name: uniq('Seksi Satu '), kind: 'seksi', parentId: bidang.id });
    // A hostile unit name: it must stay text in the tables and inert in the chart JSON.
    seksi2 = await buildUnit({ name: `Seksi </script><script>alert(1)</script> ${uniq('')}`, kind: 'seksi', parentId: bidang.id });
    kabidPos = await buildPosition({ name: uniq('Kepala Bidang Dasbor '), unitId: bidang.id, role: 'kabid', rank: 2, superiorId: kadisPos.id });
    kasi1Pos = await buildPosition({ name: uniq('Kepala Seksi Satu '), unitId: seksi1.id, role: 'kasi', rank: 3, superiorId: kabidPos.id });
    kasi2Pos = await buildPosition({ name: uniq('Kepala Seksi Dua '), unitId: seksi2.id, role: 'kasi', rank: 3, superiorId: kabidPos.id });
    stafPos = await buildPosition({ name: uniq('Staf Seksi Satu '), unitId: seksi1.id, role: 'staf', rank: 4, superiorId: kasi1Pos.id });
    kabid = await buildUser({ positionId: kabidPos.id, name: 'Ir. Kabid Dasbor' });
    kasi1 = await buildUser({ positionId: kasi1Pos.id, name: 'Kasi Satu Dasbor' });
    kasi2 = await buildUser({ positionId: kasi2Pos.id, name: 'Kasi Dua Dasbor' });
    staf = await buildUser({ positionId: stafPos.id, name: 'Staf Dasbor' });

    // Monday 08:00: two letters addressed to the Kabid are registered.
    l1 = await buildLetter({ addressedPositionId: kabidPos.id, perihal: 'Permohonan subdomain dasbor' });
    l2 = await buildLetter({ addressedPositionId: kabidPos.id, perihal: 'Permohonan hosting dasbor' });
    const kabidA = await actorOf(kabid);
    // 09:00 the Kabid disposes L1 to Kasi 1 (1 hour after registration; due Tuesday 09:00).
    clock.set(wib('2026-03-02T09:00:00'));
    [d1] = await sendDispositions({ actor: kabidA, letterId: l1.id, viaPositionId: kabidPos.id, form: form([kasi1Pos.id]) });
    // 09:30 also to Kasi 2 by mistake, recalled at 09:45: recalled ones do not count.
    clock.set(wib('2026-03-02T09:30:00'));
    const [wrong] = await sendDispositions({ actor: kabidA, letterId: l1.id, viaPositionId: kabidPos.id, form: form([kasi2Pos.id]) });
    clock.set(wib('2026-03-02T09:45:00'));
    await recallDisposition({ actor: kabidA, dispositionId: wrong.id, expectedVersion: wrong.version, reason: 'Salah tujuan' });
    // 10:00 L2 to Kasi 2 (2 hours after registration); never read: overdue from Tuesday 10:00.
    clock.set(wib('2026-03-02T10:00:00'));
    [d2] = await sendDispositions({ actor: kabidA, letterId: l2.id, viaPositionId: kabidPos.id, form: form([kasi2Pos.id]) });
    // 11:00 Kasi 1 opens L1: read after 2 working hours.
    clock.set(wib('2026-03-02T11:00:00'));
    await markRead(await actorOf(kasi1), l1);
    // 13:00 Kasi 1 disposes to the staff member (3 working days: due Thursday 13:00).
    clock.set(wib('2026-03-02T13:00:00'));
    [d3] = await sendDispositions({ actor: await actorOf(kasi1), letterId: l1.id, viaPositionId: kasi1Pos.id, form: form([stafPos.id]) });
    // 14:00 the staff member reads it (1 working hour).
    clock.set(wib('2026-03-02T14:00:00'));
    await markRead(await actorOf(staf), l1);
    // Tuesday 09:00 Kasi 1 completes: exactly 1 working day, on its deadline.
    clock.set(wib('2026-03-03T09:00:00'));
    const k1 = (await Disposition.findByPk(d1.id))!;
    await reportOnDisposition({ actor: await actorOf(kasi1), dispositionId: k1.id, expectedVersion: k1.version, body: 'Selesai diverifikasi.', files: [], complete: true });
    // Thursday 15:00 the staff member completes, 2 hours after the deadline.
    clock.set(wib('2026-03-05T15:00:00'));
    const s3 = (await Disposition.findByPk(d3.id))!;
    await reportOnDisposition({ actor: await actorOf(staf), dispositionId: s3.id, expectedVersion: s3.version, body: 'Subdomain dibuat.', files: [], complete: true });
    clock.set(AT);
  });

  after(async () => {
    setClock(systemClock);
    // Leave no overdue open disposition behind for the deadline sweeper of other tests.
    await Disposition.destroy({ where: { toPositionId: [kasi1Pos.id, kasi2Pos.id, stafPos.id] } });
  });

  it('scopes: the Kepala Dinas and Sekretaris see the whole office, a Kabid his bidang with its seksi', async () => {
    expect((await dashboardScope(await actorOf('kadis'))).whole).to.equal(true);
    expect((await dashboardScope(await actorOf('sekretaris'))).whole).to.equal(true);
    const s = await dashboardScope(await actorOf(kabid));
    expect(s.whole).to.equal(false);
    expect(s.unitIds).to.have.members([bidang.id, seksi1.id, seksi2.id]);
    expect(s.positionIds).to.have.members([kabidPos.id, kasi1Pos.id, kasi2Pos.id, stafPos.id]);
    expect(s.label).to.equal(bidang.name);
    const k1 = await dashboardScope(await actorOf(kasi1));
    expect(k1.positionIds).to.have.members([kasi1Pos.id, stafPos.id]);
  });

  it('counts the letters by status in the scope, and for a period of received dates', async () => {
    const scope = await dashboardScope(await actorOf(kabid));
    const all = await lettersByStatus(scope);
    expect(all.total).to.equal(2);
    expect(Object.fromEntries(all.rows.map((r) => [r.status, r.count]))).to.deep.equal({ baru: 0, didisposisi: 1, diproses: 1, dibalas: 0, selesai: 0, diarsipkan: 0 });
    expect(all.rows.map((r) => r.label)).to.deep.equal(['Baru', 'Didisposisi', 'Diproses', 'Dibalas', 'Selesai', 'Diarsipkan']);
    expect((await lettersByStatus(scope, { from: '2026-03-02', to: '2026-03-02' })).total).to.equal(2);
    expect((await lettersByStatus(scope, { from: '2026-03-03', to: '2026-03-31' })).total).to.equal(0);
    // Kasi 2 has only L2: the recalled disposition took L1 out of his inbox again.
    const kasi2Scope = await dashboardScope(await actorOf(kasi2));
    expect((await lettersByStatus(kasi2Scope)).total).to.equal(1);
    // The whole office sees at least these, and one more letter registered counts once more.
    const office = await dashboardScope(await actorOf('kadis'));
    const before = await lettersByStatus(office, { from: '2026-03-02', to: '2026-03-02' });
    clock.set(wib('2026-03-02T12:00:00'));
    const extra = await buildLetter();
    clock.set(AT);
    const after = await lettersByStatus(office, { from: '2026-03-02', to: '2026-03-02' });
    expect(after.total - before.total).to.equal(1);
    expect(after.rows[0].count - before.rows[0].count, `letter ${extra.id} is new`).to.equal(1);
  });

  it('lists overdue open dispositions per unit and per person, with the oldest and the working time late', async () => {
    const scope = await dashboardScope(await actorOf(kabid));
    const o = await overdueDispositions(scope, { at: AT });
    expect(o.total).to.equal(1);
    expect(o.byUnit).to.deep.equal([{ unitId: seksi2.id, unit: seksi2.name, count: 1, oldestDueAt: d2.dueAt }]);
    expect(o.byPerson).to.have.length(1);
    expect(o.byPerson[0]).to.deep.include({ positionId: kasi2Pos.id, position: kasi2Pos.name, holders: 'Kasi Dua Dasbor', unitId: seksi2.id, count: 1 });
    expect(o.byPerson[0].oldestDueAt.getTime()).to.equal(wib('2026-03-03T10:00:00').getTime());
    expect(o.oldest).to.deep.include({ dispositionId: d2.id, letterId: l2.id, positionId: kasi2Pos.id, status: 'terkirim', perihal: 'Permohonan hosting dasbor' });
    expect(o.oldest!.lateMinutes, 'Tuesday 10:00 to Friday 10:00: 3 working days').to.equal(3 * 510);
    const monday = await overdueDispositions(scope, { at: wib('2026-03-09T10:00:00') });
    expect(monday.oldest!.lateMinutes, 'over the weekend: 4 working days').to.equal(4 * 510);
    // Before Tuesday 10:00 nothing was late yet.
    expect((await overdueDispositions(scope, { at: wib('2026-03-03T09:59:00') })).total).to.equal(0);
    // A Kasi 1 view has none (its dispositions are done).
    expect((await overdueDispositions(await dashboardScope(await actorOf(kasi1)), { at: AT })).total).to.equal(0);
  });

  it('averages the working time per step against the SOP time, and the share done by the deadline', async () => {
    const scope = await dashboardScope(await actorOf(kabid));
    const r = await stepTimes(scope, { from: '2026-01-01', to: '2026-03-06' }, { at: AT });
    expect(r.minutesPerDay).to.equal(510);
    expect(r.steps.map((s) => s.role)).to.deep.equal(['kasi', 'staf']);
    expect(r.steps[0]).to.deep.equal({
      role: 'kasi', label: 'Kepala Seksi', count: 2, readCount: 1, avgReadMinutes: 120, doneCount: 1, avgDoneMinutes: 510,
      sopMinutes: 510, decided: 2, onTime: 1, onTimePct: 50,
    });
    expect(r.steps[1]).to.deep.equal({
      role: 'staf', label: 'Staf / Pelaksana', count: 1, readCount: 1, avgReadMinutes: 60, doneCount: 1, avgDoneMinutes: 180 + 510 + 510 + 450,
      sopMinutes: 3 * 510, decided: 1, onTime: 0, onTimePct: 0,
    });
    expect(r.overall).to.deep.equal({ decided: 3, onTime: 1, onTimePct: 33.3 });
    expect(r.firstDisposition).to.have.length(1);
    expect(r.firstDisposition[0]).to.deep.include({ role: 'kabid', label: 'Kepala Bidang', count: 2, avgDoneMinutes: 90, sopMinutes: 510 });
    // Outside the period: nothing.
    const none = await stepTimes(scope, { from: '2026-03-03', to: '2026-03-06' }, { at: AT });
    expect(none.steps).to.deep.equal([]);
    expect(none.firstDisposition).to.deep.equal([]);
    expect(none.overall.onTimePct).to.equal(null);
  });

  it('computes the same working time in SQL as lib/workingTime does row by row (weekends, holidays, off hours)', async () => {
    const kadis = await User.findOne({ where: { username: 'kadis' } });
    const kadisPos = await positionByRole('kepala');
    const unit = await buildUnit({ kind: 'seksi' });
    const pos = await buildPosition({ unitId: unit.id, role: 'operator_dc' });
    const letter = await buildLetter();
    await Holiday.create({ date: '2026-02-17', name: 'Libur uji dasbor' });
    try {
      const cal = await workingCalendar();
      // Deterministic pseudo-random instants over three weeks, to the minute, at any hour.
      let seed = 20260217;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      const base = wib('2026-02-09T00:00:00').getTime();
      const expectedRead: number[] = [], expectedDone: number[] = [];
      for (let i = 0; i < 25; i++) {
        const created = new Date(base + Math.floor(rnd() * 14 * 24 * 60) * 60_000);
        const read = new Date(created.getTime() + Math.floor(rnd() * 4 * 24 * 60) * 60_000);
        const done = i % 3 === 0 ? null : new Date(read.getTime() + Math.floor(rnd() * 6 * 24 * 60) * 60_000);
        await Disposition.create({
          letterId: letter.id, parentId: null, fromPositionId: kadisPos.id, fromUserId: kadis!.id, fromActing: null, toPositionId: pos.id,
          instructions: '["tindak_lanjuti"]', note: null, priority: 'biasa', dueAt: new Date(created.getTime() + 3 * 86_400_000),
          status: done ? 'selesai' : 'dibaca', readAt: read, readByUserId: null, completedAt: done, completedByUserId: null, completedActing: null,
          result: null, recalledAt: null, recallReason: null, remindedAt: null, escalatedAt: null, createdAt: created, updatedAt: created,
        });
        expectedRead.push(workingMinutesBetween(created, read, cal));
        if (done) expectedDone.push(workingMinutesBetween(created, done, cal));
      }
      const scope: DashboardScope = { whole: false, unitIds: [unit.id], positionIds: [pos.id], label: unit.name };
      const r = await stepTimes(scope, { from: '2026-02-01', to: '2026-03-06' }, { at: AT, cal });
      const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
      expect(r.steps).to.have.length(1);
      expect(r.steps[0]).to.deep.include({ role: 'operator_dc', count: 25, readCount: 25, doneCount: expectedDone.length });
      expect(r.steps[0].avgReadMinutes).to.equal(mean(expectedRead));
      expect(r.steps[0].avgDoneMinutes).to.equal(mean(expectedDone));
    } finally {
      await Holiday.destroy({ where: { date: '2026-02-17' } });
      await Disposition.destroy({ where: { toPositionId: pos.id } });
    }
  });

  it('parses the period, formats working durations and escapes the chart JSON', () => {
    const at = wib('2026-03-06T10:00:00');
    expect(parsePeriod({}, at)).to.deep.equal({ period: { from: '2025-12-07', to: '2026-03-06' }, problem: null });
    expect(parsePeriod({ dari: '2026-02-01', sampai: '2026-02-28' }, at).period).to.deep.equal({ from: '2026-02-01', to: '2026-02-28' });
    expect(parsePeriod({ dari: '2026-02-28', sampai: '2026-02-01' }, at).period, 'swapped').to.deep.equal({ from: '2026-02-01', to: '2026-02-28' });
    expect(parsePeriod({ dari: '2026-02-30' }, at).problem).to.match(/tidak valid/);
    const long = parsePeriod({ dari: '2020-01-01', sampai: '2026-03-06' }, at);
    expect(long.period).to.deep.equal({ from: '2025-03-06', to: '2026-03-06' });
    expect(long.problem).to.match(/366 hari/);
    expect(stepWindow({ from: '2026-01-01', to: '2026-12-31' }), 'step times: the last 90 days').to.deep.equal({ from: '2026-10-03', to: '2026-12-31' });
    expect(stepWindow({ from: '2026-02-01', to: '2026-02-28' })).to.deep.equal({ from: '2026-02-01', to: '2026-02-28' });
    expect(durasiKerja(45, 510)).to.equal('45 menit');
    expect(durasiKerja(135, 510)).to.equal('2 jam 15 menit');
    expect(durasiKerja(510, 510)).to.equal('1 hari');
    expect(durasiKerja(1650, 510)).to.equal('3 hari 2 jam');
    expect(durasiKerja(null, 510)).to.equal('–');
    const j = jsonForScript({ a: '</script><!-- & \u2028' });
    expect(j).to.not.match(/[<>&\u2028]/);
    expect(JSON.parse(j)).to.deep.equal({ a: '</script><!-- & \u2028' });
  });

  describe('page /dasbor', () => {
    it('shows the Kabid his bidang: key numbers, tables with the exact numbers, chart data, overdue list with links', async () => {
      const agent = await signIn((await kabid.reload()).username);
      const res = await agent.get('/dasbor?dari=2026-01-01&sampai=2026-03-06');
      expect(res.status, res.text.slice(0, 500)).to.equal(200);
      const html = res.text;
      const text = textOf(html);
      expect(text).to.include('Dasbor Pimpinan').and.include(`Cakupan: ${bidang.name}`);
      const kpi = (id: string) => textOf(new RegExp(`data-testid="${id}">([\\s\\S]*?)</div>`).exec(html)![1]);
      expect(kpi('kpi-surat-bulan-ini')).to.match(/Surat masuk bulan ini 2 Maret 2026/);
      expect(kpi('kpi-disposisi-terbuka')).to.match(/Disposisi terbuka 1 /);
      expect(kpi('kpi-terlambat')).to.match(/Lewat tenggat 1 tenggat terlama 3 Maret 2026 10\.00/);
      expect(kpi('kpi-tepat-waktu')).to.match(/Selesai tepat waktu 33,3% 1 dari 3 disposisi/);
      const table = (id: string) => textOf(new RegExp(`id="${id}"[\\s\\S]*?</table>`).exec(html)![0]);
      expect(table('tabel-status')).to.include('Baru 0 Didisposisi 1 Diproses 1 Dibalas 0 Selesai 0 Diarsipkan 0 Jumlah 2');
      // textOf leaves &lt; and &gt; as they are: the hostile unit name reads as escaped text.
      const seksi2Html = seksi2.name.replace(/</g, '&lt;').replace(/>/g, '&gt;');
      expect(table('tabel-terlambat-unit')).to.include(`${seksi2Html} 1 3 Maret 2026 10.00`);
      const steps = table('tabel-tahap');
      expect(steps).to.include('Kepala Bidang: registrasi → disposisi pertama 2 surat – 1 jam 30 menit 1 hari –');
      expect(steps).to.include('Kepala Seksi 2 2 jam (1) 1 hari (1) 1 hari 50% (1 dari 2)');
      expect(steps).to.include('Staf / Pelaksana 1 1 jam (1) 3 hari 2 jam (1) melebihi SOP 3 hari 0% (0 dari 1)');
      expect(table('tabel-terlambat-orang')).to.include(`${kasi2Pos.name} Kasi Dua Dasbor ${seksi2Html} 1 3 Maret 2026 10.00`);
      expect(html).to.include(`href="/surat-masuk/${l2.id}#disposisi-${d2.id}"`);
      expect(textOf(html)).to.include('Permohonan hosting dasbor').and.include('lewat 3 hari kerja');
      // The hostile unit name is text in the HTML and escaped in the JSON.
      expect(html).to.not.include('<script>alert(1)</script>');
      const json = /<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/.exec(html)![1];
      expect(json).to.not.include('<');
      const data = JSON.parse(json);
      expect(data.status).to.deep.equal({
        codes: ['baru', 'didisposisi', 'diproses', 'dibalas', 'selesai', 'diarsipkan'],
        labels: ['Baru', 'Didisposisi', 'Diproses', 'Dibalas', 'Selesai', 'Diarsipkan'], values: [0, 1, 1, 0, 0, 0],
      });
      expect(data.overdueUnits).to.deep.equal({ labels: [seksi2.name], values: [1] });
      expect(data.steps).to.deep.equal({
        labels: ['Kepala Bidang (disposisi pertama)', 'Kepala Seksi', 'Staf / Pelaksana'], actual: [1.5, 8.5, 27.5], sop: [8.5, 8.5, 25.5],
      });
    });

    it('renders for the Kepala Dinas (whole office) without inline executable script', async () => {
      const agent = await signIn('kadis');
      const res = await agent.get('/dasbor');
      expect(res.status).to.equal(200);
      expect(textOf(res.text)).to.include('Cakupan: Seluruh dinas');
      expect(res.text).to.match(/id="tabel-status"/);
      const data = JSON.parse(/<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/.exec(res.text)![1]);
      expect(data.status.labels).to.have.length(6);
      const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).to.be.greaterThan(2);
      for (const [, attrs, body] of scripts) {
        const external = /\bsrc="\/static\//.test(attrs) && body.trim() === '';
        const data = /\btype="application\/json"/.test(attrs);
        expect(external || data, `inline script: <script${attrs}>`).to.equal(true);
      }
      expect(res.text).to.include('src="/static/vendor/chart.umd.js"').and.include('src="/static/js/dashboard.js"');
      expect(res.headers['content-security-policy']).to.match(/script-src 'self'/);
      // An invalid period falls back to the default and says so.
      expect(textOf((await agent.get('/dasbor?dari=kemarin')).text)).to.include('Tanggal periode tidak valid');
    });

    it('reuses the figures for DASHBOARD_CACHE_SECONDS and says when they were taken', async () => {
      const saved = config();
      const agent = await signIn(kasi1.username);
      const url = '/dasbor?dari=2024-01-01&sampai=2024-01-31';
      const empty = 'Belum ada surat masuk pada periode ini.';
      try {
        setConfig({ ...saved, dashboardCacheMs: 60_000 });
        const first = textOf((await agent.get(url)).text);
        expect(first).to.match(/Data per \d{1,2} \w+ \d{4} \d{2}\.\d{2}/).and.include(empty);
        await buildLetter({ letterDate: '2024-01-10', receivedDate: '2024-01-15', addressedPositionId: kasi1Pos.id });
        // Within the minute: the same figures.
        expect(textOf((await agent.get(url)).text)).to.include(empty);
        // Computed afresh (as after the minute): the new letter counts.
        setConfig({ ...saved, dashboardCacheMs: 0 });
        expect(textOf((await agent.get(url)).text)).to.not.include(empty);
      } finally {
        setConfig(saved);
      }
    });

    it('shows empty states when there is nothing in the period', async () => {
      const agent = await signIn(kasi1.username);
      const text = textOf((await agent.get('/dasbor?dari=2025-01-01&sampai=2025-01-31')).text);
      expect(text).to.include('Belum ada surat masuk pada periode ini.').and.include('Belum ada disposisi pada periode ini.')
        .and.include('Tidak ada disposisi yang lewat tenggat.');
    });

    it('is refused to staff and to the secretariat, and sends visitors to sign in', async () => {
      for (const login of ['staf.egov1', 'sekretariat']) {
        const agent = await signIn(login);
        const res = await agent.get('/dasbor');
        expect(res.status, login).to.equal(403);
      }
      const anon = await supertest(app()).get('/dasbor');
      expect(anon.status).to.equal(302);
      expect(anon.headers.location).to.equal('/masuk?next=%2Fdasbor');
    });

    it("keeps a confidential letter's subject off the overdue list", async () => {
      clock.set(wib('2026-03-05T08:00:00'));
      const secret = await buildLetter({ addressedPositionId: kabidPos.id, sifat: 'rahasia', perihal: 'Laporan insiden siber rahasia dasbor' });
      await sendDispositions({ actor: await actorOf(kabid), letterId: secret.id, viaPositionId: kabidPos.id, form: form([kasi1Pos.id]) });
      clock.set(AT);
      const o = await overdueDispositions(await dashboardScope(await actorOf(kabid)), { at: AT });
      const item = o.items.find((i) => i.letterId === secret.id)!;
      expect(item).to.deep.include({ confidential: true, perihal: 'Surat bersifat rahasia (perihal tidak ditampilkan)', positionId: kasi1Pos.id });
      const agent = await signIn(kabid.username);
      const html = (await agent.get('/dasbor?dari=2026-01-01&sampai=2026-03-06')).text;
      expect(html).to.include(`href="/surat-masuk/${secret.id}#disposisi-`).and.include('Surat bersifat rahasia');
      expect(html).to.not.include('Laporan insiden siber rahasia dasbor');
    });

    it('serves Chart.js locally as JavaScript, and the chart script', async () => {
      const res = await supertest(app()).get('/static/vendor/chart.umd.js');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^(text|application)\/javascript/);
      expect(res.text).to.include('Chart.js v4');
      const own = await supertest(app()).get('/static/js/dashboard.js');
      expect(own.status).to.equal(200);
      expect(own.headers['content-type']).to.match(/javascript/);
    });
  });

  it('gathers everything for the page in one call', async () => {
    const d = await dashboardFor(await actorOf(kabid), { from: '2026-01-01', to: '2026-03-06' }, { at: AT });
    expect(d.lettersThisMonth).to.equal(2);
    expect(d.open).to.deep.equal({ open: 1, overdue: 1 });
    expect(d.overdue.total).to.equal(1);
    expect(d.steps.overall.onTimePct).to.equal(33.3);
    expect(d.month).to.deep.equal({ from: '2026-03-01', to: '2026-03-06' });
  });
});

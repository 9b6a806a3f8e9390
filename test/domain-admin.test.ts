import supertest from 'supertest';
import { expect } from 'chai';
import { DomainCaseType, DomainCaseTypeVersion, DomainRegistryEntry } from '../models';
import { ensureCaseTypes } from '../modules/domain/domainCaseTypes';
import { openCase } from '../modules/domain/domainCases';
import { app, signIn, csrfOf, textOf, type Agent } from './helpers/app';
import { actorOf, buildAgency, uniq } from './helpers/factories';
import { getSetting } from '../platform/settings';

const PATH = '/admin/jenis-kasus-domain';
/** A type the other domain tests do not drive, so its revision here changes nothing for them. */
const TYPE_KEY = 'subdomain-suspensi';

async function typeRow(): Promise<DomainCaseType> {
  await ensureCaseTypes();
  const t = await DomainCaseType.findOne({ where: { key: TYPE_KEY } });
  if (!t) throw new Error(`no case type ${TYPE_KEY}`);
  return t;
}

async function currentJson(typeId: number): Promise<Record<string, unknown>> {
  const t = (await DomainCaseType.findByPk(typeId))!;
  const v = (await DomainCaseTypeVersion.findOne({ where: { typeId, version: t.currentVersion } }))!;
  return JSON.parse(v.definition) as Record<string, unknown>;
}

async function revise(agent: Agent, typeId: number, fields: { definition: string; note: string; active?: string }) {
  const token = await csrfOf(agent, `${PATH}/${typeId}`);
  return agent.post(`${PATH}/${typeId}`).type('form').send({ _csrf: token, ...fields });
}

/** Add an active subdomain to the registry through the registry form, as the Pejabat Domain. */
async function registerSubdomain(pejabat: Agent, ownerId: number): Promise<DomainRegistryEntry> {
  const label = uniq('ujiadm');
  const token = await csrfOf(pejabat, '/domain/registri/baru');
  const res = await pejabat.post('/domain/registri').type('form').send({
    _csrf: token, fqdn: label, kind: 'subdomain', status: 'aktif', ownerAgencyId: String(ownerId),
    activatedAt: '2025-01-10', expiresAt: '2099-01-10', hostingNotes: 'VM web-01, 5 GB', dnsNotes: 'A 10.0.0.5',
  });
  expect(res.status, textOf(res.text).slice(0, 600)).to.equal(303);
  const entry = await DomainRegistryEntry.findOne({ where: { fqdn: `${label}.sindangrajakab.go.id` } });
  expect(entry, 'registry entry').to.not.equal(null);
  return entry!;
}

describe('Domain case types admin, registry pages and public tracking', () => {
  it('lists the case types for an admin, linked from the admin index; others get 403', async () => {
    const admin = await signIn('admin');
    const index = await admin.get('/admin');
    expect(index.text).to.include(`href="${PATH}"`).and.include('Jenis kasus domain');
    const res = await admin.get(PATH);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('data-testid="case-types"').and.include(`data-key="${TYPE_KEY}"`);
    const text = textOf(res.text);
    expect(text).to.include('Pengajuan nama domain baru .go.id / .desa.id').and.include('SOP 38').and.include('domain-baru');
    const t = await typeRow();
    const page = await admin.get(`${PATH}/${t.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('data-testid="type-steps"').and.include('data-testid="type-checklist"').and.include('data-testid="type-versions"');
    expect(textOf(page.text)).to.include('Versi awal dari SOP 38-46').and.include('Keputusan Pejabat Domain').and.include('Pengelola Data Center');
    // The textarea holds the current definition as pretty JSON (escaped).
    expect(page.text).to.include('&#34;steps&#34;: [');

    for (const who of ['domain', 'kadis']) {
      const other = await signIn(who);
      expect((await other.get(PATH)).status, who).to.equal(403);
      expect((await other.get(`${PATH}/${t.id}`)).status, who).to.equal(403);
      const token = await csrfOf(other, '/profil');
      expect((await other.post(`${PATH}/${t.id}`).type('form').send({ _csrf: token, definition: '{}', note: 'x' })).status, who).to.equal(403);
    }
    expect((await supertest(app()).get(PATH)).status, 'anonymous is sent to sign in').to.equal(302);
  });

  it('refuses invalid JSON and an invalid definition with 422, keeping the input and the current version', async () => {
    const admin = await signIn('admin');
    const t = await typeRow();
    const before = t.currentVersion;
    const versionsBefore = await DomainCaseTypeVersion.count({ where: { typeId: t.id } });

    const broken = '{ "name": "Suspensi subdomain", "steps": [ }';
    const r1 = await revise(admin, t.id, { definition: broken, note: 'Uji JSON rusak', active: '1' });
    expect(r1.status).to.equal(422);
    const text1 = textOf(r1.text);
    expect(text1).to.include('Definisi tidak valid').and.include('JSON tidak valid').and.include('Perubahan belum disimpan');
    expect(r1.text).to.include('{ &#34;name&#34;: &#34;Suspensi subdomain&#34;, &#34;steps&#34;: [ }');
    expect(r1.text).to.include('value="Uji JSON rusak"');

    const def = await currentJson(t.id);
    const steps = def.steps as { kind: string }[];
    const swapped = { ...def, steps: [...steps.slice(0, -2), steps[steps.length - 1], steps[steps.length - 2]] };
    const r2 = await revise(admin, t.id, { definition: JSON.stringify(swapped, null, 2), note: 'Uji langkah terakhir', active: '1' });
    expect(r2.status).to.equal(422);
    expect(textOf(r2.text)).to.include('langkah terakhir harus berjenis "laporan"');
    expect(r2.text).to.include('data-testid="definition-problems"');

    const r3 = await revise(admin, t.id, { definition: JSON.stringify(def), note: '   ', active: '1' });
    expect(r3.status).to.equal(422);
    expect(textOf(r3.text)).to.include('Tuliskan alasan perubahan');

    await t.reload();
    expect(t.currentVersion).to.equal(before);
    expect(await DomainCaseTypeVersion.count({ where: { typeId: t.id } })).to.equal(versionsBefore);
  });

  it('saves a revision as a new version; a case opened before keeps its version and its tracking page', async () => {
    const admin = await signIn('admin');
    const pejabat = await signIn('domain');
    const owner = await buildAgency({ name: uniq('Dinas Pariwisata Uji ') });
    const entry = await registerSubdomain(pejabat, owner.id);

    // The registry list and entry pages show it.
    const list = await pejabat.get(`/domain/registri?q=${encodeURIComponent(entry.fqdn)}`);
    expect(list.status).to.equal(200);
    expect(list.text).to.include('data-testid="registry-table"').and.include(`data-fqdn="${entry.fqdn}"`);
    expect(textOf(list.text)).to.include(owner.name).and.include('Aktif').and.include('Hosting: VM web-01');

    const t = await typeRow();
    const c = await openCase(await actorOf('domain'), {
      typeKey: TYPE_KEY, nameKind: 'subdomain', requestedName: entry.fqdn, applicantAgencyId: String(owner.id),
      purpose: 'Suspensi sementara karena konten diperbarui', techName: 'Budi Santoso', techEmail: 'budi@dinas.go.id', techPhone: '0812 3456 7890',
    });
    const v1 = (await DomainCaseTypeVersion.findOne({ where: { typeId: t.id, version: t.currentVersion } }))!;
    expect(c.typeVersionId).to.equal(v1.id);

    const def = await currentJson(t.id);
    const steps = def.steps as { key: string; sop: { amount: number; unit: string } }[];
    const keputusan = steps.find((s) => s.key === 'keputusan')!;
    const oldAmount = keputusan.sop.amount;
    keputusan.sop = { amount: oldAmount + 5, unit: keputusan.sop.unit };
    const res = await revise(admin, t.id, { definition: JSON.stringify(def, null, 2), note: 'Revisi SOP 45: keputusan lebih lama', active: '1' });
    expect(res.status, textOf(res.text).slice(0, 600)).to.equal(303);
    expect(res.headers.location).to.equal(`${PATH}/${t.id}`);

    await t.reload();
    expect(t.currentVersion).to.equal(v1.version + 1);
    const v2 = (await DomainCaseTypeVersion.findOne({ where: { typeId: t.id, version: t.currentVersion } }))!;
    expect(v2.note).to.equal('Revisi SOP 45: keputusan lebih lama');
    const v2steps = (JSON.parse(v2.definition) as { steps: { key: string; sop: { amount: number } }[] }).steps;
    expect(v2steps.find((s) => s.key === 'keputusan')!.sop.amount).to.equal(oldAmount + 5);
    expect((JSON.parse(v1.definition) as { steps: { key: string; sop: { amount: number } }[] }).steps.find((s) => s.key === 'keputusan')!.sop.amount).to.equal(oldAmount);
    await c.reload();
    expect(c.typeVersionId, 'the open case keeps version 1').to.equal(v1.id);

    const page = await admin.get(`${PATH}/${t.id}`);
    const text = textOf(page.text);
    expect(text).to.include(`Versi ${v2.version} disimpan`).and.include('Revisi SOP 45: keputusan lebih lama').and.include('Administrator Sistem');
    expect(page.text).to.include(`data-version="${v2.version}"`);
    expect(textOf((/data-testid="step-sop-keputusan">([^<]*)</.exec(page.text) ?? ['', ''])[1])).to.include(String(oldAmount + 5));

    // The entry page lists the case; the receipt and the public tracking page show it.
    const entryPage = await pejabat.get(`/domain/registri/${entry.id}`);
    expect(entryPage.status).to.equal(200);
    expect(entryPage.text).to.include(`href="/domain/kasus/${c.id}"`).and.include(c.trackingCode).and.include('data-testid="registry-form"');
    const kadisView = await (await signIn('kadis')).get(`/domain/registri/${entry.id}`);
    expect(kadisView.status).to.equal(200);
    expect(kadisView.text, 'read-only for the leadership').to.not.include('data-testid="registry-form"');

    const receipt = await pejabat.get(`/domain/kasus/${c.id}/tanda-terima`);
    expect(receipt.status).to.equal(200);
    expect(receipt.text).to.match(new RegExp(`data-testid="tracking-code">${c.trackingCode}<`));
    expect(receipt.text).to.include(`/lacak/${c.trackingCode}`).and.include('/static/css/print-receipt.css');
    expect(textOf(receipt.text)).to.include('Tanda Terima Permohonan').and.include(entry.fqdn).and.include(owner.name).and.include('Suspensi subdomain');

    const track = await supertest(app()).get(`/lacak/${c.trackingCode}`);
    expect(track.status).to.equal(200);
    expect(track.text).to.match(/data-testid="track-status"[^>]*>Berjalan</);
    expect(track.text).to.include('data-testid="track-current"');
    expect(textOf(track.text)).to.include(entry.fqdn).and.include('Sedang diproses').and.include(owner.name);
    expect(textOf(track.text), 'no contact details in public').to.not.include('budi@dinas.go.id');
  });

  it('registry form reports a bad name and keeps the input', async () => {
    const pejabat = await signIn('domain');
    const token = await csrfOf(pejabat, '/domain/registri/baru');
    const res = await pejabat.post('/domain/registri').type('form').send({ _csrf: token, fqdn: 'https://contoh uji', kind: 'subdomain', status: 'aktif', hostingNotes: 'catatan tetap' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('id="err-fqdn"').and.include('catatan tetap').and.include('data-testid="form-error"');
  });

  it('public tracking page: works without login; an unknown code is 404 with a clear message', async () => {
    const anon = supertest(app());
    const form = await anon.get('/lacak');
    expect(form.status).to.equal(200);
    expect(form.text).to.include('name="kode"');
    expect(textOf(form.text)).to.include('Lacak Permohonan Domain');
    const go = await anon.get('/lacak?kode=dom-aaaa-aaaa');
    expect(go.status).to.equal(303);
    expect(go.headers.location).to.equal('/lacak/DOM-AAAA-AAAA');
    const res = await anon.get('/lacak/DOM-AAAA-AAAA');
    expect(res.status).to.equal(404);
    expect(res.text).to.include('data-testid="track-not-found"');
    expect(textOf(res.text)).to.include('Kode lacak tidak ditemukan');
  });

  it('name rules, registrar limits and reminders are settings the admin changes; bad values are refused on the page', async () => {
    const admin = await signIn('admin');
    const page = await admin.get('/admin/jenis-kasus-domain');
    expect(page.text).to.include('data-testid="domain-settings"').and.include('value="200"');
    const token = await csrfOf(admin, '/admin/jenis-kasus-domain');
    const base = { _csrf: token, parentDomain: 'sindangrajakab.go.id', regionSuffixes: 'kab, kota, prov', reserved: 'www, mail, ns1', allowedTypes: ['application/pdf', 'image/jpeg'], maxKb: '200', feePerYear: '50000', ppnPercent: '11', reminderDays: '30, 14, 7' };
    const bad = await admin.post('/admin/jenis-kasus-domain/pengaturan').type('form').send({ ...base, maxKb: 'banyak', reminderDays: '0', allowedTypes: [] });
    expect(bad.status).to.equal(422);
    const text = textOf(bad.text);
    expect(text).to.include('Batas ukuran 10-100000 KB').and.include('Hari pengingat').and.include('Pilih minimal satu jenis berkas');
    expect(bad.text).to.include('value="banyak"');
    try {
      const ok = await admin.post('/admin/jenis-kasus-domain/pengaturan').type('form').send({ ...base, reserved: 'www, mail, intranet', maxKb: '300' });
      expect(ok.status).to.equal(303);
      const pejabat = await signIn('domain');
      const live = await pejabat.get('/domain/cek-nama?name=intranet&kind=subdomain');
      expect(live.body.ok).to.equal(false);
      expect(live.body.errors.join(' ')).to.include('dicadangkan');
      expect((await pejabat.get('/domain/cek-nama?name=ns1x&kind=subdomain')).body.ok).to.equal(true);
      expect((await getSetting('domain.registrar')).maxKb).to.equal(300);
    } finally {
      const restore = await admin.post('/admin/jenis-kasus-domain/pengaturan').type('form').send({ ...base, reserved: 'www, mail, ns, ns1, ns2, ns3, smtp, imap, pop, ftp, admin, localhost, webmail, mx, dns, vpn, api-internal' });
      expect(restore.status).to.equal(303);
    }
    // Not for the Pejabat Domain.
    const pej = await signIn('domain');
    expect((await pej.post('/admin/jenis-kasus-domain/pengaturan').type('form').send({ ...base, _csrf: await csrfOf(pej, '/domain') })).status).to.equal(403);
  });
});

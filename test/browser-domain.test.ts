import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { readZip } from '../lib/zip';
import { tanggal, today } from '../platform/dates';
import { buildAgency, buildLetter, buildNip, pdfBytes, positionByRole, uniq } from './helpers/factories';
import { startBrowserRig, clickAndWait, textIn, flashOk, type BrowserRig } from './helpers/browser';

/**
 * Issue #6 in headless Chromium: the Pejabat Domain opens a .go.id case from the request
 * letter in the inbox (live name check while typing), records the SOP steps through the
 * Sekda, fills the document checklist (an over-limit scan is flagged and cannot be marked
 * complete), downloads the submission package, goes through a registrar "revisi" round,
 * pays, activates the domain, drafts the reply, and the applicant's public tracking page
 * shows the report step.
 */
describe('Browser journey: the Pejabat Domain takes a .go.id request from letter to activation', function () {
  this.timeout(240_000);
  const NAME = 'wisatasindangrajakab.go.id';
  let rig: BrowserRig;
  let tmp: string;
  before(async () => {
    rig = await startBrowserRig();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-domain-journey-'));
  });
  after(async () => {
    await rig?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');
  /** A small real PDF on disk; returns its path and bytes. */
  function pdfFile(name: string, padToBytes = 0): { file: string; bytes: Buffer } {
    let bytes = pdfBytes(uniq(`${name} `));
    if (padToBytes > bytes.length) {
      // PDF comment lines after the document: still sniffed as a PDF, just large (a 300 dpi colour scan, say).
      const line = `%${'0'.repeat(78)}\n`;
      bytes = Buffer.concat([bytes, Buffer.from(line.repeat(Math.ceil((padToBytes - bytes.length) / line.length)))]);
    }
    const file = path.join(tmp, `${name}.pdf`);
    fs.writeFileSync(file, bytes);
    return { file, bytes };
  }
  const plusYear = (iso: string): string => {
    const [y, m, d] = iso.split('-').map(Number);
    const x = new Date(Date.UTC(y + 1, m - 1, d));
    if (x.getUTCMonth() !== m - 1) x.setUTCDate(0);
    return x.toISOString().slice(0, 10);
  };

  const currentStep = (page: Page): Promise<string | null> => page.$eval('[data-testid=current-step]', (el) => el.getAttribute('data-step'));
  const slotState = (page: Page, slot: string): Promise<string | null> => page.$eval(`tr[data-slot="${slot}"]`, (el) => el.getAttribute('data-state'));

  /** Type a date into an <input type=date> the way a user does, in the segment order of the browser's locale. */
  async function typeDate(page: Page, sel: string, iso: string): Promise<void> {
    const order = await page.evaluate(() => new Intl.DateTimeFormat(navigator.language, { year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date(2026, 10, 20)).filter((p) => p.type !== 'literal').map((p) => p.type));
    const [year, month, day] = iso.split('-');
    const parts: Record<string, string> = { year, month, day };
    await page.focus(sel);
    await page.keyboard.type(order.map((k) => parts[k]).join(''));
    expect(await page.$eval(sel, (el) => (el as HTMLInputElement).value), `date typed into ${sel}`).to.equal(iso);
  }

  /** Record the current step through its form on the case page. */
  async function recordStep(page: Page, key: string, fill: () => Promise<void> = async () => {}): Promise<void> {
    expect(await currentStep(page), `the case should stand at "${key}"`).to.equal(key);
    await fill();
    await clickAndWait(page, '[data-testid=step-form] [data-testid=complete-step]');
    expect(await flashOk(page)).to.include('Langkah dicatat.');
  }

  async function uploadToSlot(page: Page, slot: string, file: string): Promise<void> {
    const input = await page.$(`tr[data-slot="${slot}"] [data-testid=slot-upload] input[type=file]`);
    expect(input, `upload form of slot ${slot}`).to.not.equal(null);
    await input!.uploadFile(file);
    await clickAndWait(page, `tr[data-slot="${slot}"] [data-testid=slot-upload] button[type=submit]`);
  }

  async function markComplete(page: Page, slot: string): Promise<void> {
    await page.select(`tr[data-slot="${slot}"] [data-testid=slot-verify] select[name=state]`, 'lengkap');
    await clickAndWait(page, `tr[data-slot="${slot}"] [data-testid=slot-verify] button[type=submit]`);
  }

  it('inbox letter -> case (live name check) -> Sekda -> checklist -> package -> revisi -> payment -> activation -> reply draft -> public tracking', async () => {
    // ---- Setup: the request letter, registered by the secretariat, addressed to the Pejabat Domain.
    const agency = await buildAgency({ name: uniq('Dinas Pariwisata Uji ') });
    const pejabatPos = await positionByRole('pejabat_domain');
    const summary = `Pendaftaran nama domain ${NAME} untuk portal pariwisata daerah`;
    const letter = await buildLetter({ perihal: `Permohonan Nama Domain ${NAME}`, senderAgencyId: agency.id, addressedPositionId: pejabatPos.id, summary });
    const todayIso = today();

    // ---- The Pejabat Domain signs in and finds the letter in the Kotak Masuk.
    const page = await rig.signIn('domain');
    await clickAndWait(page, 'nav.mainnav a[href="/kotak-masuk"]');
    expect(await textIn(page, '[data-testid=inbox]')).to.include(letter.perihal);
    await clickAndWait(page, `li[data-letter-id="${letter.id}"] a`);
    expect(page.url()).to.equal(`${rig.base}/surat-masuk/${letter.id}`);
    expect(await textIn(page, '[data-testid=agenda-number]')).to.equal(letter.agendaNumber);

    // ---- "Buka kasus domain": the form comes prefilled from the letter.
    await clickAndWait(page, '[data-testid=open-domain-case]');
    expect(page.url()).to.equal(`${rig.base}/domain/kasus/baru?surat=${letter.id}`);
    expect(await page.$eval('#typeKey', (el) => (el as HTMLSelectElement).value)).to.equal('domain-baru');
    expect(await page.$eval('#nameKind', (el) => (el as HTMLSelectElement).value)).to.equal('go.id');
    expect(await page.$eval('#applicantAgencyId', (el) => (el as HTMLSelectElement).value)).to.equal(String(agency.id));
    expect(await page.$eval('#purpose', (el) => (el as HTMLTextAreaElement).value)).to.equal(summary);
    expect(await page.$eval('#requestedName', (el) => (el as HTMLInputElement).value)).to.equal(NAME);
    // The prefilled name is checked at once.
    await page.waitForFunction((n) => document.querySelector('[data-testid=name-result]')!.textContent!.includes(`Nama tersedia: ${n}`), {}, NAME);

    // Retype the name character by character: an incomplete name is refused live, the full one is free.
    await page.click('#requestedName', { clickCount: 3 });
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => document.querySelector('[data-testid=name-result]')!.textContent!.trim() === '');
    await page.type('#requestedName', 'wisata', { delay: 25 });
    await page.waitForSelector('[data-testid=name-result].name-bad');
    expect(await page.$eval('#requestedName', (el) => el.getAttribute('aria-invalid'))).to.equal('true');
    await page.type('#requestedName', NAME.slice('wisata'.length), { delay: 25 });
    await page.waitForFunction((n) => {
      const r = document.querySelector('[data-testid=name-result]')!;
      return r.classList.contains('name-ok') && r.textContent!.includes(`Nama tersedia: ${n}`);
    }, {}, NAME);
    expect(await page.$eval('#requestedName', (el) => el.getAttribute('aria-invalid'))).to.equal('false');

    // Technical contact, then open the case.
    await page.type('#techName', 'Rina Kartika, S.Kom.');
    await page.type('#techNip', buildNip());
    await page.type('#techEmail', 'rina.kartika@disparbud.sindangrajakab.go.id');
    await page.type('#techPhone', '0265 123456');
    await clickAndWait(page, '[data-testid=case-form] [data-testid=open-case]');
    const caseMatch = /\/domain\/kasus\/(\d+)$/.exec(page.url());
    expect(caseMatch, `landed on ${page.url()}`).to.not.equal(null);
    const caseUrl = page.url();
    const caseId = Number(caseMatch![1]);
    const code = await textIn(page, '[data-testid=tracking-code]');
    expect(code).to.match(/^DOM-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(await flashOk(page)).to.include(`Kasus ${NAME} dibuka. Kode lacak untuk pemohon: ${code}.`);
    expect(await textIn(page, '[data-testid=case-name]')).to.equal(NAME);
    expect(await textIn(page, '[data-testid=case-applicant]')).to.equal(agency.name);
    expect(await textIn(page, '[data-testid=case-letter]')).to.equal(letter.agendaNumber);
    expect(await page.$eval('[data-testid=case-status]', (el) => el.getAttribute('data-status'))).to.equal('berjalan');
    expect(await page.$$eval('tr.slot-row', (rows) => rows.map((r) => r.getAttribute('data-slot')))).to.deep.equal(['surat-permohonan', 'sk-pejabat', 'surat-kuasa', 'identitas']);

    // ---- Steps 1-3: received, cover letter to the Sekda, signed letter back (its scan uploaded).
    await recordStep(page, 'terima');
    await recordStep(page, 'sekda-kirim', async () => {
      await page.type('[data-testid=step-form] #nomor', '000.5.14/123/Diskominfo');
      await typeDate(page, '[data-testid=step-form] #tanggal', todayIso);
    });
    const signedRequest = pdfFile('surat-permohonan-ttd-sekda');
    await recordStep(page, 'sekda-kembali', async () => {
      expect(await page.$eval('[data-testid=step-form] #tanggal', (el) => (el as HTMLInputElement).value)).to.equal(todayIso);
      await (await page.$('[data-testid=step-form] input[name=berkas]'))!.uploadFile(signedRequest.file);
    });
    expect(await currentStep(page)).to.equal('kelengkapan');
    expect(await textIn(page, 'tr[data-slot="surat-permohonan"]')).to.include('versi 1: surat-permohonan-ttd-sekda.pdf');
    expect(await textIn(page, '[data-testid=step-form]')).to.include('Belum siap diunggah');

    // ---- Step 4: the checklist. An over-limit scan first: flagged, and "Lengkap" is refused.
    const bigSk = pdfFile('sk-pejabat-300dpi', 260 * 1024);
    await uploadToSlot(page, 'sk-pejabat', bigSk.file);
    expect(await textIn(page, 'tr[data-slot="sk-pejabat"] [data-testid=slot-warning]')).to.match(/Ukuran 26\d KB melebihi batas registrar 200 KB/);
    expect(await textIn(page, '.flash-error')).to.include('Versi 1 tersimpan, tetapi belum dapat diajukan ke registrar');
    await markComplete(page, 'sk-pejabat');
    expect(await flashOk(page).catch(() => null), 'marking an over-limit document complete must be refused').to.equal(null);
    expect(await textIn(page, '[data-testid=form-error]')).to.include('Versi 1 belum memenuhi batas registrar').and.include('Unggah versi yang sudah diperbaiki');
    expect(await slotState(page, 'sk-pejabat')).to.equal('belum');

    // The fixed, small versions; then every slot marked complete.
    await page.goto(caseUrl, { waitUntil: 'domcontentloaded' });
    const smallSk = pdfFile('sk-pejabat');
    const kuasa = pdfFile('surat-kuasa');
    const identitas1 = pdfFile('identitas-ktp-asn');
    await uploadToSlot(page, 'sk-pejabat', smallSk.file);
    expect(await flashOk(page)).to.include('Versi 2 tersimpan.');
    expect(await page.$('tr[data-slot="sk-pejabat"] [data-testid=slot-warning]')).to.equal(null);
    await uploadToSlot(page, 'surat-kuasa', kuasa.file);
    expect(await flashOk(page)).to.include('Versi 1 tersimpan.');
    await uploadToSlot(page, 'identitas', identitas1.file);
    expect(await flashOk(page)).to.include('Versi 1 tersimpan.');
    for (const slot of ['surat-permohonan', 'sk-pejabat', 'surat-kuasa', 'identitas']) {
      await markComplete(page, slot);
      expect(await flashOk(page)).to.include('Hasil pemeriksaan dokumen disimpan.');
      expect(await slotState(page, slot)).to.equal('lengkap');
    }

    // ---- Step 5: ready to upload; then the package, downloaded in the signed-in page.
    expect(await textIn(page, '[data-testid=preflight-ok]')).to.include('Semua dokumen wajib lengkap');
    await recordStep(page, 'kelengkapan');
    expect(await page.$eval('[data-testid=package-link]', (el) => el.getAttribute('href'))).to.equal(`/domain/kasus/${caseId}/paket.zip`);
    const dl = await page.evaluate(async (href) => {
      const res = await fetch(href, { credentials: 'same-origin' });
      const bytes = new Uint8Array(await res.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), b64: btoa(bin) };
    }, `/domain/kasus/${caseId}/paket.zip`);
    expect(dl.status).to.equal(200);
    expect(dl.type).to.match(/^application\/zip/);
    expect(dl.disposition).to.include('attachment').and.include(`paket-${NAME}-${code}.zip`);
    const zipBytes = Buffer.from(dl.b64, 'base64');
    expect(zipBytes.subarray(0, 4).toString('binary')).to.equal('PK\x03\x04');
    const entries = readZip(zipBytes);
    const names = entries.map((e) => e.name);
    expect(names).to.include.members(['01-surat-permohonan.pdf', '02-sk-pejabat.pdf', '03-surat-kuasa.pdf', '04-identitas.pdf', 'ringkasan-pengajuan.pdf', 'manifest.json']);
    const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.data.toString('utf8')) as {
      trackingCode: string; name: string; documents: { file: string; slot: string; sha256: string; size: number; version: number }[]; summary: { file: string; sha256: string };
    };
    expect(manifest.trackingCode).to.equal(code);
    expect(manifest.name).to.equal(NAME);
    expect(manifest.documents.map((d) => d.file)).to.deep.equal(['01-surat-permohonan.pdf', '02-sk-pejabat.pdf', '03-surat-kuasa.pdf', '04-identitas.pdf']);
    for (const d of manifest.documents) {
      const e = entries.find((x) => x.name === d.file);
      expect(e, `${d.file} in the ZIP`).to.not.equal(undefined);
      expect(sha(e!.data), `SHA-256 of ${d.file}`).to.equal(d.sha256);
      expect(e!.data.length, `size of ${d.file}`).to.equal(d.size);
    }
    const summaryEntry = entries.find((e) => e.name === manifest.summary.file)!;
    expect(sha(summaryEntry.data)).to.equal(manifest.summary.sha256);
    expect(summaryEntry.data.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    // The package carries exactly what was uploaded: the Sekda-signed scan and the small SK (version 2), not the oversized one.
    const bySlot = new Map(manifest.documents.map((d) => [d.slot, d]));
    expect(bySlot.get('surat-permohonan')!.sha256).to.equal(sha(signedRequest.bytes));
    expect(bySlot.get('sk-pejabat')!.sha256).to.equal(sha(smallSk.bytes));
    expect(bySlot.get('sk-pejabat')!.version).to.equal(2);
    expect(bySlot.get('surat-kuasa')!.sha256).to.equal(sha(kuasa.bytes));
    expect(bySlot.get('identitas')!.sha256).to.equal(sha(identitas1.bytes));

    // ---- Step 6: uploaded to the registrar; the registrar asks for a revision of the ID cards.
    await recordStep(page, 'unggah', async () => {
      expect(await page.$eval('[data-testid=step-form] #tanggal', (el) => (el as HTMLInputElement).value)).to.equal(todayIso);
      await page.type('[data-testid=step-form] #referensi', 'PANDI-2026-0001');
    });
    expect(await textIn(page, '[data-testid=registrar-ref]')).to.equal('PANDI-2026-0001');
    const revisiNote = 'Kartu ASN penanggung jawab tidak terbaca; unggah ulang dengan pindaian yang lebih jelas.';
    await recordStep(page, 'jawaban', async () => {
      await page.click('[data-testid=step-form] input[name=hasil][value=revisi]');
      await page.click('[data-testid=step-form] input[name=slot][value=identitas]');
      await page.type('[data-testid=step-form] #catatan', revisiNote);
    });
    expect(await currentStep(page), 'a registrar revisi goes back to the document check').to.equal('kelengkapan');
    expect(await slotState(page, 'identitas')).to.equal('revisi');
    expect(await textIn(page, 'tr[data-slot="identitas"]')).to.include(revisiNote);
    for (const slot of ['surat-permohonan', 'sk-pejabat', 'surat-kuasa']) expect(await slotState(page, slot)).to.equal('lengkap');
    expect(await textIn(page, '[data-testid=preflight-problems]')).to.include('perlu revisi');

    // A new identitas version, checked; ready again; uploaded again; approved.
    const identitas2 = pdfFile('identitas-ktp-asn-jelas');
    await uploadToSlot(page, 'identitas', identitas2.file);
    expect(await flashOk(page)).to.include('Versi 2 tersimpan.');
    expect(await slotState(page, 'identitas')).to.equal('belum');
    await markComplete(page, 'identitas');
    expect(await flashOk(page)).to.include('Hasil pemeriksaan dokumen disimpan.');
    expect(await slotState(page, 'identitas')).to.equal('lengkap');
    await recordStep(page, 'kelengkapan');
    await recordStep(page, 'unggah', async () => {
      await page.type('[data-testid=step-form] #referensi', 'PANDI-2026-0001-R1');
    });
    await recordStep(page, 'jawaban', async () => {
      await page.click('[data-testid=step-form] input[name=hasil][value=disetujui]');
    });

    // Payment: the fee with PPN is prefilled; the bank transfer proof is uploaded.
    const proof = pdfFile('bukti-transfer');
    await recordStep(page, 'pembayaran', async () => {
      expect(await page.$eval('[data-testid=step-form] #jumlah', (el) => (el as HTMLInputElement).value)).to.equal(String(Math.round(50_000 * 1.11)));
      await (await page.$('[data-testid=step-form] input[name=berkas]'))!.uploadFile(proof.file);
    });
    expect(await page.$('a[href^="/domain/kasus/' + caseId + '/berkas/"]')).to.not.equal(null);
    expect(await textIn(page, '#dokumen')).to.include('Bukti pembayaran');

    // Activation: the name enters the registry, valid for one year.
    await recordStep(page, 'aktivasi', async () => {
      expect(await page.$eval('[data-testid=step-form] #tanggal', (el) => (el as HTMLInputElement).value)).to.equal(todayIso);
    });
    expect(await textIn(page, '[data-testid=registry-link]')).to.equal(NAME);
    expect(await page.$eval('[data-testid=registry-link]', (el) => el.getAttribute('href'))).to.match(/^\/domain\/registri\/\d+$/);
    expect(await textIn(page, '[data-testid=registry-expiry]')).to.equal(tanggal(plusYear(todayIso)));
    expect(await currentStep(page)).to.equal('laporan');
    expect(await textIn(page, '[data-testid=report-hint]')).to.include('selesai sendiri');

    // ---- Step 7: the approval reply, drafted from the case in one click.
    expect(await page.$('[data-testid=draft-letter][data-letter=balasan-disetujui]')).to.not.equal(null);
    await clickAndWait(page, '[data-testid=draft-letter][data-letter=balasan-disetujui] button[type=submit]');
    const draftMatch = /\/surat-keluar\/(\d+)$/.exec(page.url());
    expect(draftMatch, `landed on ${page.url()}`).to.not.equal(null);
    expect(await flashOk(page)).to.include('Konsep surat dibuat dari kasus.');
    expect(await textIn(page, '[data-testid=draft-perihal]')).to.include(NAME);
    expect(await page.$eval('[data-testid=draft-status]', (el) => el.getAttribute('data-status'))).to.equal('konsep');
    const frame = await (await page.waitForSelector('[data-testid=letter-preview] iframe'))!.contentFrame();
    await frame!.waitForFunction(() => document.body && document.body.innerText.length > 100);
    expect(await frame!.evaluate(() => document.body.innerText)).to.include(NAME);
    // The case page lists it as the report letter.
    await page.goto(caseUrl, { waitUntil: 'domcontentloaded' });
    expect(await textIn(page, '[data-testid=case-letters]')).to.include(`#${draftMatch![1]}`).and.include('surat laporan');

    // ---- Step 8: the applicant's public tracking page, without signing in.
    const ctx = await rig.browser.createBrowserContext();
    try {
      const anon = await ctx.newPage();
      const res = await anon.goto(`${rig.base}/lacak/${code}`, { waitUntil: 'domcontentloaded' });
      expect(res!.status()).to.equal(200);
      expect(anon.url()).to.equal(`${rig.base}/lacak/${code}`);
      expect(await textIn(anon, '[data-testid=track-current]')).to.equal('Surat laporan kepada perangkat daerah pemohon');
      expect(await textIn(anon, '[data-testid=track-view]')).to.include(NAME).and.include(agency.name);
      expect(await anon.$eval('[data-testid=track-status]', (el) => el.className)).to.include('track-status-berjalan');
      const states = await anon.$$eval('[data-testid=track-steps] li', (els) => els.map((e) => e.getAttribute('data-state')));
      expect(states).to.deep.equal(['selesai', 'selesai', 'selesai', 'selesai', 'selesai', 'selesai', 'selesai', 'selesai', 'sekarang']);
      // Nothing internal leaks to the public page.
      const publicText = await textIn(anon, 'body');
      expect(publicText).to.not.include('PANDI-2026-0001').and.not.include('rina.kartika').and.not.include(revisiNote);
    } finally {
      await ctx.close();
    }
  });
});

import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import { Agency, DomainRegistryEntry, IncomingLetter, User } from '../models';
import { now } from '../platform/clock';
import { blobStore } from '../platform/blobstore';
import { holdingsOf } from '../modules/org';
import { letterRights, chainOf } from '../modules/surat-masuk';
import { openCase, completeStep, uploadDocument, verifySlot } from '../modules/domain';
import { samplePdf } from './samplePdf';
import type { Actor } from '../platform/actor';

async function actor(username: string): Promise<Actor> {
  const user = await User.findOne({ where: { username } });
  if (!user) throw new Error(`seed: user ${username} missing`);
  return { user, holdings: await holdingsOf(user.id), ip: null };
}

const isoDaysFrom = (days: number): string => new Date(now().getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** A one-page demo document as an upload in the blob store's temporary directory. */
async function tmpPdf(title: string): Promise<{ path: string; originalname: string; size: number; fieldname: string }> {
  const bytes = samplePdf({
    agencyLines: ['PEMERINTAH KABUPATEN SINDANGRAJA', 'PEMERINTAH DESA MEKARJAYA'], address: 'Jl. Desa Mekarjaya No. 1, Kecamatan Cibodas',
    place: 'Mekarjaya', date: '10 November 2026', number: '141/27/Ds.Mkj/XI/2026', sifat: 'Biasa', lampiran: '-', hal: title,
    to: ['Yth. Pejabat Pengelola Nama Domain', 'Dinas Kominfo Kabupaten Sindangraja'], body: [`${title}.`], signerTitle: 'Kepala Desa Mekarjaya', signerName: 'H. Ujang Suryana',
  });
  const p = path.join(blobStore().tmpDir(), `seed-${crypto.randomBytes(8).toString('hex')}`);
  await fsp.writeFile(p, bytes);
  return { path: p, originalname: `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.pdf`, size: bytes.length, fieldname: 'berkas' };
}

/**
 * The Pejabat Domain's demo: the region's registry (the main .go.id about to expire, a few
 * subdomains) and three cases opened from the demo letters: a .desa.id registration at the
 * document check with one document needing revision, a new subdomain waiting for the Data
 * Center, and a subdomain deletion just opened. Runs after the letters and dispositions.
 */
export async function seedDemoDomain(): Promise<void> {
  const at = now();
  const setda = await Agency.findOne({ where: { kind: 'setda' } });
  const agency = async (name: string) => (await Agency.findOne({ where: { name: { [Op.like]: `%${name}%` } } }))?.id ?? null;
  const rows: [string, 'go.id' | 'subdomain', number | null, string | null, string | null, string][] = [
    ['sindangrajakab.go.id', 'go.id', setda?.id ?? null, '2019-12-10', isoDaysFrom(17), 'Domain utama pemerintah daerah; NS di ns1/ns2 Data Center.'],
    ['dinkes.sindangrajakab.go.id', 'subdomain', await agency('Kesehatan'), '2021-03-02', null, 'VM web-01, PHP 7.4 (rencana migrasi).'],
    ['ppdb-lama.sindangrajakab.go.id', 'subdomain', await agency('Pendidikan'), '2020-05-18', null, 'Aplikasi PPDB lama, tidak dipakai sejak 2025.'],
    ['jdih.sindangrajakab.go.id', 'subdomain', setda?.id ?? null, '2022-08-01', null, 'JDIH, hosting bersama.'],
  ];
  for (const [fqdn, kind, owner, activated, expires, notes] of rows) {
    await DomainRegistryEntry.findOrCreate({ where: { fqdn }, defaults: {
      fqdn, kind, ownerAgencyId: owner, status: 'aktif', registeredAt: activated, activatedAt: activated, expiresAt: expires, hostingNotes: notes, dnsNotes: null,
      lastReminderDays: null, createdAt: at, updatedAt: at,
    } });
  }

  const pejabat = await actor('domain');
  const letterLike = async (s: string) => {
    const l = await IncomingLetter.findOne({ where: { perihal: { [Op.like]: `%${s}%` } }, order: [['id', 'ASC']] });
    return l && letterRights(pejabat, l, await chainOf(l.id)).view ? l : null;
  };
  const base = { techName: 'Asep Saepudin', techEmail: 'asep.saepudin@sindangrajakab.go.id', techPhone: '0812 2233 4455' };

  const desa = await letterLike('mekarjaya.desa.id');
  const desaAgency = await agency('Mekarjaya');
  if (desaAgency) {
    const c = await openCase(pejabat, {
      ...base, typeKey: 'domain-baru', nameKind: 'desa.id', requestedName: 'mekarjaya', applicantAgencyId: String(desaAgency),
      purpose: 'Situs web resmi Desa Mekarjaya: profil desa, APBDes dan layanan administrasi.', letterId: desa ? String(desa.id) : '',
    });
    await completeStep({ actor: pejabat, caseId: c.id, stepKey: 'terima', form: { catatan: 'Diparaf Kepala Dinas.' } });
    await completeStep({ actor: pejabat, caseId: c.id, stepKey: 'sekda-kirim', form: { nomor: '400.14.2.1/112/Kominfo', tanggal: isoDaysFrom(-3) } });
    await completeStep({ actor: pejabat, caseId: c.id, stepKey: 'sekda-kembali', form: { tanggal: isoDaysFrom(-1) }, files: [await tmpPdf('Surat Permohonan Nama Domain mekarjaya.desa.id')] });
    for (const [slot, title] of [['sk-pejabat', 'SK Pejabat Pengelola Nama Domain'], ['surat-kuasa', 'Surat Kuasa Kepala Desa'], ['perda-desa', 'Perda Pembentukan Desa']] as const) {
      await uploadDocument({ actor: pejabat, caseId: c.id, slotKey: slot, files: [await tmpPdf(title)] });
    }
    await verifySlot({ actor: pejabat, caseId: c.id, slotKey: 'surat-permohonan', state: 'lengkap' });
    await verifySlot({ actor: pejabat, caseId: c.id, slotKey: 'sk-pejabat', state: 'lengkap' });
    await verifySlot({ actor: pejabat, caseId: c.id, slotKey: 'surat-kuasa', state: 'revisi', note: 'Belum bermeterai dan belum distempel desa.' });
  }

  const cib = await letterLike('kec-cibodas');
  const cibAgency = await agency('Kecamatan Cibodas');
  if (cibAgency) {
    const c = await openCase(pejabat, {
      ...base, typeKey: 'subdomain-baru', nameKind: 'subdomain', requestedName: 'kec-cibodas', applicantAgencyId: String(cibAgency),
      purpose: 'Website kecamatan dengan CMS bersama, tanpa hosting terpisah.', letterId: cib ? String(cib.id) : '',
    });
    await completeStep({ actor: pejabat, caseId: c.id, stepKey: 'koordinasi', form: { catatan: 'Diteruskan ke Pengelola Data Center.' } });
  }

  const ppdb = await letterLike('ppdb-lama');
  const ppdbAgency = await agency('Pendidikan');
  if (ppdbAgency) {
    await openCase(pejabat, {
      ...base, typeKey: 'subdomain-hapus', nameKind: 'subdomain', requestedName: 'ppdb-lama', applicantAgencyId: String(ppdbAgency),
      purpose: 'Aplikasi PPDB lama sudah tidak digunakan; subdomain dihapus.', letterId: ppdb ? String(ppdb.id) : '',
    });
  }
}

/**
 * CLI commands of the signing core (issue #5): `cert:dev-ca`, `sign`, `verify`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Op } from 'sequelize';
import { config } from '../config';
import { boot } from '../platform/boot';
import { now } from '../platform/clock';
import { tanggalJam, today } from '../platform/dates';
import { createDevCa, issueSignerP12, loadDevCa, type DevCa } from '../platform/devCa';
import { LocalP12Transport, SigningError } from '../platform/pdfSign';
import { verifyPdfSignatures } from '../lib/pdf/pdfVerify';
import { Assignment, Position, Unit, User, initModels } from '../models';
import { db } from '../platform/db';
import { findInRegistry } from '../modules/ttd';
import type { VerifyReport } from '../lib/pdf/pdfVerify';
import { TrustStore, defaultTrustStore } from '../lib/pdf/trustStore';

const SIGNER_ROLES = ['kepala', 'sekretaris', 'kabid'] as const;

/** A passphrase that is easy to type: 4 groups of 4 from an alphabet without look-alikes. */
function newPassphrase(): string {
  const abc = 'abcdefghjkmnpqrstuvwxyz23456789';
  const b = crypto.randomBytes(16);
  return Array.from(b, (x) => abc[x % abc.length]).join('').replace(/(.{4})(?=.)/g, '$1-');
}

function trustHelp(caPath: string): string {
  const nss = path.join(path.dirname(caPath), 'nssdb');
  return `Cara mempercayai CA pengembangan ini:
  pdfsig (poppler) memakai basis data NSS:
    mkdir -p ${nss} && certutil -N -d sql:${nss} --empty-password
    certutil -A -d sql:${nss} -n "Naskah Dev CA" -t "CT,C,C" -i ${caPath}
    pdfsig -nssdir sql:${nss} surat.pdf        # "Certificate is Trusted"
  Okular / Evince (Linux) memakai ~/.pki/nssdb: certutil -A -d sql:$HOME/.pki/nssdb -n "Naskah Dev CA" -t "CT,C,C" -i ${caPath}
  Adobe Acrobat / Reader: Edit > Preferences > Signatures > Identities & Trusted Certificates > More >
    Trusted Certificates > Import ${caPath}, lalu Edit Trust: centang "Use this certificate as a trusted root".
  naskah verify --ca ${caPath} surat.pdf
CA ini hanya untuk pengembangan dan demo; surat resmi ditandatangani dengan sertifikat dari PSrE (mis. BSrE).`;
}

export async function certDevCaCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, passphrase: { type: 'string' } } });
  const out = path.resolve(values.out ?? path.join('data', 'dev-ca'));
  await boot();
  const day = today();
  const holdings = await Assignment.findAll({
    where: { startDate: { [Op.lte]: day }, [Op.or]: [{ endDate: null }, { endDate: { [Op.gte]: day } }] },
  });
  const positions = new Map((await Position.findAll({ where: { role: [...SIGNER_ROLES] } })).map((p) => [p.id, p]));
  const signers = new Map<number, { user: User; position: Position }>();
  for (const a of holdings) {
    const pos = positions.get(a.positionId);
    if (!pos || a.kind !== 'definitif' || signers.has(a.userId)) continue;
    const user = await User.findByPk(a.userId);
    if (user) signers.set(user.id, { user, position: pos });
  }
  if (!signers.size) {
    console.error('Tidak ada pengguna yang memegang jabatan Kepala Dinas, Sekretaris atau Kepala Bidang. Jalankan `naskah seed --demo` dahulu.');
    return 1;
  }
  fs.mkdirSync(out, { recursive: true });
  const caPath = path.join(out, 'ca.pem');
  const caKeyPath = path.join(out, 'ca-key.pem');
  let ca: DevCa;
  if (fs.existsSync(caPath) && fs.existsSync(caKeyPath)) {
    ca = loadDevCa(fs.readFileSync(caPath, 'utf8'), fs.readFileSync(caKeyPath, 'utf8'));
    console.log(`CA yang ada dipakai lagi: ${caPath}`);
  } else {
    ca = createDevCa({ organization: config().orgName });
    fs.writeFileSync(caPath, ca.certPem);
    fs.writeFileSync(caKeyPath, ca.keyPem, { mode: 0o600 });
    console.log(`CA pengembangan dibuat: ${caPath} (kunci: ${caKeyPath})`);
  }
  console.log('\nSertifikat penanda tangan (P12):');
  for (const { user, position } of signers.values()) {
    const unit = await Unit.findByPk(position.unitId);
    const passphrase = values.passphrase ?? newPassphrase();
    const p12 = issueSignerP12(ca, { name: user.name, nip: user.nip, email: user.email, title: position.name, organization: config().orgName, unit: unit?.name ?? null }, passphrase);
    const file = path.join(out, `${user.username}.p12`);
    fs.writeFileSync(file, p12, { mode: 0o600 });
    console.log(`  ${file}\n    ${user.name} (NIP ${user.nip ?? '-'}), ${position.name}\n    passphrase: ${passphrase}`);
  }
  console.log(`\nSimpan passphrase di atas; Naskah tidak menyimpannya.\n\n${trustHelp(caPath)}`);
  return 0;
}

export async function signCommand(args: string[], ask: (q: string) => Promise<string>): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { p12: { type: 'string' }, out: { type: 'string' }, reason: { type: 'string' }, location: { type: 'string' }, name: { type: 'string' }, nip: { type: 'string' } },
  });
  const input = positionals[0];
  if (!input || !values.p12 || !values.out) {
    console.error('Gunakan: naskah sign <masuk.pdf> --p12 <berkas.p12> --out <keluar.pdf> [--reason "..."] [--location "..."] [--nip NIP]');
    return 2;
  }
  const pdf = fs.readFileSync(input);
  const p12 = fs.readFileSync(values.p12);
  const passphrase = process.env.NASKAH_P12_PASSPHRASE ?? await ask('Passphrase sertifikat: ');
  try {
    const signed = await new LocalP12Transport(p12).sign(pdf, {
      reason: values.reason ?? 'Ditandatangani secara elektronik',
      location: values.location ?? config().orgRegion,
      name: values.name,
      signingTime: now(),
      passphrase,
      expectedSubject: values.nip ? { nip: values.nip } : undefined,
    });
    fs.writeFileSync(values.out, signed);
    const last = verifyPdfSignatures(signed).signatures.pop();
    console.log(`Ditandatangani: ${values.out} (${signed.length} byte), oleh ${last?.signerName ?? '?'}${last?.signerNip ? ` (NIP ${last.signerNip})` : ''}.`);
    return 0;
  } catch (e) {
    if (e instanceof SigningError) { console.error(e.message); return 1; }
    throw e;
  }
}

export async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ca: { type: 'string', multiple: true } } });
  const file = positionals[0];
  if (!file) { console.error('Gunakan: naskah verify <berkas.pdf> [--ca ca.pem]'); return 2; }
  const pdf = fs.readFileSync(file);
  // Without --ca: the trust store of this installation (config/trust, NASKAH_TRUST_DIR, the dev CA when
  // NASKAH_DEV_CA names it), the same the public verification page uses. With --ca: those CAs only.
  const store = values.ca ? loadTrustFiles(values.ca) : defaultTrustStore();
  const r = verifyPdfSignatures(pdf, { trustStore: store });
  console.log(`Berkas: ${file} (${r.size} byte)\nSHA-256: ${r.sha256}`);
  console.log(`CA tepercaya: ${store.size} sertifikat (${values.ca ? values.ca.join(', ') : 'penyimpanan kepercayaan server: config/trust'})${store.unreadable.length ? `; tidak terbaca: ${store.unreadable.join(', ')}` : ''}`);
  for (const p of r.problems) console.log(`Berkas: ${p}`);
  if (!r.signatures.length) { console.log('Tidak ada tanda tangan elektronik dalam berkas ini.'); console.log('\nKesimpulan: TIDAK SAH: berkas tidak memuat tanda tangan elektronik.'); return 1; }
  const failing: string[] = [];
  for (const s of r.signatures) {
    const ts = s.kind === 'document_timestamp';
    const label = `${ts ? 'Cap waktu dokumen' : 'Tanda tangan'} #${s.index}`;
    if (!s.valid) failing.push(label);
    console.log(`\n${label}: ${s.valid ? 'SAH' : 'TIDAK SAH'}`);
    if (ts) console.log(`  Otoritas (TSA) : ${s.timestamp?.tsaName ?? '?'}`);
    else console.log(`  Penanda tangan : ${s.signerName ?? '?'}${s.signerNip ? ` (NIP ${s.signerNip})` : ''}`);
    if (s.signer) console.log(`  Penerbit       : ${s.signer.issuer}`);
    console.log(`  Waktu          : ${s.signingTime ? tanggalJam(s.signingTime) : 'tidak tercantum'}${s.validationTimeSource === 'cap_waktu' && !ts ? ' (dari cap waktu)' : s.validationTimeSource === 'M' ? ' (/M, dinyatakan penanda tangan)' : ''}`);
    if (s.reason || s.location) console.log(`  Alasan / lokasi: ${[s.reason, s.location].filter(Boolean).join(' / ')}`);
    if (!ts) {
      console.log(`  Tingkat PAdES  : ${s.level ?? 'tidak tercapai (tanda tangan rusak)'}`);
      console.log(`  Cap waktu      : ${s.timestamp ? `${s.timestamp.genTime ? tanggalJam(s.timestamp.genTime) : '?'} oleh ${s.timestamp.tsaName ?? '?'}${s.timestamp.problems.length ? ` (TIDAK SAH: ${s.timestamp.problems.join('; ')})` : ''}` : 'tidak ada'}`);
    }
    const cryptoProblems = s.problems.filter((p) => !p.startsWith('diubah setelah') && !p.startsWith('melanggar izin') && !/sertifikat|CA |dicabut|otoritas/.test(p));
    console.log(`  Isi            : ${s.intact ? 'utuh (hash cocok, tanda tangan kriptografis sah)' : cryptoProblems.join("; ") || s.problems.join('; ')}`);
    console.log(`  Cakupan        : ${s.modifiedAfterSigning ? `DIUBAH setelah ditandatangani: ${s.changes.join('; ')}`
      : s.coversWholeFile ? 'seluruh berkas' : `berkas sampai revisi ini; sesudahnya hanya tambahan yang diizinkan (${s.laterAdditions.join(', ') || '-'})`}`);
    if (s.certification) console.log(`  Sertifikasi    : DocMDP P=${s.certification.p}`);
    const chainProblems = s.problems.filter((p) => /sertifikat|CA |otoritas/.test(p) && !p.startsWith('isi '));
    console.log(`  Sertifikat     : ${s.trusted ? `diterbitkan CA yang dipercaya (${s.chain.join(' <- ')})` : `TIDAK dipercaya${chainProblems.length ? `: ${chainProblems.join('; ')}` : ''}`}`
      + `${s.certValidAtSigningTime === false ? '; tidak berlaku saat penandatanganan' : ''}`);
    if (s.revocation) console.log(`  Pencabutan     : ${s.revocation.status === 'dicabut' ? `DICABUT${s.revocation.revokedAt ? ` pada ${tanggalJam(s.revocation.revokedAt)}` : ''} (${s.revocation.revokedCert})` : s.revocation.status === 'baik' ? `tidak dicabut (${s.revocation.sources.join(', ')})` : 'tidak diketahui (tidak ada data OCSP/CRL dalam berkas)'}`);
    if (!s.valid) for (const p of s.problems) console.log(`  Masalah        : ${p}`);
    for (const n of s.notes) console.log(`  Catatan        : ${n}`);
  }
  const unchanged = r.unmodifiedSinceLastSignature && r.signatures.every((s) => s.digestMatches);
  console.log(`\nDokumen: ${unchanged ? 'TIDAK DIUBAH sejak tanda tangan terakhir' : 'DIUBAH setelah tanda tangan terakhir'}`);
  const reg = await registryCheck(pdf, r);
  for (const line of reg.lines) console.log(line);
  const reasons = [...failing.map((f) => `${f} tidak sah`), ...(!unchanged && !failing.length ? ['dokumen diubah'] : []),
    ...(reg.state === 'dicabut' ? ['surat DICABUT'] : reg.state === 'diganti' ? ['surat DIGANTI'] : [])];
  const ok = r.valid && unchanged && !reasons.length;
  console.log(`\nKesimpulan: ${ok ? `SAH: ${r.signatures.length} tanda tangan/cap waktu sah, dokumen tidak diubah${reg.state === 'berlaku' ? ', surat berlaku' : ''}.` : `TIDAK SAH: ${reasons.join('; ')}.`}`);
  return ok ? 0 : 1;
}

function loadTrustFiles(files: string[]): TrustStore {
  const s = new TrustStore();
  for (const f of files) s.add(fs.readFileSync(f), f);
  return s;
}

const STATE_LABEL = { berlaku: 'BERLAKU (sah)', dicabut: 'DICABUT (tidak berlaku lagi)', diganti: 'DIGANTI (tidak berlaku lagi)' } as const;

/**
 * The registry check of `naskah verify`: the configured database (DB_URL) is asked whether the
 * file, or a signed revision inside it, is a letter this office signed. Without a reachable
 * database the check is skipped with a plain message; the signature check above stands.
 */
export async function registryLines(pdf: Buffer, r: VerifyReport): Promise<string[]> {
  return (await registryCheck(pdf, r)).lines;
}

/** registryLines, with the letter's state when the file is registered (null: not registered / not checked). */
export async function registryCheck(pdf: Buffer, r: VerifyReport): Promise<{ lines: string[]; state: 'berlaku' | 'dicabut' | 'diganti' | null }> {
  const lines = await registryLinesOf(pdf, r);
  return { lines: lines.lines, state: lines.state };
}

async function registryLinesOf(pdf: Buffer, r: VerifyReport): Promise<{ lines: string[]; state: 'berlaku' | 'dicabut' | 'diganti' | null }> {
  const none = (l: string[]) => ({ lines: l, state: null });
  const c = config();
  const where = c.db.dialect === 'sqlite' ? c.db.storage : `${c.db.database} (MariaDB)`;
  if (c.db.dialect === 'sqlite' && c.db.storage !== ':memory:' && !fs.existsSync(c.db.storage)) {
    return none([`Registri surat: tidak diperiksa: basis data ${where} tidak ditemukan (atur DB_URL ke basis data Naskah instansi ini).`]);
  }
  try {
    const s = db();
    await s.authenticate();
    initModels(s);
  } catch (e) {
    return none([`Registri surat: tidak diperiksa: basis data ${where} tidak dapat dihubungi (${(e as Error).message.slice(0, 200)}). Hasil di atas hanya pemeriksaan tanda tangan di dalam berkas.`]);
  }
  let m;
  try { m = await findInRegistry(pdf, r); } catch (e) {
    return none([`Registri surat: tidak diperiksa: basis data ${where} belum berisi registri surat Naskah (${(e as Error).message.slice(0, 200)}).`]);
  }
  if (!m) {
    return none([`Registri surat (${where}): TIDAK TERDAFTAR. SHA-256 berkas ini${r.signatures.length ? ' dan revisi bertanda tangannya' : ''} tidak cocok dengan surat bertanda tangan mana pun dari instansi ini.`]);
  }
  const how = m.kind === 'persis' ? 'berkas ini sama persis dengan PDF bertanda tangan yang tercatat'
    : m.kind === 'sebelum_pengesahan' ? `berkas ini${m.signatureIndex ? ` (sampai tanda tangan #${m.signatureIndex})` : ''} adalah PDF surat itu sebelum tanda tangan kedua (pengesahan); versi terakhir memuat tanda tangan berikutnya`
      : `revisi sampai tanda tangan #${m.signatureIndex} sama persis dengan PDF yang tercatat; sesudahnya ada tambahan yang tidak tercatat`;
  return { state: m.state, lines: [
    `Registri surat (${where}): TERDAFTAR: ${how}.`,
    `  Nomor          : ${m.number ?? '-'}`,
    `  Tanggal        : ${m.date ?? '-'}`,
    `  Perihal        : ${m.perihal ?? '(surat bersifat rahasia: perihal tidak ditampilkan)'}`,
    `  Status         : ${STATE_LABEL[m.state]}`,
    ...m.signers.map((s) => `  ${s.role === 'pengesahan' ? 'Pengesahan    ' : 'Penanda tangan'} : ${s.name}, ${s.title}`),
    `  SHA-256 cocok  : ${m.sha256}`,
    ...(m.code ? [`  Verifikasi     : ${c.baseUrl.replace(/\/+$/, '')}/verifikasi/${m.code}`] : []),
  ] };
}

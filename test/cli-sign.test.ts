import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { childEnv, describeRun, naskah } from './fixtures/proc';
import { OutgoingLetter } from '../models';
import { actorOf } from './helpers/factories';
import { SIGN_PASS, certFor, readyDraft, captureLog } from './helpers/signing';
import { signLetter, blobBytes } from '../modules/ttd/letterSigner';
import { revokeLetter, replaceLetter } from '../modules/ttd/letterRevoker';
import { submitDraft } from '../modules/surat-keluar/draftSubmitter';
import { verifyCommand } from '../cli/signing';

/**
 * `naskah cert:dev-ca`, `naskah sign` and `naskah verify`, run as operators run them, against a
 * fresh SQLite file with the demo organization. In order: the CA first, then the signatures.
 */
describe('naskah CLI: cert:dev-ca, sign, verify', function () {
  this.timeout(180_000);

  let dir: string;
  let ca: string;
  let env: NodeJS.ProcessEnv;
  const PASS = 'demo-passphrase-1';
  const file = (name: string) => path.join(dir, name);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-cli-sign-'));
    ca = file('ca');
    env = childEnv({ DB_URL: `sqlite:${file('n.sqlite')}`, BLOB_DIR: file('blobs') });
    const r = await naskah(['seed', '--demo'], env);
    expect(r.code, describeRun(r)).to.equal(0);
    const d = await PDFDocument.create();
    d.addPage().drawText('Surat uji tanda tangan', { x: 72, y: 720, size: 14, font: await d.embedFont(StandardFonts.Helvetica) });
    fs.writeFileSync(file('surat.pdf'), await d.save());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('cert:dev-ca issues a P12 for each demo signer (Kepala Dinas, Sekretaris, Kabid) and explains how to trust the CA', async () => {
    const r = await naskah(['cert:dev-ca', '--out', ca, '--passphrase', PASS], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(fs.readdirSync(ca).sort()).to.deep.equal(['ca-key.pem', 'ca.pem', 'kabid.p12', 'kadis.p12', 'sekretaris.p12']);
    expect(r.stdout).to.include('Dr. Hendra Wiratama, S.Kom., M.T. (NIP 197204112000031003), Kepala Dinas Komunikasi dan Informatika');
    expect(r.stdout).to.include(`passphrase: ${PASS}`);
    expect(r.stdout).to.include('certutil -A -d sql:');
    expect(r.stdout).to.include('Adobe Acrobat');
    expect(fs.statSync(path.join(ca, 'ca-key.pem')).mode & 0o077).to.equal(0);
    // the P12 subject carries the name and the NIP
    const subject = execFileSync('openssl', ['pkcs12', '-in', path.join(ca, 'kadis.p12'), '-nokeys', '-clcerts', '-passin', `pass:${PASS}`], { encoding: 'utf8', stdio: 'pipe' });
    expect(subject).to.match(/serialNumber\s*=\s*197204112000031003/);
    expect(subject).to.include('CN = "Dr. Hendra Wiratama, S.Kom., M.T."');

  });

  it('sign + verify: one signature, then a second one; verify lists both and says unmodified', async () => {
    let r = await naskah(['sign', file('surat.pdf'), '--p12', path.join(ca, 'kadis.p12'), '--out', file('s1.pdf'), '--nip', '197204112000031003', '--reason', 'Menyetujui'], { ...env, NASKAH_P12_PASSPHRASE: PASS });
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('oleh Dr. Hendra Wiratama, S.Kom., M.T. (NIP 197204112000031003)');
    r = await naskah(['sign', file('s1.pdf'), '--p12', path.join(ca, 'sekretaris.p12'), '--out', file('s2.pdf')], { ...env, NASKAH_P12_PASSPHRASE: PASS });
    expect(r.code, describeRun(r)).to.equal(0);

    r = await naskah(['verify', file('s2.pdf'), '--ca', path.join(ca, 'ca.pem')], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('Tanda tangan #1: SAH');
    expect(r.stdout).to.include('Tanda tangan #2: SAH');
    expect(r.stdout).to.include('Penanda tangan : Ratna Kusumawardani, S.Sos., M.Si. (NIP 197809232003122004)');
    expect(r.stdout).to.include('Alasan / lokasi: Menyetujui / Kabupaten Sindangraja');
    expect(r.stdout).to.include('diterbitkan CA yang dipercaya');
    expect(r.stdout).to.include('Dokumen: TIDAK DIUBAH sejak tanda tangan terakhir');
    // The demo database of this run has no signed letters: the file is not in the registry.
    expect(r.stdout).to.include('TIDAK TERDAFTAR');

    // pdfsig agrees, with the CA in an NSS database as cert:dev-ca explains
    const nss = file('nssdb');
    fs.mkdirSync(nss);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'Naskah Dev CA', '-t', 'CT,C,C', '-i', path.join(ca, 'ca.pem')]);
    const sig = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, file('s2.pdf')], { encoding: 'utf8' }).stdout;
    expect(sig.match(/Signature is Valid/g)).to.have.length(2);
    expect(sig.match(/Certificate is Trusted/g)).to.have.length(2);
    expect(spawnSync('qpdf', ['--check', file('s2.pdf')]).status).to.equal(0);

    // without --ca: the server's trust store decides (issue #15); the dev CA only when configured
    r = await naskah(['verify', file('s2.pdf')], env);
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stdout).to.include('Tanda tangan #1: TIDAK SAH');
    expect(r.stdout).to.include('TIDAK dipercaya');
    expect(r.stdout).to.include('Kesimpulan: TIDAK SAH');
    r = await naskah(['verify', file('s2.pdf')], { ...env, NASKAH_DEV_CA: path.join(ca, 'ca.pem') });
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('Tanda tangan #2: SAH');
    expect(r.stdout).to.include('Kesimpulan: SAH');
  });

  it('verify exits 1 when a byte was changed, or bytes were added after the last signature', async () => {
    const signed = fs.readFileSync(file('s1.pdf'));
    const changed = Buffer.from(signed);
    const at = signed.indexOf('stream') + 20; // inside the page's content stream
    changed[at] ^= 0x20;
    fs.writeFileSync(file('changed.pdf'), changed);
    let r = await naskah(['verify', file('changed.pdf')], env);
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stdout).to.include('Tanda tangan #1: TIDAK SAH');
    expect(r.stdout).to.include('isi dokumen berubah setelah ditandatangani');

    fs.writeFileSync(file('appended.pdf'), Buffer.concat([signed, Buffer.from('\n% tambahan\n')]));
    r = await naskah(['verify', file('appended.pdf')], env);
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stdout).to.include('Dokumen: DIUBAH setelah tanda tangan terakhir');

    r = await naskah(['verify', file('surat.pdf')], env);
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stdout).to.include('Tidak ada tanda tangan elektronik');
  });

  it('sign refuses a wrong passphrase and a certificate of someone else, and writes nothing', async () => {
    let r = await naskah(['sign', file('surat.pdf'), '--p12', path.join(ca, 'kadis.p12'), '--out', file('x.pdf')], { ...env, NASKAH_P12_PASSPHRASE: 'salah' });
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stderr).to.include('Passphrase sertifikat salah.');
    r = await naskah(['sign', file('surat.pdf'), '--p12', path.join(ca, 'kadis.p12'), '--out', file('x.pdf'), '--nip', '197809232003122004'], { ...env, NASKAH_P12_PASSPHRASE: PASS });
    expect(r.code, describeRun(r)).to.equal(1);
    expect(r.stderr).to.include('Sertifikat ini bukan milik penanda tangan');
    expect(fs.existsSync(file('x.pdf'))).to.equal(false);
  });

  it('cert:dev-ca run again keeps the CA (readers that trust it keep trusting) and makes new passphrases', async () => {
    // a second run keeps the CA (readers that trust it keep trusting the new P12s), new passphrases
    const before = fs.readFileSync(path.join(ca, 'ca.pem'), 'utf8');
    const again = await naskah(['cert:dev-ca', '--out', ca], env);
    expect(again.code, describeRun(again)).to.equal(0);
    expect(again.stdout).to.include('CA yang ada dipakai lagi');
    expect(fs.readFileSync(path.join(ca, 'ca.pem'), 'utf8')).to.equal(before);
    const kadisPass = /kadis\.p12\n.*\n\s+passphrase: (\S+)/.exec(again.stdout)![1];
    expect(kadisPass).to.match(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  });

  it('verify without a reachable database says so plainly and still checks the signatures', async () => {
    let r = await naskah(['verify', file('s1.pdf')], childEnv({ DB_URL: 'mysql://root@127.0.0.1:1/naskah_tidak_ada', BLOB_DIR: file('blobs2'), NASKAH_DEV_CA: path.join(ca, 'ca.pem') }));
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('Tanda tangan #1: SAH');
    expect(r.stdout).to.match(/Registri surat: tidak diperiksa: basis data naskah_tidak_ada \(MariaDB\) tidak dapat dihubungi/);
    expect(r.stderr).to.not.include('Gagal');
    r = await naskah(['verify', file('s1.pdf')], childEnv({ DB_URL: `sqlite:${file('tidak-ada.sqlite')}`, BLOB_DIR: file('blobs2'), NASKAH_DEV_CA: path.join(ca, 'ca.pem') }));
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('tidak ditemukan (atur DB_URL');
    expect(fs.existsSync(file('tidak-ada.sqlite')), 'verify does not create a database').to.equal(false);
  });

  describe('registry check against the office database (this run\'s database)', () => {
    before(async () => { await certFor('kadis'); });

    it('names the letter (number, date, perihal, status) for the signed PDF, a revision inside a longer file, and revoked / replaced letters', async () => {
      const d = await readyDraft();
      const l = await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: SIGN_PASS });
      const pdf = await blobBytes(l.signedBlobSha!);
      fs.writeFileSync(file('reg.pdf'), pdf);
      let { result, out } = await captureLog(() => verifyCommand([file('reg.pdf')]));
      expect(result, out).to.equal(0);
      expect(out).to.include('TERDAFTAR: berkas ini sama persis dengan PDF bertanda tangan yang tercatat');
      expect(out).to.include(`Nomor          : ${l.letterNumber}`);
      expect(out).to.include(`Tanggal        : ${l.letterDate}`);
      expect(out).to.include(`Perihal        : ${l.perihal}`);
      expect(out).to.include('Status         : BERLAKU (sah)');
      expect(out).to.include(`SHA-256 cocok  : ${l.signedBlobSha}`);
      expect(out).to.include(`/verifikasi/${l.verificationCode}`);

      // bytes appended after the signature: the signed revision is still found, the change is named
      fs.writeFileSync(file('reg-plus.pdf'), Buffer.concat([pdf, Buffer.from('\n% tambahan\n')]));
      ({ result, out } = await captureLog(() => verifyCommand([file('reg-plus.pdf')])));
      expect(result).to.equal(1);
      expect(out).to.include('revisi sampai tanda tangan #1 sama persis dengan PDF yang tercatat');
      expect(out).to.include(`Nomor          : ${l.letterNumber}`);

      // a file signed elsewhere is not in the registry
      ({ out } = await captureLog(() => verifyCommand([file('s1.pdf')])));
      expect(out).to.include('TIDAK TERDAFTAR');

      await revokeLetter({ actor: await actorOf('kadis'), letterId: l.id, reason: 'salah alamat surat' });
      ({ out } = await captureLog(() => verifyCommand([file('reg.pdf')])));
      expect(out).to.include('Status         : DICABUT');

      const d2 = await readyDraft();
      const l2 = await signLetter({ actor: await actorOf('kadis'), letterId: d2.id, passphrase: SIGN_PASS });
      const draft = await replaceLetter({ actor: await actorOf('kadis'), letterId: l2.id, reason: 'perbaikan tanggal aktif' });
      await submitDraft({ actor: await actorOf('kadis'), letterId: draft.id, expectedLockVersion: (await OutgoingLetter.findByPk(draft.id))!.lockVersion });
      const neu = await signLetter({ actor: await actorOf('kadis'), letterId: draft.id, passphrase: SIGN_PASS });
      fs.writeFileSync(file('reg2.pdf'), await blobBytes(l2.signedBlobSha!));
      ({ out } = await captureLog(() => verifyCommand([file('reg2.pdf')])));
      expect(out).to.include('Status         : DIGANTI');
      expect(out).to.include(`Nomor          : ${l2.letterNumber}`);
      expect(neu.letterNumber).to.not.equal(l2.letterNumber);
    });
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { childEnv, describeRun, naskah } from './fixtures/proc';

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
    expect(r.stdout).to.include('Registri surat: tidak diperiksa (registri belum tersedia)');

    // pdfsig agrees, with the CA in an NSS database as cert:dev-ca explains
    const nss = file('nssdb');
    fs.mkdirSync(nss);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'Naskah Dev CA', '-t', 'CT,C,C', '-i', path.join(ca, 'ca.pem')]);
    const sig = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, file('s2.pdf')], { encoding: 'utf8' }).stdout;
    expect(sig.match(/Signature is Valid/g)).to.have.length(2);
    expect(sig.match(/Certificate is Trusted/g)).to.have.length(2);
    expect(spawnSync('qpdf', ['--check', file('s2.pdf')]).status).to.equal(0);

    // without --ca: signatures intact, trust not checked
    r = await naskah(['verify', file('s2.pdf')], env);
    expect(r.code, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('kepercayaan tidak diperiksa');
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
});

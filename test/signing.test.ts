import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { config } from '../config';
import { FixedClock, setClock, systemClock } from '../platform/clock';
import { createDevCa, issueSignerP12, type DevCa } from '../platform/devCa';
import { ChromiumPdfRenderer } from '../platform/pdfRenderer';
import { LocalP12Transport, SigningError, openP12, type SignRequest } from '../platform/pdfSign';
import { verifyPdfSignatures } from '../lib/pdf/pdfVerify';

/**
 * The signing core (issue #5): PAdES signatures with a P12, several incremental signatures,
 * verification, refusals. Every signed output is checked by poppler's pdfsig (with the dev CA in
 * a temporary NSS database) and by qpdf --check.
 */
const KADIS = { name: 'Dr. Hendra Wiratama, S.Kom., M.T.', nip: '197204112000031003', email: 'kadis@sindangrajakab.go.id' };
const SEKR = { name: 'Ratna Kusumawardani, S.Sos., M.Si.', nip: '197809232003122004', email: 'sekretaris@sindangrajakab.go.id' };
const PASS = 'rahasia-2026';
const YEAR = 365 * 86_400_000;
const SIGNED_AT = new Date(Math.floor(Date.now() / 1000) * 1000);

describe('PDF signing core (PAdES, P12, verification)', function () {
  this.timeout(120_000);

  let dir: string;
  let nss: string;
  let ca: DevCa;
  let kadisP12: Buffer;
  let sekrP12: Buffer;
  const inputs: Record<string, Buffer> = {};
  let n = 0;

  const req = (over: Partial<SignRequest> = {}): SignRequest => ({
    reason: 'Menyetujui surat 400.14.2.1/123/Diskominfo/2026', location: 'Sindangraja', signingTime: SIGNED_AT, passphrase: PASS, ...over,
  });
  const save = (b: Buffer): string => { const f = path.join(dir, `out-${++n}.pdf`); fs.writeFileSync(f, b); return f; };
  const pdfsig = (b: Buffer, trusted = true): string => {
    const args = trusted ? ['-nssdir', `sql:${nss}`, save(b)] : [save(b)];
    const r = spawnSync('pdfsig', args, { encoding: 'utf8' });
    return r.stdout + r.stderr;
  };
  const qpdfOk = (b: Buffer): void => {
    const r = spawnSync('qpdf', ['--check', save(b)], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  };
  const refused = async (p: Promise<unknown>, code: string): Promise<SigningError> => {
    try { await p; } catch (e) {
      expect(e, String(e)).to.be.instanceOf(SigningError);
      expect((e as SigningError).code).to.equal(code);
      return e as SigningError;
    }
    throw new Error(`expected a refusal (${code})`);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-sign-'));
    ca = createDevCa();
    kadisP12 = issueSignerP12(ca, KADIS, PASS);
    sekrP12 = issueSignerP12(ca, SEKR, PASS);
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
    nss = path.join(dir, 'nssdb');
    fs.mkdirSync(nss);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'Naskah Dev CA', '-t', 'CT,C,C', '-i', path.join(dir, 'ca.pem')]);

    const made = async (objectStreams: boolean) => {
      const d = await PDFDocument.create();
      const font = await d.embedFont(StandardFonts.Helvetica);
      d.addPage([609, 935]).drawText('Surat Balasan: permohonan subdomain', { x: 85, y: 800, size: 12, font });
      d.addPage([609, 935]).drawText('Halaman 2', { x: 85, y: 800, size: 12, font });
      return Buffer.from(await d.save({ useObjectStreams: objectStreams }));
    };
    inputs['pdf-lib (xref stream)'] = await made(true);
    inputs['pdf-lib (xref table)'] = await made(false);
    const exe = config().chromiumPath;
    if (!exe) throw new Error('Chromium is required for the signing tests (apt-get install chromium, or set CHROMIUM_PATH)');
    const renderer = new ChromiumPdfRenderer({ executablePath: exe, poolSize: 1 });
    try {
      inputs['Chromium'] = await renderer.render('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><h1>SURAT BALASAN</h1><p>Nomor: 400.14.2.1/123/Diskominfo/2026</p><p>Dengan hormat, ...</p></body></html>', { format: 'F4' });
    } finally { await renderer.close(); }
  });
  after(() => { setClock(systemClock); fs.rmSync(dir, { recursive: true, force: true }); });

  for (const kind of ['pdf-lib (xref stream)', 'pdf-lib (xref table)', 'Chromium']) {
    it(`signs a ${kind} PDF twice; pdfsig, qpdf and verifyPdfSignatures find both signatures valid and trusted`, async () => {
      const input = inputs[kind];
      const once = await new LocalP12Transport(kadisP12).sign(input, req({ expectedSubject: { nip: KADIS.nip, name: 'HENDRA WIRATAMA', email: KADIS.email } }));
      expect(once.subarray(0, input.length).equals(input), 'the original bytes are kept').to.equal(true);
      let out = pdfsig(once);
      expect(out).to.include('Signature is Valid');
      expect(out).to.include('Certificate is Trusted');
      expect(out).to.include('ETSI.CAdES.detached');
      expect(out).to.include('Total document signed');
      qpdfOk(once);

      const twice = await new LocalP12Transport(sekrP12).sign(once, req({ reason: 'Mengetahui', fieldName: 'TTE1' }));
      expect(twice.subarray(0, once.length).equals(once)).to.equal(true);
      out = pdfsig(twice);
      expect(out.match(/Signature is Valid/g), out).to.have.length(2);
      expect(out.match(/Certificate is Trusted/g), out).to.have.length(2);
      expect(out).to.include('Signature #2');
      expect(out).to.include('Not total document signed'); // the first signature, followed by the second's update
      qpdfOk(twice);

      const r = verifyPdfSignatures(twice, { trustAnchors: [ca.certPem] });
      expect(r.valid).to.equal(true);
      expect(r.signatures.map((s) => [s.signerName, s.signerNip, s.intact, s.coversWholeFile, s.trusted])).to.deep.equal([
        [KADIS.name, KADIS.nip, true, false, true],
        [SEKR.name, SEKR.nip, true, true, true],
      ]);
      expect(r.signatures[1].reason).to.equal('Mengetahui');
      expect(r.signatures[0].signingTime!.toISOString()).to.equal(SIGNED_AT.toISOString());
      expect(r.signatures[0].subFilter).to.equal('ETSI.CAdES.detached');
    });
  }

  it('writes /M from the signing time and a CMS with signing-certificate-v2 and no signing-time attribute', async () => {
    const at = new Date('2026-03-02T03:04:05Z');
    const signed = await new LocalP12Transport(kadisP12).sign(inputs['pdf-lib (xref table)'], req({ signingTime: at }));
    const r = verifyPdfSignatures(signed);
    expect(r.signatures[0].signingTime!.toISOString()).to.equal(at.toISOString());
    // trust is always decided (issue #15): the default store does not hold this test's CA
    expect(r.signatures[0].trusted).to.equal(false);
    expect(r.signatures[0].valid).to.equal(false);
    const br = r.signatures[0].byteRange;
    const cms = Buffer.from(signed.subarray(br[1] + 1, br[2] - 1).toString('latin1'), 'hex');
    const f = path.join(dir, 'sig.der');
    fs.writeFileSync(f, cms);
    const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', f], { encoding: 'utf8' });
    expect(printed).to.match(/signingCertificateV2/i);
    expect(printed).to.not.match(/signingTime/);
    expect(printed).to.include('sha256WithRSAEncryption');
  });

  it('reports a changed byte: pdfsig, and verifyPdfSignatures says the document was changed', async () => {
    const signed = await new LocalP12Transport(kadisP12).sign(inputs['Chromium'], req());
    const changed = Buffer.from(signed);
    const at = signed.indexOf('stream') + 20; // inside the first content stream: in the signed range
    changed[at] ^= 0x01;
    expect(pdfsig(changed)).to.match(/Digest Mismatch|Signature is Invalid|not valid/i);
    const r = verifyPdfSignatures(changed);
    expect(r.valid).to.equal(false);
    expect(r.signatures[0].digestMatches).to.equal(false);
    expect(r.signatures[0].problems.join()).to.include('berubah');

    // bytes appended after the last signature: the signature is intact but no longer covers the file
    const appended = Buffer.concat([signed, Buffer.from('\n1 0 obj\n(sisipan)\nendobj\n')]);
    const r2 = verifyPdfSignatures(appended);
    expect(r2.allIntact).to.equal(true);
    expect(r2.unmodifiedSinceLastSignature).to.equal(false);
    expect(r2.valid).to.equal(false);

    // a byte changed inside the CMS: the signature no longer verifies
    const cmsChanged = Buffer.from(signed);
    const br = r2.signatures[0].byteRange;
    const hex = signed.subarray(br[1] + 1, br[2] - 1).toString('latin1');
    const derLength = 4 + parseInt(hex.slice(4, 8), 16); // 30 82 LL LL
    const at2 = br[1] + 1 + 2 * (derLength - 10); // inside the RSA signature value, the DER's last 256 bytes
    cmsChanged[at2] = cmsChanged[at2] === 0x30 ? 0x31 : 0x30;
    const r3 = verifyPdfSignatures(cmsChanged);
    expect(r3.signatures[0].digestMatches).to.equal(true);
    expect(r3.signatures[0].signatureValid).to.equal(false);
    expect(pdfsig(cmsChanged)).to.not.include('Signature is Valid');
  });

  it('a PDF without signatures is not valid', () => {
    const r = verifyPdfSignatures(inputs['Chromium']);
    expect(r.signatures).to.deep.equal([]);
    expect(r.valid).to.equal(false);
  });

  describe('refusals: a clear message and nothing signed', () => {
    it('wrong passphrase', async () => {
      const e = await refused(new LocalP12Transport(kadisP12).sign(inputs['Chromium'], req({ passphrase: 'salah' })), 'sign_passphrase');
      expect(e.message).to.equal('Passphrase sertifikat salah. Tidak ada yang ditandatangani.');
    });

    it('a P12 without a private key', async () => {
      const certsOnly = issueSignerP12(ca, KADIS, PASS, { withKey: false });
      const e = await refused(new LocalP12Transport(certsOnly).sign(inputs['Chromium'], req()), 'sign_no_key');
      expect(e.message).to.include('tidak berisi kunci privat');
    });

    it('not a P12 at all', async () => {
      await refused(new LocalP12Transport(Buffer.from('bukan sertifikat')).sign(inputs['Chromium'], req()), 'sign_p12_invalid');
    });

    it('an expired certificate, and one not yet valid', async () => {
      const past = issueSignerP12(ca, KADIS, PASS, { notBefore: new Date(Date.now() - 3 * YEAR), notAfter: new Date(Date.now() - YEAR) });
      const e = await refused(new LocalP12Transport(past).sign(inputs['Chromium'], req()), 'sign_cert_expired');
      expect(e.message).to.match(/^Sertifikat sudah kedaluwarsa sejak \d{4}-\d{2}-\d{2}/);
      const future = issueSignerP12(ca, KADIS, PASS, { notBefore: new Date(Date.now() + YEAR) });
      await refused(new LocalP12Transport(future).sign(inputs['Chromium'], req()), 'sign_cert_not_yet_valid');
    });

    it('validity is judged on the app clock', async () => {
      const clock = new FixedClock(new Date(Date.now() + 3 * YEAR));
      setClock(clock);
      try {
        await refused(new LocalP12Transport(kadisP12).sign(inputs['Chromium'], req()), 'sign_cert_expired');
      } finally { setClock(systemClock); }
    });

    it("a certificate that is not the signer's (NIP, name or e-mail)", async () => {
      const t = new LocalP12Transport(kadisP12);
      let e = await refused(t.sign(inputs['Chromium'], req({ expectedSubject: { nip: SEKR.nip } })), 'sign_not_owner');
      expect(e.message).to.include(`NIP pada sertifikat (${KADIS.nip}) berbeda dengan NIP penanda tangan (${SEKR.nip})`);
      e = await refused(t.sign(inputs['Chromium'], req({ expectedSubject: { name: SEKR.name } })), 'sign_not_owner');
      expect(e.message).to.include('nama pada sertifikat');
      await refused(t.sign(inputs['Chromium'], req({ expectedSubject: { email: SEKR.email } })), 'sign_not_owner');
      // the same person, written with other titles and case, is accepted
      expect(t.inspect(PASS, { nip: KADIS.nip, name: 'hendra wiratama, S.Kom.', email: KADIS.email.toUpperCase() }).commonName).to.equal(KADIS.name);
    });

    it('a certificate whose key usage excludes signatures', async () => {
      const enc = issueSignerP12(ca, KADIS, PASS, { keyUsage: { keyEncipherment: true } });
      await refused(new LocalP12Transport(enc).sign(inputs['Chromium'], req()), 'sign_cert_usage');
    });

    it('a file that is not a PDF', async () => {
      await refused(new LocalP12Transport(kadisP12).sign(Buffer.from('GIF89a....'), req()), 'sign_pdf_invalid');
    });
  });

  it('reads P12s made by OpenSSL 3 (AES-256, PBKDF2, SHA-256 MAC), RSA and EC keys alike', async () => {
    const pem = path.join(dir, 'kadis.pem');
    fs.writeFileSync(path.join(dir, 'kadis.p12'), kadisP12);
    execFileSync('openssl', ['pkcs12', '-in', path.join(dir, 'kadis.p12'), '-nodes', '-passin', `pass:${PASS}`, '-out', pem], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-in', pem, '-out', path.join(dir, 'ossl.p12'), '-passout', `pass:${PASS}`], { stdio: 'pipe' });
    const rsa = fs.readFileSync(path.join(dir, 'ossl.p12'));
    expect(openP12(rsa, PASS).cert.idNumber).to.equal(KADIS.nip);
    const signed = await new LocalP12Transport(rsa).sign(inputs['Chromium'], req());
    expect(pdfsig(signed)).to.include('Certificate is Trusted');

    // an EC P-256 key with a self-signed certificate (trust not expected, the signature must verify)
    const key = path.join(dir, 'ec.key');
    const crt = path.join(dir, 'ec.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt,
      '-days', '30', '-subj', `/C=ID/serialNumber=${SEKR.nip}/CN=Ratna Kusumawardani`, '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', crt, '-out', path.join(dir, 'ec.p12'), '-passout', `pass:${PASS}`], { stdio: 'pipe' });
    const ec = await new LocalP12Transport(fs.readFileSync(path.join(dir, 'ec.p12'))).sign(inputs['Chromium'], req({ expectedSubject: { nip: SEKR.nip, name: SEKR.name }, signingTime: new Date() })); // the certificate was made just now: /M must not precede it
    expect(pdfsig(ec, false)).to.include('Signature is Valid');
    // not trusted unless its (self-signed) certificate is a trust anchor (issue #15: trust decided by default)
    const untrusted = verifyPdfSignatures(ec);
    expect(untrusted.valid).to.equal(false);
    expect(untrusted.signatures[0].intact).to.equal(true);
    expect(untrusted.signatures[0].problems.join()).to.match(/CA yang dipercaya/);
    const r = verifyPdfSignatures(ec, { trustAnchors: [fs.readFileSync(crt)] });
    expect(r.valid, r.signatures[0].problems.join('; ')).to.equal(true);
    expect(r.signatures[0].signerNip).to.equal(SEKR.nip);
  });
});

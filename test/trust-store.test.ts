import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import forge from 'node-forge';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createDevCa, issueSignerP12, type DevCa } from '../platform/devCa';
import { LocalP12Transport, byteRangeDigest, cmsForDigest, nativeSigner, openP12, prepareSignature } from '../platform/pdfSign';
import { verifyPdfSignatures } from '../lib/pdf/pdfVerify';
import { PdfDict, PdfRef, PdfRevision, canonical } from '../lib/pdf/pdfObjects';
import { TrustStore, defaultTrustStore, trustDevCa } from '../lib/pdf/trustStore';
import { testCa } from './helpers/signing';

/**
 * Issue #15 §3: trust decided by default (a store of CA certificates as data), path building that
 * refuses non-CA intermediates, validity at signing time, revocation from the file's DSS (CRL),
 * PAdES levels with RFC 3161 timestamps made by `openssl ts` with a TSA certificate of the test CA.
 */
const PASS = 'kepercayaan-uji-1';
const WHO = { name: 'Dr. Hendra Wiratama, S.Kom., M.T.', nip: '197204112000031003' };

describe('Trust store, certificate paths, revocation and PAdES levels', function () {
  this.timeout(60_000);
  let dir: string;
  let ca: DevCa;
  let p12: Buffer;
  let base: Buffer;
  const f = (n: string) => path.join(dir, n);
  const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-trust-'));
    ca = createDevCa();
    fs.writeFileSync(f('ca.pem'), ca.certPem);
    fs.writeFileSync(f('ca-key.pem'), ca.keyPem);
    p12 = issueSignerP12(ca, WHO, PASS);
    const d = await PDFDocument.create();
    d.addPage().drawText('Surat uji kepercayaan', { x: 72, y: 720, size: 14, font: await d.embedFont(StandardFonts.Helvetica) });
    base = Buffer.from(await d.save({ useObjectStreams: false }));
    // a TSA certificate issued by the test CA (extendedKeyUsage timeStamping, critical)
    fs.writeFileSync(f('tsa-ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
    ossl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tsa.key', '-subj', '/C=ID/O=Uji/CN=TSA Uji Naskah', '-out', 'tsa.csr']);
    ossl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '30', '-extfile', 'tsa-ext.cnf', '-out', 'tsa.pem']);
    fs.writeFileSync(f('tsa.cnf'), `[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = ${f('tsaserial')}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = no\ntsa_name = yes\ness_cert_id_alg = sha256\n`);
    fs.writeFileSync(f('tsaserial'), '01\n');
  });
  // The shared test helpers trust their own CA as a configured dev CA: not in this file.
  before(() => trustDevCa(null));
  after(() => { trustDevCa(testCa.certPem); fs.rmSync(dir, { recursive: true, force: true }); });

  /** An RFC 3161 token over `data`, from `openssl ts -reply`. */
  function token(data: Buffer): Buffer {
    fs.writeFileSync(f('data.bin'), data);
    ossl(['ts', '-query', '-data', 'data.bin', '-sha256', '-cert', '-out', 'q.tsq']);
    ossl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-signer', 'tsa.pem', '-inkey', 'tsa.key', '-chain', 'ca.pem', '-token_out', '-out', 'tok.der']);
    return fs.readFileSync(f('tok.der'));
  }

  /** Sign with the app's CMS, then add a signature timestamp token (unsigned attribute) over `stampOf(signature value)`. */
  async function signWithTimestamp(pdf: Buffer, stampOf: (sigValue: Buffer) => Buffer = (v) => v): Promise<Buffer> {
    const prep = await prepareSignature(pdf, { reason: 'Menyetujui', location: 'Sindangraja', signingTime: new Date(Date.now() - 60_000), reserveBytes: 16384 });
    const cms = await cmsForDigest(byteRangeDigest(prep.pdf, prep.byteRange), nativeSigner(openP12(p12, PASS)));
    const asn = forge.asn1.fromDer(forge.util.createBuffer(cms.toString('binary')));
    const signedData = ((asn.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0];
    const sis = (signedData.value as forge.asn1.Asn1[]).at(-1)!;
    const si = (sis.value as forge.asn1.Asn1[])[0];
    const sigValue = Buffer.from((si.value as forge.asn1.Asn1[]).at(-1)!.value as string, 'binary');
    const tok = forge.asn1.fromDer(forge.util.createBuffer(token(stampOf(sigValue)).toString('binary')));
    const { Class, Type } = forge.asn1;
    (si.value as forge.asn1.Asn1[]).push(forge.asn1.create(Class.CONTEXT_SPECIFIC, 1, true, [
      forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
        forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer('1.2.840.113549.1.9.16.2.14').getBytes()),
        forge.asn1.create(Class.UNIVERSAL, Type.SET, true, [tok]),
      ]),
    ]));
    const der = Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
    prep.pdf.write(der.toString('hex'), prep.byteRange[1] + 1, 'latin1');
    return prep.pdf;
  }

  /** A document timestamp (SubFilter ETSI.RFC3161) appended as its own revision. */
  async function documentTimestamp(pdf: Buffer): Promise<Buffer> {
    const prep = await prepareSignature(pdf, { reason: 'Cap waktu', location: '-', signingTime: new Date(), reserveBytes: 12000 });
    let s = prep.pdf.toString('latin1');
    const at = s.lastIndexOf('/Type /Sig', prep.byteRange[1]);
    s = s.slice(0, at) + ' '.repeat('/Type /Sig'.length) + s.slice(at + '/Type /Sig'.length);
    const sf = s.lastIndexOf('/SubFilter /ETSI.CAdES.detached', prep.byteRange[1]);
    s = s.slice(0, sf) + '/SubFilter /ETSI.RFC3161       ' + s.slice(sf + '/SubFilter /ETSI.CAdES.detached'.length);
    const out = Buffer.from(s, 'latin1');
    const br = prep.byteRange;
    const tok = token(Buffer.concat([out.subarray(0, br[1]), out.subarray(br[2], br[2] + br[3])]));
    out.write(tok.toString('hex'), br[1] + 1, 'latin1');
    return out;
  }

  /** Append a DSS (certificates, CRLs) as an incremental update. */
  function withDss(pdf: Buffer, certs: Buffer[], crls: Buffer[]): Buffer {
    const rev = new PdfRevision(pdf);
    let n = Number(rev.trailer.get('Size'));
    const objs: [number, string][] = [];
    const streamObj = (b: Buffer) => { const num = n++; objs.push([num, `<< /Length ${b.length} >>\nstream\n${b.toString('latin1')}\nendstream`]); return num; };
    const certNums = certs.map(streamObj);
    const crlNums = crls.map(streamObj);
    const dssNum = n++;
    objs.push([dssNum, `<< /Certs [${certNums.map((x) => `${x} 0 R`).join(' ')}] /CRLs [${crlNums.map((x) => `${x} 0 R`).join(' ')}] >>`]);
    const rootRef = rev.trailer.get('Root') as PdfRef;
    const root = new PdfDict(new Map(rev.root()!.map));
    root.map.set('DSS', new PdfRef(dssNum, 0));
    objs.push([rootRef.num, canonical(root)]);
    let out = pdf.toString('latin1');
    const offs: [number, number][] = [];
    for (const [num, body] of objs) { offs.push([num, out.length]); out += `${num} 0 obj\n${body}\nendobj\n`; }
    const at = out.length;
    out += 'xref\n';
    for (const [num, off] of offs.sort((a, b) => a[0] - b[0])) out += `${num} 1\n${String(off).padStart(10, '0')} 00000 n\r\n`;
    const info = rev.trailer.get('Info');
    out += `trailer\n<< /Size ${n} /Root ${rootRef.num} 0 R${info ? ` /Info ${canonical(info)}` : ''} /Prev ${rev.startxref} >>\nstartxref\n${at}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
  }

  /** A CRL of the test CA (openssl ca -gencrl), revoking `revoke` when given. */
  function crl(revoke: Buffer | null, tag: string): Buffer {
    const d = f(`ca-${tag}`);
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'index.txt'), '');
    fs.writeFileSync(path.join(d, 'crlnumber'), '01\n');
    fs.writeFileSync(path.join(d, 'ca.cnf'), `[ ca ]\ndefault_ca = c\n[ c ]\ndatabase = ${d}/index.txt\ncrlnumber = ${d}/crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n`);
    const args = ['-config', path.join(d, 'ca.cnf'), '-cert', f('ca.pem'), '-keyfile', f('ca-key.pem')];
    if (revoke) {
      fs.writeFileSync(path.join(d, 'signer.pem'), `-----BEGIN CERTIFICATE-----\n${revoke.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
      ossl(['ca', ...args, '-revoke', path.join(d, 'signer.pem')]);
    }
    ossl(['ca', ...args, '-gencrl', '-out', path.join(d, 'crl.pem')]);
    ossl(['crl', '-in', path.join(d, 'crl.pem'), '-outform', 'DER', '-out', path.join(d, 'crl.der')]);
    return fs.readFileSync(path.join(d, 'crl.der'));
  }

  it('the default store: config/trust (or NASKAH_TRUST_DIR) as data, the dev CA only when configured', async () => {
    const tdir = f('trust');
    fs.mkdirSync(tdir);
    const signed = await new LocalP12Transport(p12).sign(base, { reason: 'Menyetujui', location: 'Sindangraja', signingTime: new Date(Date.now() - 60_000), passphrase: PASS });
    const empty = defaultTrustStore({ NASKAH_TRUST_DIR: tdir });
    expect(empty.size).to.equal(0);
    let r = verifyPdfSignatures(signed, { trustStore: empty });
    expect(r.valid).to.equal(false);
    expect(r.signatures[0].intact).to.equal(true);
    expect(r.signatures[0].problems.join()).to.include('tidak ada sertifikat CA yang dipercaya di server ini');
    // the dev CA only when NASKAH_DEV_CA names it
    const dev = defaultTrustStore({ NASKAH_TRUST_DIR: tdir, NASKAH_DEV_CA: f('ca.pem') });
    expect(verifyPdfSignatures(signed, { trustStore: dev }).valid).to.equal(true);
    // or as data in the folder; unreadable files are listed
    fs.copyFileSync(f('ca.pem'), path.join(tdir, 'instansi.pem'));
    fs.writeFileSync(path.join(tdir, 'rusak.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const data = defaultTrustStore({ NASKAH_TRUST_DIR: path.join(tdir, '.') });
    expect(data.size).to.equal(1);
    expect(data.unreadable).to.deep.equal([path.join(tdir, 'rusak.pem')]);
    r = verifyPdfSignatures(signed, { trustStore: data });
    expect(r.valid).to.equal(true);
    expect(r.signatures[0].chain).to.deep.equal([WHO.name, 'Naskah Dev CA (bukan untuk produksi)']);
    expect(r.signatures[0].level).to.equal('B-B');
    // another CA with the same name is not the trusted one
    const other = createDevCa();
    r = verifyPdfSignatures(signed, { trustStore: TrustStore.of([other.certPem]) });
    expect(r.signatures[0].trusted).to.equal(false);
    expect(r.signatures[0].problems.join()).to.include('tidak diterbitkan oleh CA yang dipercaya');
  });

  it('refuses an intermediate that is not a CA, accepts one that is', async () => {
    const mk = (tag: string, ext: string) => {
      fs.writeFileSync(f(`${tag}.ext`), ext);
      ossl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${tag}.key`, '-subj', `/C=ID/O=Uji/CN=Perantara ${tag}`, '-out', `${tag}.csr`]);
      ossl(['x509', '-req', '-in', `${tag}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '30', '-extfile', `${tag}.ext`, '-out', `${tag}.pem`]);
      fs.writeFileSync(f(`${tag}-leaf.ext`), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
      ossl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${tag}-leaf.key`, '-subj', `/C=ID/serialNumber=${WHO.nip}/CN=Hendra Wiratama`, '-out', `${tag}-leaf.csr`]);
      ossl(['x509', '-req', '-in', `${tag}-leaf.csr`, '-CA', `${tag}.pem`, '-CAkey', `${tag}.key`, '-CAcreateserial', '-days', '20', '-extfile', `${tag}-leaf.ext`, '-out', `${tag}-leaf.pem`]);
      ossl(['pkcs12', '-export', '-inkey', `${tag}-leaf.key`, '-in', `${tag}-leaf.pem`, '-certfile', `${tag}.pem`, '-out', `${tag}.p12`, '-passout', `pass:${PASS}`]);
      return fs.readFileSync(f(`${tag}.p12`));
    };
    const good = mk('ca-ok', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    const notCa = mk('bukan-ca', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
    const noCertSign = mk('tanpa-certsign', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n');
    const sign = (x: Buffer) => new LocalP12Transport(x).sign(base, { reason: 'Menyetujui', location: 'Sindangraja', signingTime: new Date(), passphrase: PASS });
    const opts = { trustAnchors: [ca.certPem] };
    const ok = verifyPdfSignatures(await sign(good), opts);
    expect(ok.valid, ok.signatures[0].problems.join('; ')).to.equal(true);
    expect(ok.signatures[0].chain).to.deep.equal(['Hendra Wiratama', 'Perantara ca-ok', 'Naskah Dev CA (bukan untuk produksi)']);
    const bad = verifyPdfSignatures(await sign(notCa), opts);
    expect(bad.valid).to.equal(false);
    expect(bad.signatures[0].problems.join()).to.include('sertifikat perantara "Perantara bukan-ca" bukan CA (basicConstraints cA tidak ada)');
    const bad2 = verifyPdfSignatures(await sign(noCertSign), opts);
    expect(bad2.signatures[0].problems.join(' | '), bad2.signatures[0].problems.join(' | ')).to.include('tidak boleh menandatangani sertifikat (keyUsage tanpa keyCertSign)');
  });

  it('B-T: a signature timestamp (genTime, TSA name, imprint over the signature value); a token over other data is refused', async () => {
    const pdf = await signWithTimestamp(base);
    const r = verifyPdfSignatures(pdf, { trustAnchors: [ca.certPem] });
    const s = r.signatures[0];
    expect(r.valid, s.problems.join('; ')).to.equal(true);
    expect(s.level).to.equal('B-T');
    expect(s.timestamp!.tsaName).to.equal('TSA Uji Naskah');
    expect(s.timestamp!.imprintMatches).to.equal(true);
    expect(Math.abs(s.timestamp!.genTime!.getTime() - Date.now())).to.be.lessThan(120_000);
    expect(s.validationTimeSource).to.equal('cap_waktu');
    const wrong = verifyPdfSignatures(await signWithTimestamp(base, () => Buffer.from('data lain')), { trustAnchors: [ca.certPem] });
    expect(wrong.valid).to.equal(false);
    expect(wrong.signatures[0].problems.join()).to.include('cap waktu tidak cocok dengan yang dicapnya (message imprint berbeda)');
    expect(wrong.signatures[0].level).to.equal('B-B');
  });

  it('B-LT with the chain and a CRL in the DSS, B-LTA with a document timestamp over it; a revoked certificate is not sah', async () => {
    const signerDer = openP12(p12, PASS).cert.der;
    const caDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(ca.cert)).getBytes(), 'binary');
    const ts = await signWithTimestamp(base);
    const lt = withDss(ts, [signerDer, caDer], [crl(null, 'bersih')]);
    let r = verifyPdfSignatures(lt, { trustAnchors: [ca.certPem] });
    expect(r.valid, JSON.stringify(r.signatures.map((x) => x.problems))).to.equal(true);
    expect(r.signatures[0].level).to.equal('B-LT');
    expect(r.signatures[0].revocation!.status).to.equal('baik');
    expect(r.signatures[0].laterAdditions).to.include('DSS (data validasi: sertifikat, OCSP, CRL)');
    const lta = await documentTimestamp(lt);
    r = verifyPdfSignatures(lta, { trustAnchors: [ca.certPem] });
    expect(r.valid, JSON.stringify(r.signatures.map((x) => x.problems))).to.equal(true);
    expect(r.signatures.map((x) => [x.kind, x.level])).to.deep.equal([['signature', 'B-LTA'], ['document_timestamp', null]]);
    expect(r.signatures[1].timestamp!.tsaName).to.equal('TSA Uji Naskah');

    // revoked (the CRL is dated after the signature's timestamp; without a timestamp /M is only the signer's claim)
    const plain = await new LocalP12Transport(p12).sign(base, { reason: 'Menyetujui', location: 'Sindangraja', signingTime: new Date(Date.now() - 60_000), passphrase: PASS });
    const revoked = withDss(plain, [signerDer, caDer], [crl(signerDer, 'dicabut')]);
    r = verifyPdfSignatures(revoked, { trustAnchors: [ca.certPem] });
    expect(r.valid).to.equal(false);
    expect(r.signatures[0].revocation!.status).to.equal('dicabut');
    expect(r.signatures[0].problems.join()).to.match(/sertifikat Dr\. Hendra Wiratama, S\.Kom\., M\.T\. telah dicabut \(revoked\) pada \d{4}-/);
  });
});

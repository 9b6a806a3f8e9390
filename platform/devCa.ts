/**
 * A local certificate authority for development and demos (`naskah cert:dev-ca`) and for the
 * tests: it issues P12s whose subject carries the signer's name (CN) and NIP (serialNumber), in
 * the shape a PSrE certificate has. Never for production letters.
 *
 * Keys come from Node's native generator (forge's pure-JS one takes seconds); certificates and
 * P12s are built with node-forge.
 */
import crypto from 'node:crypto';
import forge from 'node-forge';
import { now } from './clock';

export interface DevCa { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey; certPem: string; keyPem: string }

export interface SignerSubject {
  name: string;
  nip?: string | null;
  email?: string | null;
  title?: string | null;        // position (jabatan)
  organization?: string | null;
  unit?: string | null;
}

export interface IssueOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** false: a P12 with the certificates only (no private key), for tests. */
  withKey?: boolean;
  /** Key usage: default digitalSignature + nonRepudiation. */
  keyUsage?: { digitalSignature?: boolean; nonRepudiation?: boolean; keyEncipherment?: boolean };
}

const DAY = 86_400_000;
const utf8 = forge.asn1.Type.UTF8;

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.rsa.setPublicKey(key.n, key.e) };
}

const serial = () => '01' + crypto.randomBytes(15).toString('hex'); // positive, 16 bytes

const attr = (shortName: string, value: string) => ({ shortName, value: forge.util.encodeUtf8(value), valueTagClass: utf8 as unknown as forge.asn1.Class });


/** A fresh key pair and an unsigned certificate for it, valid from `notBefore` to `notAfter`. */
function newCertificate(notBefore: Date, notAfter: Date): { privateKey: forge.pki.rsa.PrivateKey; cert: forge.pki.Certificate } {
  const { privateKey, publicKey } = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  return { privateKey, cert };
}
export function createDevCa(opts: { commonName?: string; organization?: string; notBefore?: Date; years?: number } = {}): DevCa {
  const from = opts.notBefore ?? new Date(now().getTime() - DAY);
  const { privateKey, cert } = newCertificate(from, new Date(from.getTime() + (opts.years ?? 10) * 365 * DAY));
  const name = [
    { shortName: 'C', value: 'ID' },
    attr('O', opts.organization ?? 'Naskah (pengembangan)'),
    attr('CN', opts.commonName ?? 'Naskah Dev CA (bukan untuk produksi)'),
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { cert, key: privateKey, certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(privateKey) };
}

export function loadDevCa(certPem: string, keyPem: string): DevCa {
  return { cert: forge.pki.certificateFromPem(certPem), key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, certPem, keyPem };
}

/** Issue a signing certificate for `who` and pack it (with its key unless told not to, and the CA certificate) into a P12. */
export function issueSignerP12(ca: DevCa, who: SignerSubject, passphrase: string, opts: IssueOptions = {}): Buffer {
  const from = opts.notBefore ?? new Date(now().getTime() - DAY);
  const { privateKey, cert } = newCertificate(from, opts.notAfter ?? new Date(from.getTime() + 2 * 365 * DAY));
  const subject: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'ID' }];
  if (who.organization) subject.push(attr('O', who.organization));
  if (who.unit) subject.push(attr('OU', who.unit));
  if (who.title) subject.push({ ...attr('title', who.title), shortName: undefined, type: '2.5.4.12' });
  if (who.nip) subject.push({ name: 'serialNumber', value: who.nip });
  subject.push(attr('CN', who.name));
  cert.setSubject(subject);
  cert.setIssuer(ca.cert.subject.attributes);
  const ku = opts.keyUsage ?? { digitalSignature: true, nonRepudiation: true };
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: !!ku.digitalSignature, nonRepudiation: !!ku.nonRepudiation, keyEncipherment: !!ku.keyEncipherment },
    // emailProtection: NSS (pdfsig) checks signer certificates as "email signer"; 1.3.6.1.5.5.7.3.36 = documentSigning
    { name: 'extKeyUsage', emailProtection: true, '1.3.6.1.5.5.7.3.36': true },
    ...(who.email ? [{ name: 'subjectAltName', altNames: [{ type: 1, value: who.email }] }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  const asn = forge.pkcs12.toPkcs12Asn1(opts.withKey === false ? null : privateKey, [cert, ca.cert], passphrase,
    { algorithm: 'aes256', friendlyName: who.name });
  return Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
}

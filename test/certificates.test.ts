import { expect } from 'chai';
import { AuditEvent, SigningCertificate, User } from '../models';
import { createDevCa, issueSignerP12 } from '../platform/devCa';
import { blobBytes } from '../modules/ttd/letterSigner';
import { LocalP12Transport } from '../platform/pdfSign';
import { signIn, csrfOf, textOf, type Agent } from './helpers/app';

/**
 * Issue #5: an admin imports a signer's P12. The passphrase proves the file (key, validity,
 * owner) and is never stored; the certificate replaces the user's earlier one.
 */
describe('Admin: importing a signing certificate (P12)', function () {
  this.timeout(60_000);
  const PASS = 'sandi-sertifikat-uji';
  const ca = createDevCa();
  let admin: Agent;
  let kadis: User;
  before(async () => {
    admin = await signIn('admin');
    kadis = (await User.findOne({ where: { username: 'kadis' } }))!;
  });

  const post = async (agent: Agent, userId: number, p12: Buffer | null, passphrase: string) => {
    const token = await csrfOf(agent, '/admin/sertifikat');
    const req = agent.post(`/admin/sertifikat?_csrf=${encodeURIComponent(token)}`).field('_csrf', token).field('userId', String(userId)).field('passphrase', passphrase);
    return p12 ? req.attach('p12', p12, 'kadis.p12') : req;
  };

  it("imports the signer's own certificate, keeps the file as a blob and never the passphrase, and replaces the earlier one", async () => {
    const first = await post(admin, kadis.id, issueSignerP12(ca, { name: kadis.name, nip: kadis.nip }, PASS), PASS);
    expect(first.status, first.text.slice(0, 300)).to.equal(303);
    const p12 = issueSignerP12(ca, { name: kadis.name, nip: kadis.nip }, PASS);
    const res = await post(admin, kadis.id, p12, PASS);
    expect(res.status).to.equal(303);
    const certs = await SigningCertificate.findAll({ where: { userId: kadis.id }, order: [['id', 'ASC']] });
    const active = certs.filter((c) => c.active);
    expect(active).to.have.length(1);
    expect(active[0].id).to.equal(certs[certs.length - 1].id);
    expect(active[0].subject).to.include(kadis.name);
    // The stored file is the P12 itself, and it still needs the passphrase to be used.
    const stored = await blobBytes(active[0].p12BlobSha);
    expect(stored.equals(p12)).to.equal(true);
    expect(() => new LocalP12Transport(stored).inspect('bukan-sandinya')).to.throw(/kata sandi|passphrase/i);
    const events = await AuditEvent.findAll({ where: { action: 'sertifikat.diimpor', entityId: String(active[0].id) } });
    expect(events).to.have.length(1);
    expect(JSON.stringify(events[0].toJSON())).to.not.include(PASS);
    const page = textOf((await admin.get('/admin/sertifikat')).text);
    expect(page).to.include(kadis.name).and.include('aktif').and.include('diganti');
  });

  it('refuses a wrong passphrase, a certificate of someone else, an expired one and a file that is not a P12, on the same page', async () => {
    const cases: [Buffer | null, string, RegExp][] = [
      [issueSignerP12(ca, { name: kadis.name, nip: kadis.nip }, PASS), 'salah-sandi', /kata sandi/i],
      [issueSignerP12(ca, { name: 'Orang Lain', nip: '198001012005011001' }, PASS), PASS, /bukan milik|tidak sesuai|NIP/i],
      [issueSignerP12(ca, { name: kadis.name, nip: kadis.nip }, PASS, { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }), PASS, /kedaluwarsa|habis|berakhir/i],
      [Buffer.from('%PDF-1.4 bukan sertifikat'), PASS, /P12|PKCS|sertifikat/i],
      [null, PASS, /Pilih berkas sertifikat/],
    ];
    const before = await SigningCertificate.count();
    for (const [file, pass, msg] of cases) {
      const res = await post(admin, kadis.id, file, pass);
      expect(res.status, String(msg)).to.equal(422);
      expect(textOf(res.text), String(msg)).to.match(msg);
    }
    expect(await SigningCertificate.count()).to.equal(before);
  });

  it('is for admins only, and every form needs its token', async () => {
    const kabid = await signIn('kabid');
    expect((await kabid.get('/admin/sertifikat')).status).to.equal(403);
    const noToken = await admin.post('/admin/sertifikat').field('userId', String(kadis.id)).field('passphrase', PASS);
    expect(noToken.status).to.equal(403);
  });
});

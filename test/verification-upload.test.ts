import { expect } from 'chai';
import supertest from 'supertest';
import { LoginThrottle } from '../models';
import { app, textOf } from './helpers/app';
import { actorOf } from './helpers/factories';
import { SIGN_PASS, certFor, readyDraft } from './helpers/signing';
import { signLetter } from '../modules/ttd/letterSigner';
import { config, loadConfig, setConfig, type Config } from '../config';

/**
 * Issue #5: bad uploads on the public verification page (/verifikasi/<code>) get a clear
 * Indonesian message on the same page with a 4xx status, never a 500: a file over the upload
 * limit (MAX_UPLOAD_MB), a file that is not a PDF (whatever its name), and no file at all.
 */
describe('Verification page: oversize and non-PDF uploads', function () {
  this.timeout(120_000);
  let code: string;
  let original: Config;

  before(async () => {
    await certFor('kadis');
    const d = await readyDraft();
    code = (await signLetter({ actor: await actorOf('kadis'), letterId: d.id, passphrase: SIGN_PASS })).verificationCode!;
    original = config();
  });
  after(() => setConfig(original));
  beforeEach(async () => { await LoginThrottle.destroy({ where: {} }); });

  async function page() {
    const agent = supertest.agent(app());
    const res = await agent.get(`/verifikasi/${code}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(res.text)![1];
    return { agent, url: `/verifikasi/${code}?_csrf=${encodeURIComponent(token)}` };
  }

  it('a PDF larger than MAX_UPLOAD_MB: 413 with "Berkas terlalu besar" on the same page', async () => {
    const c = config();
    setConfig(loadConfig({ ...process.env, NODE_ENV: 'test', DB_URL: c.dbUrl, BLOB_DIR: c.blobDir, SESSION_SECRET: c.sessionSecret, DEMO_SEED: c.demoSeed, DASHBOARD_CACHE_SECONDS: '0', MAX_UPLOAD_MB: '1' }));
    try {
      const { agent, url } = await page();
      const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1024 * 1024 + 200_000, 0x20), Buffer.from('\n%%EOF\n')]);
      const res = await agent.post(url).attach('berkas', big, { filename: 'besar.pdf', contentType: 'application/pdf' });
      expect(res.status).to.equal(413);
      expect(res.text).to.contain('data-testid="verification"').and.contain('data-testid="verify-error"');
      expect(textOf(res.text)).to.contain('Berkas terlalu besar. Ukuran maksimal 1 MB.');
      expect(res.text).to.not.contain('data-testid="verify-result"');
      // Just under the limit is checked as usual (a PDF that is not this letter).
      const small = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(900 * 1024, 0x20), Buffer.from('\n%%EOF\n')]);
      const fresh = await page();
      const ok = await fresh.agent.post(fresh.url).attach('berkas', small, { filename: 'kecil.pdf', contentType: 'application/pdf' });
      expect(ok.status).to.equal(200);
      expect(ok.text).to.contain('TELAH DIUBAH');
    } finally { setConfig(original); }
  });

  it('a file that is not a PDF, even named .pdf: 400 with "bukan PDF" on the same page; no file: 400 with a message', async () => {
    const { agent, url } = await page();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 1)]);
    const res = await agent.post(url).attach('berkas', png, { filename: 'surat.pdf', contentType: 'application/pdf' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('data-testid="verification"');
    expect(textOf(res.text)).to.contain('Berkas yang diunggah bukan PDF.');
    const none = await agent.post(url).field('x', '1');
    expect(none.status).to.equal(400);
    expect(textOf(none.text)).to.contain('Pilih berkas PDF surat yang akan diperiksa.');
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import { Blob, LetterFile } from '../models';
import { config, parseDbUrl } from '../config';
import { createSequelize } from '../platform/db';
import { blobStore, LocalBlobStore } from '../platform/blobstore';
import { FixedClock, setClock, systemClock } from '../platform/clock';
import { sweepBlobs, verifyBlobs } from '../platform/blobMaintenance';
import { buildLetter, pdfBytes } from './helpers/factories';
import { childEnv, describeRun, naskah, ROOT } from './fixtures/proc';

const HOUR = 3_600_000;
const sha256Of = (buf: Buffer): string => crypto.createHash('sha256').update(buf).digest('hex');
const objectPath = (root: string, sha: string): string => path.join(root, 'objects', sha.slice(0, 2), sha.slice(2, 4), sha);
/** Where the shared test store keeps a blob. */
const storedPath = (sha: string): string => objectPath(config().blobDir, sha);
const ago = (ms: number): Date => new Date(Date.now() - ms);

/** Every blob file under a store root. */
function filesIn(root: string): string[] {
  const base = path.join(root, 'objects');
  if (!fs.existsSync(base)) return [];
  return fs.readdirSync(base, { recursive: true, encoding: 'utf8' }).map((p) => path.basename(p)).filter((f) => /^[0-9a-f]{64}$/.test(f)).sort();
}

async function scanOf(letterId: number): Promise<string> {
  const f = await LetterFile.findOne({ where: { letterId, kind: 'scan' } });
  expect(f, `scan of letter ${letterId}`).to.not.equal(null);
  return f!.blobSha;
}

describe('Blob store', () => {
  describe('LocalBlobStore', () => {
    let root: string;
    let store: LocalBlobStore;
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-blobstore-'));
      store = new LocalBlobStore(root);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it('names a blob by the SHA-256 of its bytes, stores it under that name and leaves nothing in tmp', async () => {
      const bytes = pdfBytes();
      const { sha256, size } = await store.putBuffer(bytes);
      expect(sha256).to.equal(sha256Of(bytes));
      expect(size).to.equal(bytes.length);
      const p = objectPath(root, sha256);
      expect(sha256Of(fs.readFileSync(p))).to.equal(sha256);
      expect(await store.hash(sha256)).to.equal(sha256);
      expect(await store.exists(sha256)).to.equal(true);
      expect(fs.readdirSync(store.tmpDir())).to.deep.equal([]);
    });

    it('stores the same bytes once, under the same name, even when put concurrently', async () => {
      const bytes = pdfBytes();
      const first = await store.putBuffer(bytes);
      const again = await Promise.all(Array.from({ length: 5 }, () => store.putBuffer(Buffer.from(bytes))));
      expect(again.map((r) => r.sha256)).to.deep.equal(Array(5).fill(first.sha256));
      const other = await store.putBuffer(pdfBytes());
      expect(other.sha256).to.not.equal(first.sha256);
      expect(filesIn(root)).to.deep.equal([first.sha256, other.sha256].sort());
      expect(fs.readdirSync(store.tmpDir())).to.deep.equal([]);
    });

    it('moves a finished temporary file into the store (putFile), also when the blob exists already', async () => {
      const bytes = pdfBytes();
      const tmp1 = path.join(store.tmpDir(), 'upload-1');
      fs.writeFileSync(tmp1, bytes);
      const { sha256 } = await store.putFile(tmp1);
      expect(fs.existsSync(tmp1)).to.equal(false);
      expect(fs.readFileSync(objectPath(root, sha256)).equals(bytes)).to.equal(true);
      const tmp2 = path.join(store.tmpDir(), 'upload-2');
      fs.writeFileSync(tmp2, bytes);
      expect((await store.putFile(tmp2)).sha256).to.equal(sha256);
      expect(fs.readdirSync(store.tmpDir())).to.deep.equal([]);
    });

    it('refreshes the age of an existing blob when the same bytes are put again', async () => {
      // An old orphan uploaded again is a new pending upload: the sweep's grace period must start over.
      const bytes = pdfBytes();
      const { sha256 } = await store.putBuffer(bytes);
      fs.utimesSync(objectPath(root, sha256), ago(72 * HOUR), ago(72 * HOUR));
      await store.putBuffer(bytes);
      const listed = [];
      for await (const b of store.list()) listed.push(b);
      expect(listed.map((b) => b.sha256)).to.deep.equal([sha256]);
      expect(Date.now() - listed[0].mtimeMs).to.be.lessThan(HOUR);
    });

    it('lists every blob, removes one, and refuses keys that are not a SHA-256', async () => {
      const a = await store.putBuffer(pdfBytes());
      const b = await store.putBuffer(pdfBytes());
      const listed: string[] = [];
      for await (const x of store.list()) listed.push(x.sha256);
      expect(listed.sort()).to.deep.equal([a.sha256, b.sha256].sort());
      await store.remove(a.sha256);
      expect(await store.exists(a.sha256)).to.equal(false);
      expect(filesIn(root)).to.deep.equal([b.sha256]);
      for (const bad of ['../../../etc/passwd', b.sha256.toUpperCase(), `${b.sha256}0`, '']) {
        expect(() => store.open(bad), bad).to.throw(/invalid blob key/);
        expect(await store.exists(bad), bad).to.equal(false);
      }
    });

    it('sweeps temporary files older than the given age only', async () => {
      const old = path.join(store.tmpDir(), 'old');
      const young = path.join(store.tmpDir(), 'young');
      fs.writeFileSync(old, 'x');
      fs.writeFileSync(young, 'y');
      fs.utimesSync(old, ago(3 * HOUR), ago(3 * HOUR));
      expect(await store.sweepTmp(2 * HOUR)).to.equal(1);
      expect(fs.readdirSync(store.tmpDir())).to.deep.equal(['young']);
    });
  });

  describe('verifyBlobs', () => {
    let shas: string[] = [];
    before(async () => {
      shas = [];
      for (let i = 0; i < 2; i++) shas.push(await scanOf((await buildLetter()).id));
    });

    it('reports nothing when every blob is present and intact', async () => {
      const r = await verifyBlobs();
      expect({ missing: r.missing, corrupt: r.corrupt }).to.deep.equal({ missing: [], corrupt: [] });
      expect(r.checked).to.equal(await Blob.count());
      expect(r.checked).to.be.at.least(2);
    });

    it('reports a blob whose bytes changed on disk as corrupt, and a deleted one as missing', async () => {
      const [corrupted, deleted] = shas;
      const original = fs.readFileSync(storedPath(corrupted));
      const aside = `${storedPath(deleted)}.aside`;
      try {
        const damaged = Buffer.from(original);
        damaged[Math.floor(damaged.length / 2)] ^= 0xff;
        fs.writeFileSync(storedPath(corrupted), damaged);
        fs.renameSync(storedPath(deleted), aside);
        const seen: number[] = [];
        const r = await verifyBlobs((n) => seen.push(n));
        expect(r.corrupt).to.include(corrupted);
        expect(r.corrupt).to.not.include(deleted);
        expect(r.missing).to.include(deleted);
        expect(r.missing).to.not.include(corrupted);
        expect(seen.length).to.equal(r.checked);
        expect(seen[seen.length - 1]).to.equal(r.checked);
        // The store is only read: the damaged bytes are still there for an operator to look at.
        expect(fs.readFileSync(storedPath(corrupted)).equals(damaged)).to.equal(true);
      } finally {
        fs.writeFileSync(storedPath(corrupted), original);
        if (fs.existsSync(aside)) fs.renameSync(aside, storedPath(deleted));
      }
      const r = await verifyBlobs();
      expect({ missing: r.missing, corrupt: r.corrupt }).to.deep.equal({ missing: [], corrupt: [] });
    });
  });

  describe('sweepBlobs', () => {
    const created: string[] = [];
    afterEach(() => setClock(systemClock));
    after(async () => {
      for (const sha of created) if (!(await Blob.findByPk(sha))) await blobStore().remove(sha);
    });
    const orphan = async (): Promise<string> => {
      const { sha256 } = await blobStore().putBuffer(pdfBytes());
      created.push(sha256);
      return sha256;
    };

    it('removes an orphan older than the grace period, keeps a young orphan and referenced blobs; dry-run removes nothing', async () => {
      const referenced = await scanOf((await buildLetter()).id);
      const oldOrphan = await orphan();
      const youngOrphan = await orphan();
      for (const sha of [referenced, oldOrphan]) fs.utimesSync(storedPath(sha), ago(72 * HOUR), ago(72 * HOUR));
      const oldTmp = path.join(blobStore().tmpDir(), `stale-${crypto.randomBytes(4).toString('hex')}`);
      fs.writeFileSync(oldTmp, 'setengah terunggah');
      fs.utimesSync(oldTmp, ago(72 * HOUR), ago(72 * HOUR));

      const dry = await sweepBlobs(24 * HOUR, { dryRun: true });
      expect(dry.removed).to.include(oldOrphan);
      expect(dry.removed).to.not.include(referenced);
      expect(dry.removed).to.not.include(youngOrphan);
      expect(dry.tmpRemoved).to.equal(0);
      for (const sha of [referenced, oldOrphan, youngOrphan]) expect(await blobStore().exists(sha), sha).to.equal(true);
      expect(fs.existsSync(oldTmp)).to.equal(true);

      const r = await sweepBlobs(24 * HOUR);
      expect(r.removed).to.include(oldOrphan);
      expect(r.removed).to.not.include(referenced);
      expect(r.removed).to.not.include(youngOrphan);
      expect(r.keptYoung).to.be.at.least(1);
      expect(r.tmpRemoved).to.be.at.least(1);
      expect(await blobStore().exists(oldOrphan)).to.equal(false);
      expect(await blobStore().exists(referenced)).to.equal(true);
      expect(await blobStore().exists(youngOrphan)).to.equal(true);
      expect(fs.existsSync(oldTmp)).to.equal(false);
      for (const sha of r.removed) expect(await Blob.findByPk(sha), sha).to.equal(null);
    });

    it('judges age by the clock: once the clock passes the grace period, every orphan goes and every referenced blob stays', async () => {
      const referenced = await scanOf((await buildLetter()).id);
      const o = await orphan();
      expect((await sweepBlobs(24 * HOUR)).removed).to.not.include(o);
      setClock(new FixedClock(new Date(Date.now() + 25 * HOUR)));

      const dry = await sweepBlobs(24 * HOUR, { dryRun: true });
      expect(dry.removed).to.include(o);
      expect(dry.keptYoung).to.equal(0);
      expect(await blobStore().exists(o)).to.equal(true);

      const r = await sweepBlobs(24 * HOUR);
      expect(r.removed).to.include(o);
      expect(r.removed).to.not.include(referenced);
      expect(await blobStore().exists(o)).to.equal(false);
      // Every blob was older than the grace period, so every record was put to the test.
      const rows = await Blob.findAll({ attributes: ['sha256'] });
      for (const { sha256 } of rows) expect(await blobStore().exists(sha256), `referenced blob ${sha256}`).to.equal(true);
      const v = await verifyBlobs();
      expect({ missing: v.missing, corrupt: v.corrupt }).to.deep.equal({ missing: [], corrupt: [] });
    });

    it('spares an old orphan that is uploaded again while its form is still open', async () => {
      const bytes = pdfBytes();
      const { sha256 } = await blobStore().putBuffer(bytes);
      created.push(sha256);
      fs.utimesSync(storedPath(sha256), ago(72 * HOUR), ago(72 * HOUR));
      // The same scan uploaded again now: a pending upload waiting for its form to be sent.
      expect((await blobStore().putBuffer(bytes)).sha256).to.equal(sha256);
      const r = await sweepBlobs(24 * HOUR);
      expect(r.removed).to.not.include(sha256);
      expect(await blobStore().exists(sha256)).to.equal(true);
    });
  });

  describe('crash safety: a registering process killed at random moments', function () {
    this.timeout(300_000);
    let dir: string;
    let blobDir: string;
    let dbUrl: string;
    let env: NodeJS.ProcessEnv;
    let dropDatabase: (() => Promise<void>) | null = null;

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-kill-'));
      blobDir = path.join(dir, 'blobs');
      const c = config().db;
      if (c.dialect === 'mysql') {
        const u = new URL(c.url);
        u.pathname = `/${c.database}_kill`;
        dbUrl = u.toString();
        const adminUrl = new URL(c.url);
        adminUrl.pathname = '/';
        const name = `${c.database}_kill`;
        dropDatabase = async () => {
          const admin = new Sequelize(adminUrl.toString(), { dialect: 'mysql', logging: false });
          try { await admin.query(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await admin.close(); }
        };
        await dropDatabase();
      } else {
        dbUrl = `sqlite:${path.join(dir, 'naskah.sqlite')}`;
      }
      env = childEnv({ DB_URL: dbUrl, BLOB_DIR: blobDir });
    });
    after(async () => {
      await dropDatabase?.();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    interface Round { puts: string[]; commits: { id: number; sha: string }[]; killedAfter: number; delayMs: number; stderr: string }

    /** Start the register loop, SIGKILL it `delayMs` after its `killAfter`-th commit. */
    function killRound(killAfter: number, delayMs: number): Promise<Round> {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'register-loop.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        const round: Round = { puts: [], commits: [], killedAfter: killAfter, delayMs, stderr: '' };
        let buf = '';
        let killing = false;
        const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`register loop made no progress\n${buf}\n${round.stderr}`)); }, 120_000);
        child.stderr.setEncoding('utf8').on('data', (s: string) => { round.stderr += s; });
        child.stdout.setEncoding('utf8').on('data', (s: string) => {
          buf += s;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const [kind, a, b] = buf.slice(0, nl).split(' ');
            buf = buf.slice(nl + 1);
            if (kind === 'put') round.puts.push(a);
            if (kind === 'commit') round.commits.push({ id: Number(a), sha: b });
          }
          if (!killing && round.commits.length >= killAfter) {
            killing = true;
            setTimeout(() => child.kill('SIGKILL'), delayMs);
          }
        });
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(guard);
          if (signal !== 'SIGKILL') reject(new Error(`register loop ended by itself (exit ${code}, ${signal})\n${round.stderr}`));
          else resolve(round);
        });
      });
    }

    it('leaves every record with its intact blob, at most orphans that the sweep removes, and an intact audit log', async () => {
      const rounds: Round[] = [];
      for (let i = 0; i < 3; i++) rounds.push(await killRound(2 + Math.floor(Math.random() * 5), Math.floor(Math.random() * 40)));
      const story = rounds.map((r, i) => `round ${i + 1}: killed ${r.delayMs} ms after commit ${r.killedAfter} (${r.commits.length} commits seen, ${r.puts.length} puts)`).join('\n');

      const s = createSequelize(parseDbUrl(dbUrl), false);
      try {
        const sel = <T extends object>(sql: string) => s.query<T>(sql, { type: QueryTypes.SELECT });
        const letters = await sel<{ id: number; agenda_seq: number }>('SELECT id, agenda_seq FROM incoming_letters ORDER BY agenda_seq');
        const files = await sel<{ letter_id: number; blob_sha: string }>('SELECT letter_id, blob_sha FROM incoming_letter_files');
        const items = await sel<{ letter_id: number }>('SELECT letter_id FROM inbox_items');
        const blobRows = (await sel<{ sha256: string }>('SELECT sha256 FROM blobs')).map((b) => b.sha256).sort();
        const events = await sel<{ entity_id: string }>("SELECT entity_id FROM audit_events WHERE action = 'surat_masuk.diregistrasi'");

        // Every commit a round saw is there, and every letter is whole: its scan, its inbox item, its audit event.
        const committed = rounds.flatMap((r) => r.commits);
        const ids = letters.map((l) => Number(l.id));
        for (const c of committed) expect(ids, story).to.include(c.id);
        expect(letters.length, story).to.be.at.least(committed.length);
        expect(files.map((f) => Number(f.letter_id)).sort((a, b) => a - b), story).to.deep.equal([...ids].sort((a, b) => a - b));
        expect(items.map((f) => Number(f.letter_id)).sort((a, b) => a - b), story).to.deep.equal([...ids].sort((a, b) => a - b));
        expect(events.map((e) => Number(e.entity_id)).sort((a, b) => a - b), story).to.deep.equal([...ids].sort((a, b) => a - b));
        // A killed transaction gives its agenda number back: the register has no gaps.
        expect(letters.map((l) => Number(l.agenda_seq)), story).to.deep.equal(letters.map((_, i) => i + 1));
        // Every record points to a blob that is on disk with the bytes its name promises.
        expect(blobRows, story).to.have.members([...new Set(files.map((f) => f.blob_sha))]);
        for (const sha of blobRows) {
          const p = objectPath(blobDir, sha);
          expect(fs.existsSync(p), `${sha}\n${story}`).to.equal(true);
          expect(sha256Of(await fsp.readFile(p)), `${sha}\n${story}`).to.equal(sha);
        }

        let r = await naskah(['blobs:verify'], env);
        expect(r.code, `${describeRun(r)}\n${story}`).to.equal(0);
        expect(r.stdout.trim()).to.equal(`${blobRows.length} berkas diperiksa; 0 hilang, 0 rusak.`);

        // Orphans: blobs written by a process killed before its registration committed.
        const onDisk = filesIn(blobDir);
        const orphans = onDisk.filter((sha) => !blobRows.includes(sha));
        const uncommittedPuts = rounds.flatMap((x) => x.puts).filter((sha) => !blobRows.includes(sha));
        expect(orphans, story).to.include.members(uncommittedPuts);
        r = await naskah(['blobs:sweep', '--grace-hours', '0'], env);
        expect(r.code, describeRun(r)).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^Dihapus: ${orphans.length} berkas yatim;`), `${describeRun(r)}\n${story}`);
        expect(filesIn(blobDir), story).to.deep.equal(blobRows);
        expect(fs.readdirSync(path.join(blobDir, 'tmp')), 'temporaries of killed writes').to.deep.equal([]);
        for (const sha of blobRows) expect(sha256Of(await fsp.readFile(objectPath(blobDir, sha))), sha).to.equal(sha);

        r = await naskah(['audit:verify'], env);
        expect(r.code, `${describeRun(r)}\n${story}`).to.equal(0);

        // And blobs:verify does fail, naming them, once a blob is damaged or gone.
        const [damaged, gone] = blobRows;
        const bytes = fs.readFileSync(objectPath(blobDir, damaged));
        bytes[bytes.length - 10] ^= 0x01;
        fs.writeFileSync(objectPath(blobDir, damaged), bytes);
        fs.rmSync(objectPath(blobDir, gone));
        r = await naskah(['blobs:verify'], env);
        expect(r.code, describeRun(r)).to.equal(1);
        expect(r.stderr).to.include(`HILANG  ${gone}`);
        expect(r.stderr).to.include(`RUSAK   ${damaged}`);
        expect(r.stdout.trim()).to.equal(`${blobRows.length} berkas diperiksa; 1 hilang, 1 rusak.`);
      } finally {
        await s.close();
      }
    });
  });
});

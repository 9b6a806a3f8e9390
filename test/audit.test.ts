import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Op, QueryTypes, Sequelize } from 'sequelize';
import { AuditEvent, Blob, IncomingLetter, InboxItem, LetterFile } from '../models';
import { db } from '../platform/db';
import { blobStore } from '../platform/blobstore';
import { today } from '../platform/dates';
import { verifyChain } from '../platform/audit';
import { currentValue } from '../platform/sequences';
import { registerLetter } from '../modules/surat-masuk/letterRegistrar';
import { ValidationError } from '../platform/errors';
import type { LetterForm } from '../modules/surat-masuk/letterFields';
import { actorOf, buildAgency, buildLetter, pdfBytes, positionByRole, uniq } from './helpers/factories';
import { childEnv, describeRun, naskah } from './fixtures/proc';

const CHAIN = 'audit-chain';
const EDITED = 'isi kejadian tidak cocok dengan hash-nya (kejadian diubah)';
const PREV = 'prev_hash tidak sama dengan hash kejadian sebelumnya (urutan diubah atau kejadian dihapus)';
const gap = (expected: number, found: number) => `urutan terputus: diharapkan seq ${expected}, ditemukan ${found} (ada kejadian yang dihapus atau dipindah)`;
const tail = (last: number, head: number) => `rantai berakhir di seq ${last}, penghitung mencatat ${head} (kejadian terakhir dihapus)`;

/** Scans this file put in the blob store; those left without a record are removed afterwards. */
const putShas: string[] = [];

/** Register a letter through the real registrar with a fresh scan. */
async function register(form: LetterForm = {}, submissionKey = crypto.randomBytes(16).toString('hex')) {
  const blob = await blobStore().putBuffer(pdfBytes());
  putShas.push(blob.sha256);
  const agencyId = form.newSenderName ? '' : String((await buildAgency()).id);
  const result = await registerLetter({
    actor: await actorOf('sekretariat'), submissionKey, confirmDuplicate: true,
    files: [{ ...blob, mime: 'application/pdf', originalName: 'scan.pdf', kind: 'scan' }],
    form: {
      senderNumber: uniq('000.5/'), letterDate: today(), receivedDate: today(), senderAgencyId: agencyId,
      perihal: uniq('Permohonan audit '), sifat: 'biasa', urgensi: 'biasa', klasifikasi: '400.14.2.1', jenisNaskah: 'surat_permohonan',
      lampiran: '', summary: '', addressedPositionId: String((await positionByRole('kepala')).id), ...form,
    },
  });
  return { blob, submissionKey, ...result };
}

const eventCount = () => AuditEvent.count();
const headSeq = () => currentValue(CHAIN);
const agendaCounter = () => currentValue(`agenda-surat-masuk:${today().slice(0, 4)}`);

/** Whole rows (every column, as the model reads them) of the events with these seqs. */
async function snapshot(seqs: number[]): Promise<Record<string, unknown>[]> {
  const rows = await AuditEvent.findAll({ where: { seq: seqs }, order: [['seq', 'ASC']] });
  expect(rows.map((r) => r.seq), 'events to snapshot').to.deep.equal([...seqs].sort((a, b) => a - b));
  return rows.map((r) => r.get({ plain: true }));
}

/** Put the snapshotted rows back exactly as they were (same id, seq, fields, hashes). */
async function restore(snap: Record<string, unknown>[]): Promise<void> {
  const ids = snap.map((r) => r.id as number);
  const seqs = snap.map((r) => r.seq as number);
  await AuditEvent.destroy({ where: { [Op.or]: [{ id: ids }, { seq: seqs }] } });
  await AuditEvent.bulkCreate(snap as never[]);
  expect(await snapshot(seqs), 'restored events').to.deep.equal(snap);
}

/** Run a tamper, hand the resulting report to `check`, and always put the rows back. */
async function tampered(seqs: number[], tamper: () => Promise<unknown>, check: (r: Awaited<ReturnType<typeof verifyChain>>) => void): Promise<void> {
  const snap = await snapshot(seqs);
  try {
    await tamper();
    check(await verifyChain());
  } finally {
    await restore(snap);
  }
  expect((await verifyChain()).problems, 'chain after restoring').to.deep.equal([]);
}

const q = (sql: string, replacements: unknown[]) => db().query(sql, { replacements });

describe('Audit log', () => {
  describe('every change writes its event in the same transaction', () => {
    it('a successful registration writes exactly one surat_masuk.diregistrasi, next in the chain', async () => {
      const before = await eventCount();
      const head = await headSeq();
      const { letter, created } = await register();
      expect(created).to.equal(true);
      expect(await eventCount()).to.equal(before + 1);
      const events = await AuditEvent.findAll({ where: { seq: { [Op.gt]: head } } });
      expect(events.map((e) => [e.seq, e.action, e.entityType, e.entityId])).to.deep.equal([[head + 1, 'surat_masuk.diregistrasi', 'incoming_letter', String(letter.id)]]);
      expect(events[0].data('after')).to.include({ agendaNumber: letter.agendaNumber, perihal: letter.perihal });
      expect(await headSeq()).to.equal(head + 1);
    });

    it('a registration with a new sender writes instansi.dibuat and surat_masuk.diregistrasi together', async () => {
      const head = await headSeq();
      const name = uniq('Dinas Baru ');
      const { letter } = await register({ newSenderName: name, newSenderKind: 'skpd' });
      const events = await AuditEvent.findAll({ where: { seq: { [Op.gt]: head } }, order: [['seq', 'ASC']] });
      expect(events.map((e) => [e.seq, e.action])).to.deep.equal([[head + 1, 'instansi.dibuat'], [head + 2, 'surat_masuk.diregistrasi']]);
      expect(events[0].entityId).to.equal(String(letter.senderAgencyId));
      expect(events[0].data('after')).to.include({ name });
    });

    it('a registration refused by validation writes no event', async () => {
      const before = await eventCount();
      const head = await headSeq();
      let err: unknown;
      try { await register({ perihal: '' }); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).fields).to.have.property('perihal');
      expect(await eventCount()).to.equal(before);
      expect(await headSeq()).to.equal(head);
    });

    for (const [where, model] of [['while writing the audit event', AuditEvent], ['before the audit event (inbox item)', InboxItem]] as const) {
      it(`a registration failing ${where} leaves no letter, no event and no used number`, async () => {
        const state = async () => ({
          events: await eventCount(), head: await headSeq(), agenda: await agendaCounter(),
          letters: await IncomingLetter.count(), files: await LetterFile.count(), items: await InboxItem.count(), blobs: await Blob.count(),
        });
        const before = await state();
        const key = crypto.randomBytes(16).toString('hex');
        const hookName = `audit-test-fail-${uniq()}`;
        // A failure inside the registration's transaction, after the letter row was written.
        db().addHook('beforeCreate', hookName, (instance: unknown) => {
          if (instance instanceof model) throw new Error('disk penuh (simulasi)');
        });
        let err: unknown;
        try {
          await register({}, key).catch((e: unknown) => { err = e; });
        } finally {
          db().removeHook('beforeCreate', hookName);
        }
        expect(err, 'registration should fail').to.be.instanceOf(Error);
        expect((err as Error).message).to.equal('disk penuh (simulasi)');
        expect(await state()).to.deep.equal(before);
        expect(await IncomingLetter.count({ where: { submissionKey: key } })).to.equal(0);
        // The scan stays in the store as an orphan, for the sweep: never a record without its file.
        expect(await blobStore().exists(putShas[putShas.length - 1])).to.equal(true);

        // Retrying the same submission now succeeds, taking the numbers the failed attempt gave back.
        const retry = await register({}, key);
        expect(retry.created).to.equal(true);
        expect(retry.letter.agendaSeq).to.equal(before.agenda + 1);
        expect(await headSeq()).to.equal(before.head + 1);
        const ev = await AuditEvent.findAll({ where: { seq: { [Op.gt]: before.head } } });
        expect(ev.map((e) => [e.seq, e.action, e.entityId])).to.deep.equal([[before.head + 1, 'surat_masuk.diregistrasi', String(retry.letter.id)]]);
        expect(await Blob.findByPk(retry.blob.sha256)).to.not.equal(null);
        expect((await verifyChain()).problems).to.deep.equal([]);
      });
    }

    after(async () => {
      for (const sha of putShas) if (!(await Blob.findByPk(sha))) await blobStore().remove(sha);
    });
  });

  describe('verifyChain', () => {
    /** Seqs of a few consecutive events in the middle of the chain, created here. */
    let mid: number[] = [];

    before(async () => {
      for (let i = 0; i < 4; i++) await buildLetter();
      const head = await headSeq();
      mid = [head - 3, head - 2, head - 1];
      expect(mid[0]).to.be.greaterThan(1);
    });

    it('passes on a clean chain, counting every event', async () => {
      const { count, problems } = await verifyChain();
      expect(problems).to.deep.equal([]);
      expect(count).to.equal(await eventCount());
      expect(count).to.equal(await headSeq());
    });

    it('walks the chain in batches the same way', async () => {
      const { count, problems } = await verifyChain(2);
      expect(problems).to.deep.equal([]);
      expect(count).to.equal(await headSeq());
    });

    it('detects an edited event', async () => {
      const seq = mid[1];
      const [row] = await db().query<{ after: string }>('SELECT `after` FROM audit_events WHERE seq = ?', { replacements: [seq], type: QueryTypes.SELECT });
      const forged = JSON.stringify({ ...JSON.parse(row.after), perihal: 'Perihal yang dipalsukan' });
      await tampered([seq], () => q('UPDATE audit_events SET `after` = ? WHERE seq = ?', [forged, seq]), (r) => {
        expect(r.problems).to.deep.equal([{ seq, problem: EDITED }]);
      });
    });

    it('detects an edited actor or time, not only the snapshot', async () => {
      const seq = mid[0];
      await tampered([seq], () => q('UPDATE audit_events SET actor_user_id = NULL, actor_position_id = NULL WHERE seq = ?', [seq]), (r) => {
        expect(r.problems).to.deep.equal([{ seq, problem: EDITED }]);
      });
      const ev = await AuditEvent.findOne({ where: { seq } });
      await tampered([seq], () => AuditEvent.update({ at: new Date(ev!.at.getTime() - 86_400_000) }, { where: { seq } }), (r) => {
        expect(r.problems).to.deep.equal([{ seq, problem: EDITED }]);
      });
    });

    it('detects a deleted event in the middle', async () => {
      const seq = mid[1];
      const head = await headSeq();
      await tampered([seq], () => q('DELETE FROM audit_events WHERE seq = ?', [seq]), (r) => {
        expect(r.problems).to.deep.equal([{ seq: seq + 1, problem: gap(seq, seq + 1) }, { seq: seq + 1, problem: PREV }]);
        expect(r.count).to.equal(head - 1);
      });
    });

    it('detects a deleted last event through the counter', async () => {
      const last = await headSeq();
      await tampered([last], () => q('DELETE FROM audit_events WHERE seq = ?', [last]), (r) => {
        expect(r.problems).to.deep.equal([{ seq: null, problem: tail(last - 1, last) }]);
      });
    });

    it('detects two events reordered by swapping their seq', async () => {
      const [a, b] = [mid[0], mid[1]];
      await tampered([a, b], async () => {
        await q('UPDATE audit_events SET seq = ? WHERE seq = ?', [-1, a]);
        await q('UPDATE audit_events SET seq = ? WHERE seq = ?', [a, b]);
        await q('UPDATE audit_events SET seq = ? WHERE seq = ?', [b, -1]);
      }, (r) => {
        expect(r.problems.filter((p) => p.seq === a).map((p) => p.problem)).to.have.members([PREV, EDITED]);
        expect(r.problems.filter((p) => p.seq === b).map((p) => p.problem)).to.have.members([PREV, EDITED]);
        expect(r.problems.every((p) => p.seq !== null && p.seq >= a && p.seq <= b + 1)).to.equal(true);
      });
    });

    it('detects two events reordered by swapping their contents (seq kept, hashes carried along)', async () => {
      const [a, b] = [mid[1], mid[2]];
      const cols = ['at', 'actor_user_id', 'actor_position_id', 'acting', 'action', 'entity_type', 'entity_id', '`before`', '`after`', 'ip', 'prev_hash', 'hash'];
      await tampered([a, b], async () => {
        // Swap every column but id and seq, with the ids as handles: a reordering that leaves seq gapless.
        const [ra, rb] = await db().query<{ id: number }>('SELECT id FROM audit_events WHERE seq IN (?, ?) ORDER BY seq', { replacements: [a, b], type: QueryTypes.SELECT });
        const tmp = await db().query<Record<string, unknown>>(`SELECT id, ${cols.join(', ')} FROM audit_events WHERE id IN (?, ?)`, { replacements: [ra.id, rb.id], type: QueryTypes.SELECT });
        const byId = new Map(tmp.map((r) => [r.id as number, r]));
        const set = cols.map((c) => `${c} = ?`).join(', ');
        const vals = (r: Record<string, unknown>) => cols.map((c) => r[c.replace(/`/g, '')]);
        await q(`UPDATE audit_events SET ${set} WHERE id = ?`, [...vals(byId.get(rb.id)!), ra.id]);
        await q(`UPDATE audit_events SET ${set} WHERE id = ?`, [...vals(byId.get(ra.id)!), rb.id]);
      }, (r) => {
        expect(r.problems.filter((p) => p.seq === a).map((p) => p.problem)).to.have.members([PREV, EDITED]);
        expect(r.problems.filter((p) => p.seq === b).map((p) => p.problem)).to.have.members([PREV, EDITED]);
        expect(r.problems.some((p) => p.problem.startsWith('urutan terputus'))).to.equal(false);
      });
    });

    after(async () => {
      const { count, problems } = await verifyChain();
      expect(problems, 'the shared chain is intact after the tamper tests').to.deep.equal([]);
      expect(count).to.equal(await headSeq());
    });
  });

  describe('naskah audit:verify', function () {
    this.timeout(180_000);
    let dir: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-audit-cli-'));
      env = childEnv({ DB_URL: `sqlite:${path.join(dir, 'n.sqlite')}`, BLOB_DIR: path.join(dir, 'blobs') });
      const r = await naskah(['seed', '--demo'], env);
      expect(r.code, describeRun(r)).to.equal(0);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('exits 0 on an intact log and 1 with the problems in Indonesian after tampering', async () => {
      let r = await naskah(['audit:verify'], env);
      expect(r.code, describeRun(r)).to.equal(0);
      const m = /^Log audit utuh: (\d+) kejadian, rantai hash cocok\.$/m.exec(r.stdout);
      expect(m, describeRun(r)).to.not.equal(null);
      const total = Number(m![1]);
      expect(total).to.be.greaterThan(3);

      const file = new Sequelize({ dialect: 'sqlite', storage: path.join(dir, 'n.sqlite'), logging: false });
      try {
        await file.query("UPDATE audit_events SET `after` = '{\"perihal\":\"dipalsukan\"}' WHERE seq = 2");
        await file.query('DELETE FROM audit_events WHERE seq = ?', { replacements: [total] });
      } finally {
        await file.close();
      }
      r = await naskah(['audit:verify'], env);
      expect(r.code, describeRun(r)).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr.trim().split('\n')).to.deep.equal([
        `Log audit RUSAK: 2 masalah dari ${total - 1} kejadian:`,
        `  seq 2: ${EDITED}`,
        `  (akhir): ${tail(total - 1, total)}`,
      ]);
    });
  });
});

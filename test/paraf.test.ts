import { expect } from 'chai';
import { AuditEvent, Notification, OutgoingLetter, OutgoingParaf, Position, Unit, User } from '../models';
import { signIn, textOf } from './helpers/app';
import { actorOf, buildPosition, buildUnit, buildUser, positionByRole, uniq } from './helpers/factories';
import { demoChain, postOn } from './helpers/outgoing';
import { createDraft } from '../modules/surat-keluar/outgoingDraftCreator';
import { updateDraft } from '../modules/surat-keluar/outgoingDraftEditor';
import { submitDraft } from '../modules/surat-keluar/draftSubmitter';
import { giveParaf } from '../modules/surat-keluar/parafGiver';
import { returnDraft } from '../modules/surat-keluar/draftReturner';
import { defaultChain } from '../modules/surat-keluar/parafChain';
import { contentOf, currentSteps } from '../modules/surat-keluar/outgoingCommon';
import { draftHtml } from '../modules/surat-keluar/outgoingDoc';
import { verifyChain } from '../platform/audit';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../platform/errors';
import type { Actor } from '../platform/actor';

/**
 * The paraf chain (issue #4): up to three verifiers in rising rank, then the signer; each in
 * order gives paraf or returns the draft with a note; a paraf is bound to the version's hash, so
 * an edit voids earlier parafs and the chain restarts from the first voided verifier.
 */
describe('Surat Keluar: the paraf chain', function () {
  this.timeout(60_000);

  const values = { subdomain: 'uji.sindangrajakab.go.id', keputusan: 'aktif', tanggalAktif: '2026-11-20' };

  async function draftBy(actor: Actor, chain?: { verifiers: string[]; signer: string; signingForm?: string }, extra: Record<string, unknown> = {}) {
    const via = actor.holdings[0].positionId;
    const def = await defaultChain(via);
    const { letter } = await createDraft({
      actor, viaPositionId: via, templateKey: 'balasan-subdomain', replyToLetterId: null, submissionKey: null,
      form: {
        perihal: uniq('Balasan Permohonan Subdomain '), klasifikasi: '400.14.2.1', sifat: 'biasa', urgensi: 'biasa',
        kepada: [''], kepadaText: ['Kepala Dinas Uji'], values,
        verifiers: chain?.verifiers ?? def.verifierIds.map(String), signer: chain?.signer ?? String(def.signerId), signingForm: chain?.signingForm ?? def.signingForm ?? 'biasa',
        ...extra,
      },
    });
    return letter;
  }

  const refresh = (l: OutgoingLetter) => OutgoingLetter.findByPk(l.id) as Promise<OutgoingLetter>;
  const paraf = async (login: string | Actor, l: OutgoingLetter, note = '') => {
    const cur = await refresh(l);
    return giveParaf({ actor: typeof login === 'string' ? await actorOf(login) : login, letterId: l.id, versionHash: cur.currentHash, note });
  };
  const submit = async (login: string, l: OutgoingLetter) => submitDraft({ actor: await actorOf(login), letterId: l.id, expectedLockVersion: (await refresh(l)).lockVersion });
  async function edit(login: string, l: OutgoingLetter, body: string) {
    const cur = await refresh(l);
    const c = await contentOf(cur);
    const steps = await currentSteps(cur.id);
    return updateDraft({
      actor: await actorOf(login), letterId: cur.id, expectedLockVersion: cur.lockVersion, regenerate: false,
      form: {
        perihal: c.perihal, klasifikasi: c.klasifikasiCode, jenisNaskah: c.jenisNaskahCode, sifat: c.sifat, urgensi: c.urgensi, lampiran: c.lampiran ?? '', bodyHtml: body,
        kepada: c.kepada.map(() => ''), kepadaText: c.kepada.map((r) => r.name), tembusan: [], tembusanText: [], values: c.templateValues,
        verifiers: steps.map((s) => String(s.positionId)), signer: String(c.signerPositionId ?? ''), signingForm: c.signingForm ?? 'biasa',
      },
    });
  }
  const stepStates = async (l: OutgoingLetter) => (await currentSteps(l.id)).map((s) => s.status);
  async function expectRefused(p: Promise<unknown>, type: typeof ConflictError | typeof ForbiddenError | typeof ValidationError | typeof NotFoundError, text: string) {
    try { await p; } catch (err) {
      expect(err).to.be.instanceOf(type);
      expect((err as Error).message + JSON.stringify((err as ValidationError).fields ?? {})).to.include(text);
      return;
    }
    expect.fail(`expected a refusal containing "${text}"`);
  }

  it('the default chain follows the hierarchy: the drafter\'s superiors below the head, the head signs', async () => {
    const { staf, kasi, kabid, kadis } = await demoChain();
    expect(await defaultChain(staf.id)).to.deep.equal({ verifierIds: [kasi.id, kabid.id], signerId: kadis.id, signingForm: 'biasa' });
    expect(await defaultChain(kasi.id)).to.deep.equal({ verifierIds: [kabid.id], signerId: kadis.id, signingForm: 'biasa' });
    expect(await defaultChain(kadis.id)).to.deep.equal({ verifierIds: [], signerId: kadis.id, signingForm: 'biasa' });
  });

  it('staf drafts; Kasi then Kabid give paraf in order; the Kepala Dinas finds it ready to sign', async () => {
    const { kasi, kabid, kadis } = await demoChain();
    const draft = await draftBy(await actorOf('staf.egov1'));
    const r = await submit('staf.egov1', draft);
    expect(r).to.deep.equal({ status: 'dalam_paraf', holderName: kasi.name });
    expect((await refresh(draft)).currentHolderPositionId).to.equal(kasi.id);

    // The Kasi's navigation counts it and "Menunggu paraf saya" lists it.
    const kasiAgent = await signIn('kasi.egov');
    const home = await kasiAgent.get('/surat-keluar?tab=paraf');
    expect(home.text).to.include(`data-draft-id="${draft.id}"`);
    expect(home.text).to.match(/data-testid="konsep-count">\d+</);
    const n = await Notification.findOne({ where: { userId: (await User.findOne({ where: { username: 'kasi.egov' } }))!.id, kind: 'konsep_paraf', url: `/surat-keluar/${draft.id}` } });
    expect(n).to.not.equal(null);

    // Out of order: the Kabid first.
    await expectRefused(paraf('kabid', draft), ConflictError, `Belum giliran Anda: konsep ini masih menunggu paraf ${kasi.name}`);
    const kabidAgent = await signIn('kabid');
    const early = await postOn(kabidAgent, draft.id, '/paraf', { versionHash: (await refresh(draft)).currentHash });
    expect(early.status).to.equal(303);
    expect(textOf((await kabidAgent.get(`/surat-keluar/${draft.id}`)).text)).to.include('Belum giliran Anda');
    expect(await stepStates(draft)).to.deep.equal(['menunggu', 'menunggu']);

    const viaHttp = await postOn(kasiAgent, draft.id, '/paraf', { versionHash: (await refresh(draft)).currentHash, note: 'Sudah sesuai.' });
    expect(viaHttp.status).to.equal(303);
    const after = await kasiAgent.get(`/surat-keluar/${draft.id}`);
    expect(textOf(after.text)).to.include(`Paraf diberikan. Konsep diteruskan kepada ${kabid.name}.`);
    await expectRefused(paraf('kasi.egov', draft), ConflictError, 'Anda sudah memberi paraf pada versi konsep ini');
    expect((await paraf('kabid', draft)).status).to.equal('siap_ttd');
    const done = await refresh(draft);
    expect(done.status).to.equal('siap_ttd');
    expect(done.currentHolderPositionId).to.equal(kadis.id);
    const steps = await currentSteps(draft.id);
    expect(steps.map((s) => [s.status, s.versionHash])).to.deep.equal([['paraf', done.currentHash], ['paraf', done.currentHash]]);

    const kadisAgent = await signIn('kadis');
    const ready = await kadisAgent.get('/surat-keluar?tab=ttd');
    expect(ready.text).to.include(`data-draft-id="${draft.id}"`);
    const page = textOf((await kadisAgent.get(`/surat-keluar/${draft.id}`)).text);
    expect(page).to.include('Siap ditandatangani').and.include('Semua paraf lengkap');
    // The preview carries both paraf marks, still with the KONSEP watermark.
    const html = await draftHtml(done);
    expect(html).to.include('KONSEP');
    const events = await AuditEvent.findAll({ where: { entityType: 'outgoing_letter', entityId: String(draft.id), action: 'surat_keluar.paraf' } });
    expect(events.map((e) => e.actorPositionId)).to.deep.equal([kasi.id, kabid.id]);
  });

  it('paraf by someone outside the chain, by the drafter or the signer, and on a stale version: refused', async () => {
    const draft = await draftBy(await actorOf('staf.egov1'));
    await submit('staf.egov1', draft);
    const outsider = await signIn('kasi.idc');
    const r = await postOn(outsider, draft.id, '/paraf', { versionHash: (await refresh(draft)).currentHash });
    expect(r.status).to.equal(404);
    await expectRefused(paraf('staf.egov1', draft), ForbiddenError, 'Anda tidak termasuk dalam rantai paraf');
    const drafterAgent = await signIn('staf.egov1');
    const own = await postOn(drafterAgent, draft.id, '/paraf', { versionHash: (await refresh(draft)).currentHash });
    expect(own.status).to.equal(403);
    // The signer does not see the draft before every paraf is in.
    await expectRefused(paraf('kadis', draft), NotFoundError, 'Konsep surat tidak ditemukan');
    expect((await (await signIn('kadis')).get(`/surat-keluar/${draft.id}`)).status).to.equal(404);
    await expectRefused(giveParaf({ actor: await actorOf('kasi.egov'), letterId: draft.id, versionHash: 'f'.repeat(64) }), ConflictError, 'Konsep sudah diubah sejak Anda membukanya');
    expect(await stepStates(draft)).to.deep.equal(['menunggu', 'menunggu']);
  });

  it('a return needs a note; the drafter fixes it (a new version voids the earlier paraf) and resubmits; the chain restarts at the first voided verifier', async () => {
    const { kasi, kabid } = await demoChain();
    const draft = await draftBy(await actorOf('staf.egov1'));
    await submit('staf.egov1', draft);
    await paraf('kasi.egov', draft);
    await expectRefused(returnDraft({ actor: await actorOf('kabid'), letterId: draft.id, note: '  ', versionHash: (await refresh(draft)).currentHash }), ValidationError, 'Tulis catatan');
    const kabidAgent = await signIn('kabid');
    const noNote = await postOn(kabidAgent, draft.id, '/kembalikan', { versionHash: (await refresh(draft)).currentHash, note: '' });
    expect(noNote.status).to.equal(422);
    expect(textOf(noNote.text)).to.include('Tulis catatan');
    const ok = await postOn(kabidAgent, draft.id, '/kembalikan', { versionHash: (await refresh(draft)).currentHash, note: 'Sebutkan alamat IP server.' });
    expect(ok.status).to.equal(303);
    let cur = await refresh(draft);
    expect(cur.status).to.equal('dikembalikan');
    expect(cur.currentHolderPositionId).to.equal(cur.drafterPositionId);
    expect(await stepStates(draft)).to.deep.equal(['paraf', 'menunggu']);
    const drafterAgent = await signIn('staf.egov1');
    const page = await drafterAgent.get(`/surat-keluar/${draft.id}`);
    expect(textOf(page.text)).to.include(`Dikembalikan oleh ${kabid.name}`).and.include('Sebutkan alamat IP server.');
    // The verifiers cannot give paraf while it is with the drafter.
    await expectRefused(paraf('kabid', draft), ConflictError, 'tidak sedang menunggu paraf');

    const e = await edit('staf.egov1', draft, '<p>Subdomain telah aktif dan diarahkan ke alamat IP 10.10.1.20.</p>');
    expect(e.versionNo).to.equal(2);
    expect(e.voided).to.deep.equal([kasi.id]);
    const all = await OutgoingParaf.findAll({ where: { letterId: draft.id }, order: [['id', 'ASC']] });
    expect(all.map((s) => [s.stepNo, s.status])).to.deep.equal([[1, 'batal'], [2, 'dikembalikan'], [2, 'menunggu'], [1, 'menunggu']]);
    expect(all.find((s) => s.status === 'dikembalikan')!.note).to.equal('Sebutkan alamat IP server.');
    const back = await submit('staf.egov1', draft);
    expect(back.holderName).to.equal(kasi.name);
    await paraf('kasi.egov', draft);
    expect((await paraf('kabid', draft)).status).to.equal('siap_ttd');
    cur = await refresh(draft);
    const steps = await currentSteps(draft.id);
    expect(steps.map((s) => s.versionNo)).to.deep.equal([2, 2]);
    const returns = await AuditEvent.findAll({ where: { entityType: 'outgoing_letter', entityId: String(draft.id), action: 'surat_keluar.dikembalikan' } });
    expect(returns).to.have.length(1);
    expect(returns[0].data('after')).to.include({ catatan: 'Sebutkan alamat IP server.' });
  });

  it('resubmitting unchanged after a return keeps the parafs on that version and goes to the verifier who returned it', async () => {
    const { kabid } = await demoChain();
    const draft = await draftBy(await actorOf('staf.egov1'));
    await submit('staf.egov1', draft);
    await paraf('kasi.egov', draft);
    await returnDraft({ actor: await actorOf('kabid'), letterId: draft.id, note: 'Mohon dicek ulang.', versionHash: (await refresh(draft)).currentHash });
    const r = await submit('staf.egov1', draft);
    expect(r.holderName).to.equal(kabid.name);
    expect(await stepStates(draft)).to.deep.equal(['paraf', 'menunggu']);
  });

  it('a verifier may edit while holding it: a new version; an edit by the Kabid voids the Kasi\'s paraf and sends it back to the Kasi', async () => {
    const { kasi } = await demoChain();
    const draft = await draftBy(await actorOf('staf.egov1'));
    await submit('staf.egov1', draft);
    // The Kasi edits before giving paraf: nothing voided, the Kasi keeps it.
    const k = await edit('kasi.egov', draft, '<p>Perbaikan redaksi oleh Kasi.</p>');
    expect(k).to.include({ versionNo: 2, holderChanged: false });
    await paraf('kasi.egov', draft);
    // The drafter may not edit while the Kabid holds it.
    await expectRefused(edit('staf.egov1', draft, '<p>Diam-diam.</p>'), ForbiddenError, 'sedang dipegang oleh Kepala Bidang');
    const b = await edit('kabid', draft, '<p>Perbaikan redaksi oleh Kabid.</p>');
    expect(b).to.include({ versionNo: 3, holderChanged: true });
    const cur = await refresh(draft);
    expect(cur.status).to.equal('dalam_paraf');
    expect(cur.currentHolderPositionId).to.equal(kasi.id);
    expect(await stepStates(draft)).to.deep.equal(['menunggu', 'menunggu']);
    const kasiUserId = (await User.findOne({ where: { username: 'kasi.egov' } }))!.id;
    expect(await Notification.count({ where: { userId: kasiUserId, kind: 'konsep_paraf', url: `/surat-keluar/${draft.id}` } })).to.equal(2);
    await paraf('kasi.egov', draft);
    expect((await paraf('kabid', draft)).status).to.equal('siap_ttd');
    // The signer editing a ready letter voids every paraf: it goes back to the first verifier.
    const s = await edit('kadis', draft, '<p>Perbaikan oleh Kepala Dinas.</p>');
    expect(s.voided).to.have.length(2);
    const again = await refresh(draft);
    expect([again.status, again.currentHolderPositionId]).to.deep.equal(['dalam_paraf', kasi.id]);
  });

  it('the chain is checked: rising rank, at most three, no repeats, a signer above the verifiers, a signing form that fits', async () => {
    const { staf, kasi, kabid, kadis } = await demoChain();
    const sekretaris = await positionByRole('sekretaris');
    const actor = await actorOf('staf.egov1');
    await expectRefused(draftBy(actor, { verifiers: [String(kabid.id), String(kasi.id)], signer: String(kadis.id) }), ValidationError, 'dari jabatan terendah ke tertinggi');
    await expectRefused(draftBy(actor, { verifiers: [String(kasi.id), String(kasi.id)], signer: String(kadis.id) }), ValidationError, 'hanya boleh muncul sekali');
    await expectRefused(draftBy(actor, { verifiers: [String(staf.id)], signer: String(kadis.id) }), ValidationError, 'tidak memberi paraf pada konsepnya sendiri');
    await expectRefused(draftBy(actor, { verifiers: [String(kabid.id)], signer: String(kasi.id) }), ValidationError, 'setingkat atau lebih tinggi');
    await expectRefused(draftBy(actor, { verifiers: [String(kasi.id), String(kabid.id), String(sekretaris.id), String(kadis.id)], signer: String(kadis.id) }), ValidationError, 'Paling banyak 3 pemaraf');
    await expectRefused(draftBy(actor, { verifiers: [], signer: String(kadis.id), signingForm: 'an' }), ValidationError, 'pimpinan tertinggi');
    // a.n.: the Sekretaris signs on behalf of the Kepala Dinas.
    const an = await draftBy(actor, { verifiers: [String(kasi.id)], signer: String(sekretaris.id), signingForm: 'an' });
    expect([an.signingForm, an.principalPositionId]).to.deep.equal(['an', kadis.id]);
    // Plt chosen while the position has its definitive holder: refused when submitted.
    const plt = await draftBy(actor, { verifiers: [String(kasi.id)], signer: String(kadis.id), signingForm: 'plt' });
    await expectRefused(submit('staf.egov1', plt), ValidationError, 'tidak sedang dijabat Plt.');
    // A draft without any addressee cannot be submitted.
    const empty = await draftBy(actor, undefined, { kepada: [''], kepadaText: [''] });
    await expectRefused(submit('staf.egov1', empty), ValidationError, 'Isi minimal satu tujuan surat');
    const agent = await signIn('staf.egov1');
    const res = await postOn(agent, empty.id, '/ajukan', { lockVersion: String(empty.lockVersion) });
    expect(res.status).to.equal(422);
    expect(textOf(res.text)).to.include('Konsep belum dapat diajukan').and.include('Isi minimal satu tujuan surat');
  });

  it('without verifiers the draft goes straight to the signer; only the drafter submits, and only once', async () => {
    const { kabid } = await demoChain();
    const draft = await draftBy(await actorOf('kasi.egov'), { verifiers: [], signer: String(kabid.id) });
    await expectRefused(submit('kabid', draft), ForbiddenError, 'Hanya pembuat konsep');
    const r = await submit('kasi.egov', draft);
    expect(r).to.deep.equal({ status: 'siap_ttd', holderName: kabid.name });
    await expectRefused(submit('kasi.egov', draft), ConflictError, 'sudah diajukan');
  });

  it('an acting (Plt) verifier gives paraf as Plt, recorded on the step, in the audit and on the letter', async () => {
    const dinas = await Unit.findOne({ where: { kind: 'dinas' } });
    const unit = await buildUnit({ name: uniq('Bidang Uji '), kind: 'bidang', parentId: dinas!.id });
    const head = await positionByRole('kepala');
    const kabidX = await buildPosition({ unitId: unit.id, role: 'kabid', rank: 2, superiorId: head.id, name: uniq('Kepala Bidang Uji ') });
    const kasiX = await buildPosition({ unitId: unit.id, role: 'kasi', rank: 3, superiorId: kabidX.id, name: uniq('Kepala Seksi Uji ') });
    const stafX = await buildPosition({ unitId: unit.id, role: 'staf', rank: 4, superiorId: kasiX.id, name: uniq('Staf Uji ') });
    const drafter = await buildUser({ positionId: stafX.id });
    const kasiUser = await buildUser({ positionId: kasiX.id });
    const pltKabid = await buildUser({ positionId: kabidX.id, kind: 'plt', name: uniq('Plt Kabid ') });
    const drafterActor = await actorOf(drafter);
    const draft = await draftBy(drafterActor);
    expect((await currentSteps(draft.id)).map((s) => s.positionId)).to.deep.equal([kasiX.id, kabidX.id]);
    await submitDraft({ actor: drafterActor, letterId: draft.id, expectedLockVersion: (await refresh(draft)).lockVersion });
    const kasiActor = await actorOf(kasiUser);
    await paraf(kasiActor, draft);
    const pltActor = await actorOf(pltKabid);
    expect(pltActor.holdings[0].kind).to.equal('plt');
    await paraf(pltActor, draft);
    const step = (await currentSteps(draft.id))[1];
    expect([step.status, step.acting, step.actedByUserId]).to.deep.equal(['paraf', 'plt', pltKabid.id]);
    const ev = await AuditEvent.findOne({ where: { entityType: 'outgoing_letter', entityId: String(draft.id), action: 'surat_keluar.paraf', actorUserId: pltKabid.id } });
    expect(ev!.acting).to.equal('plt');
    expect(await draftHtml(await refresh(draft))).to.include(`Plt. ${kabidX.name}`);
  });

  it('the drafter changes the chain after a return: parafs before the first changed step stand, later ones are voided', async () => {
    const { kasi, kabid, kadis } = await demoChain();
    const sekretaris = await positionByRole('sekretaris');
    const draft = await draftBy(await actorOf('staf.egov1'));
    await submit('staf.egov1', draft);
    await paraf('kasi.egov', draft);
    await returnDraft({ actor: await actorOf('kabid'), letterId: draft.id, note: 'Minta paraf Sekretaris juga.', versionHash: (await refresh(draft)).currentHash });
    const cur = await refresh(draft);
    const c = await contentOf(cur);
    const r = await updateDraft({
      actor: await actorOf('staf.egov1'), letterId: draft.id, expectedLockVersion: cur.lockVersion, regenerate: false,
      form: { perihal: c.perihal, klasifikasi: c.klasifikasiCode, jenisNaskah: c.jenisNaskahCode, sifat: c.sifat, urgensi: c.urgensi, bodyHtml: c.bodyHtml,
        kepada: [''], kepadaText: c.kepada.map((x) => x.name), values: c.templateValues,
        verifiers: [String(kasi.id), String(sekretaris.id), String(kabid.id)], signer: String(kadis.id), signingForm: 'biasa' },
    });
    expect(r).to.include({ chainChanged: true, versionNo: null });
    const steps = await currentSteps(draft.id);
    expect(steps.map((s) => [s.positionId, s.status])).to.deep.equal([[kasi.id, 'paraf'], [sekretaris.id, 'menunggu'], [kabid.id, 'menunggu']]);
    expect((await submit('staf.egov1', draft)).holderName).to.equal(sekretaris.name);
    expect(await AuditEvent.count({ where: { entityType: 'outgoing_letter', entityId: String(draft.id), action: 'surat_keluar.rantai_paraf' } })).to.equal(1);
  });

  it('two paraf requests at once (a double click, two tabs): one paraf, the other refused', async () => {
    const draft = await draftBy(await actorOf('staf.egov1'));
    await submit('staf.egov1', draft);
    const kasiActor = await actorOf('kasi.egov');
    const hash = (await refresh(draft)).currentHash;
    const results = await Promise.allSettled([1, 2, 3].map(() => giveParaf({ actor: kasiActor, letterId: draft.id, versionHash: hash })));
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(r.reason).to.be.instanceOf(ConflictError);
    expect(await OutgoingParaf.count({ where: { letterId: draft.id, status: 'paraf' } })).to.equal(1);
  });

  it('the drafter cancels a draft in the chain with a reason: steps voided, the verifier told, nothing more can happen to it', async () => {
    const staf = await actorOf('staf.egov1');
    const l = await draftBy(staf);
    await submit('staf.egov1', l);
    const holder = (await refresh(l)).currentHolderPositionId!;
    const kasi = await signIn('kasi.egov');
    // Only the drafter may cancel: the verifier holding it gets a refusal, not a cancelled draft.
    expect((await postOn(kasi, l.id, '/batalkan', { reason: 'bukan saya', lockVersion: String((await refresh(l)).lockVersion) })).status).to.equal(403);
    expect((await refresh(l)).status).to.equal('dalam_paraf');
    const agent = await signIn('staf.egov1');
    const empty = await postOn(agent, l.id, '/batalkan', { reason: '  ', lockVersion: String((await refresh(l)).lockVersion) });
    expect(empty.status).to.equal(422);
    expect(textOf(empty.text)).to.include('Tulis alasan pembatalan konsep.');
    const ok = await postOn(agent, l.id, '/batalkan', { reason: 'Permohonan ditarik oleh pemohon.', lockVersion: String((await refresh(l)).lockVersion) });
    expect(ok.status).to.equal(303);
    const after = await refresh(l);
    expect(after.status).to.equal('dibatalkan');
    expect(after.currentHolderPositionId).to.equal(null);
    expect(await OutgoingParaf.count({ where: { letterId: l.id, status: 'menunggu' } })).to.equal(0);
    expect(await OutgoingParaf.count({ where: { letterId: l.id, status: 'batal' } })).to.be.greaterThan(0);
    const kasiUser = await User.findOne({ where: { username: 'kasi.egov' } });
    expect(await Notification.count({ where: { userId: kasiUser!.id, kind: 'konsep_dibatalkan' } })).to.equal(1);
    expect(holder).to.equal((await actorOf('kasi.egov')).holdings[0].positionId);
    const [event] = await AuditEvent.findAll({ where: { action: 'surat_keluar.dibatalkan', entityId: String(l.id) } });
    expect(JSON.parse(event.after!)).to.include({ alasan: 'Permohonan ditarik oleh pemohon.' });
    // Gone from the verifier's list, and no paraf or new submission on it any more.
    expect(textOf((await kasi.get('/surat-keluar?tab=paraf')).text)).to.not.include(l.perihal);
    let err: unknown = null;
    try { await paraf('kasi.egov', l); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(Error);
    err = null;
    try { await submit('staf.egov1', l); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(ConflictError);
    expect(textOf((await agent.get(`/surat-keluar/${l.id}`)).text)).to.include('Dibatalkan').and.not.include('Batalkan konsep…');
  });

  it('every paraf and return is in the audit chain, which stays intact', async () => {
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.paraf' } })).to.be.greaterThan(3);
    expect(await AuditEvent.count({ where: { action: 'surat_keluar.dikembalikan' } })).to.be.greaterThan(0);
    expect((await verifyChain()).problems).to.deep.equal([]);
    expect(await Position.count()).to.be.greaterThan(0);
  });
});

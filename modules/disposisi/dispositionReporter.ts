import { Blob, CONFIDENTIAL, Disposition, DispositionReport, DispositionReportFile, IncomingLetter } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { notifyPosition } from '../../platform/notifier';
import { recipientHolding } from './policies/disposition';
import { assertStatus, lockDisposition, saveDisposition, settleInboxItem, moveLetter, letterSubject } from './dispositionCommon';
import type { Actor } from '../../platform/actor';
import type { StoredUpload } from '../../platform/uploads';

export interface ReportProps {
  actor: Actor; dispositionId: number; expectedVersion: number; body: string; files: StoredUpload[];
  /** true: the report is the result and the disposition is complete. */
  complete: boolean;
}

/**
 * dispositionReporter: a recipient writes a follow-up report (text and attachments) that goes
 * back up to the disposer, or completes the disposition with a result. A recalled or completed
 * disposition cannot be acted on; a stale form (version) is refused. Report, files, status,
 * inbox item, notification and audit event commit together.
 */
export async function reportOnDisposition(p: ReportProps): Promise<{ disposition: Disposition; report: DispositionReport }> {
  const body = (p.body ?? '').replace(/\r\n/g, '\n').trim();
  if (!body) throw new ValidationError({ body: p.complete ? 'Tuliskan hasil penyelesaian.' : 'Isi laporan wajib diisi.' });
  if (body.length > 10_000) throw new ValidationError({ body: 'Laporan maksimal 10.000 karakter.' });
  return tx(async (t) => {
    const d = await lockDisposition(t, p.dispositionId, p.expectedVersion);
    assertStatus(d, ['terkirim', 'dibaca', 'diproses'], p.complete ? 'diselesaikan' : 'dilaporkan');
    const holding = recipientHolding(p.actor, d);
    if (!holding) throw new ForbiddenError('Hanya penerima disposisi yang dapat melapor atau menyelesaikannya.');
    const at = now();
    const report = await DispositionReport.create({
      dispositionId: d.id, userId: p.actor.user.id, positionId: holding.positionId, acting: holding.kind === 'definitif' ? null : holding.kind,
      kind: p.complete ? 'penyelesaian' : 'laporan', body, createdAt: at,
    }, { transaction: t });
    for (const f of p.files) {
      await Blob.findOrCreate({ where: { sha256: f.sha256 }, defaults: { sha256: f.sha256, size: f.size, mime: f.mime }, transaction: t });
      await DispositionReportFile.create({ reportId: report.id, blobSha: f.sha256, originalName: f.originalName, mime: f.mime, size: f.size, createdAt: at }, { transaction: t });
    }
    const before = d.status;
    if (p.complete) {
      await saveDisposition(t, d, {
        status: 'selesai', completedAt: at, completedByUserId: p.actor.user.id, completedActing: holding.kind === 'definitif' ? null : holding.kind, result: body,
        ...(d.readAt ? {} : { readAt: at, readByUserId: p.actor.user.id }),
      });
      await settleInboxItem(t, d.letterId, d.toPositionId);
    } else {
      await saveDisposition(t, d, { status: 'diproses', ...(d.readAt ? {} : { readAt: at, readByUserId: p.actor.user.id }) });
    }
    const letter = await IncomingLetter.findByPk(d.letterId, { transaction: t });
    if (!letter) throw new NotFoundError();
    if (letter.status === 'didisposisi' && moveLetter(letter, 'diproses')) await letter.save({ transaction: t });
    await notifyPosition(t, d.fromPositionId, {
      kind: p.complete ? 'disposisi_selesai' : 'laporan_disposisi',
      title: `${p.complete ? 'Disposisi diselesaikan' : 'Laporan disposisi'}: ${letterSubject(letter)}`.slice(0, 300),
      body: CONFIDENTIAL.includes(letter.sifat) ? 'Buka Naskah untuk membaca laporannya.' : body.slice(0, 500), url: `/surat-masuk/${letter.id}#disposisi-${d.id}`, letterId: letter.id, dispositionId: d.id,
      dedupeKey: `laporan:${report.id}`,
    }, p.actor.user.id);
    await recordEvent(t, p.actor, {
      action: p.complete ? 'disposisi.diselesaikan' : 'disposisi.dilaporkan', entityType: 'incoming_letter', entityId: d.letterId,
      before: { disposition: d.id, status: before }, after: { disposition: d.id, status: d.status, report: report.id, files: p.files.map((f) => f.sha256), body },
      viaPositionIds: [d.toPositionId],
    });
    return { disposition: d, report };
  });
}

import { Op } from 'sequelize';
import { Blob } from '../models';
import { blobStore } from './blobstore';
import { now } from './clock';

export interface VerifyReport { checked: number; missing: string[]; corrupt: string[] }

/**
 * Re-hash every blob the database knows and report those whose bytes no longer match their
 * name, and those that are gone. Reads in batches; the store is never modified.
 */
export async function verifyBlobs(onProgress?: (n: number) => void): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, missing: [], corrupt: [] };
  let after = '';
  for (;;) {
    const rows = await Blob.findAll({ where: { sha256: { [Op.gt]: after } }, order: [['sha256', 'ASC']], limit: 500, attributes: ['sha256'] });
    if (!rows.length) break;
    for (const { sha256 } of rows) {
      report.checked++;
      if (!(await blobStore().exists(sha256))) report.missing.push(sha256);
      else if ((await blobStore().hash(sha256)) !== sha256) report.corrupt.push(sha256);
      onProgress?.(report.checked);
    }
    after = rows[rows.length - 1].sha256;
  }
  return report;
}

export interface SweepReport { orphans: number; removed: string[]; keptYoung: number; tmpRemoved: number }

/**
 * Remove blobs no record points to. A blob is written before its record commits (so a crash
 * never leaves a record without its file), and an upload waiting in a half-filled form has no
 * record yet; both are spared until they are older than the grace period.
 */
export async function sweepBlobs(graceMs: number, opts: { dryRun?: boolean } = {}): Promise<SweepReport> {
  const cutoff = now().getTime() - graceMs;
  const report: SweepReport = { orphans: 0, removed: [], keptYoung: 0, tmpRemoved: 0 };
  const candidates: string[] = [];
  for await (const b of blobStore().list()) {
    if (b.mtimeMs >= cutoff) continue;
    candidates.push(b.sha256);
  }
  for (let i = 0; i < candidates.length; i += 500) {
    const chunk = candidates.slice(i, i + 500);
    const known = new Set((await Blob.findAll({ where: { sha256: chunk }, attributes: ['sha256'] })).map((b) => b.sha256));
    for (const sha of chunk) {
      if (known.has(sha)) continue;
      report.orphans++;
      // Re-check right before deleting: a registration may have committed since the batch query.
      if (await Blob.findByPk(sha, { attributes: ['sha256'] })) continue;
      if (!opts.dryRun) await blobStore().remove(sha);
      report.removed.push(sha);
    }
  }
  for await (const b of blobStore().list()) if (b.mtimeMs >= cutoff) report.keptYoung++;
  if (!opts.dryRun) report.tmpRemoved = await blobStore().sweepTmp(graceMs);
  return report;
}

import fsp from 'node:fs/promises';
import path from 'node:path';
import { blobStore, sniffFile, ACCEPTED_TYPES, type AcceptedMime } from './blobstore';
import { scanPdf } from '../lib/pdf/pdfBounds';
import { Blob } from '../models';

/** A file as multer left it in the blob store's temporary directory. */
export interface TmpUpload { path: string; originalname: string; size: number; fieldname: string }

/** A file already in the blob store, not yet attached to a record. */
export interface StoredUpload {
  sha256: string; size: number; mime: AcceptedMime; originalName: string; kind: 'scan' | 'lampiran';
  /** This upload put the bytes in the store (they were not there before). */
  created?: boolean;
}

/**
 * Make a user-supplied file name safe to store and to send back in Content-Disposition:
 * no directories (either slash), no control characters, at most 180 characters with the
 * extension kept, and the extension matching the real type.
 */
export function cleanFileName(raw: string, mime: AcceptedMime): string {
  let name = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  name = name.replace(/[\u0000-\u001f\u007f"<>|*?:]/g, '').replace(/^\.+/, '').trim();
  const ext = ACCEPTED_TYPES[mime].ext;
  let base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  if (!base) base = 'berkas';
  if (base.length > 170) base = base.slice(0, 170);
  const wantExt = mime === 'image/jpeg' && /\.jpe?g$/i.test(name) ? name.slice(name.lastIndexOf('.') + 1) : ext;
  return `${base}.${wantExt}`;
}

export interface StoreOptions {
  /** The types this form takes (default: every accepted type). */
  accept?: AcceptedMime[];
  /** What to say when a file is of another accepted type, e.g. a PDF sent as an emblem. */
  acceptMessage?: (shown: string) => string;
  /**
   * Keep the good files of a batch with a bad one (the registration form holds them for the
   * next try). By default a batch is all or nothing: one refused file and none is stored.
   */
  partial?: boolean;
}

/**
 * Check uploaded files by their bytes (type from the content; a PDF's expansion bounded before
 * anything loads it) and move the good ones into the blob store. Returns the stored files and
 * an error message per rejected file; every temporary is deleted. Nothing is stored before all
 * files are checked, so a refused batch leaves nothing behind.
 */
export async function storeUploads(files: TmpUpload[], kindOf: (f: TmpUpload) => 'scan' | 'lampiran', opts: StoreOptions = {})
  : Promise<{ stored: StoredUpload[]; errors: { field: string; message: string }[] }> {
  const stored: StoredUpload[] = [];
  const errors: { field: string; message: string }[] = [];
  const good: { f: TmpUpload; mime: AcceptedMime }[] = [];
  try {
    for (const f of files) {
      const shown = path.basename(f.originalname.replace(/\\/g, '/')).slice(0, 80) || 'berkas';
      const problem = await checkUpload(f, shown, opts);
      if (typeof problem === 'string') errors.push({ field: f.fieldname, message: problem });
      else good.push({ f, mime: problem.mime });
    }
    if (errors.length && !opts.partial) return { stored, errors };
    for (const { f, mime } of good) {
      const { sha256, size, created } = await blobStore().putFile(f.path);
      stored.push({ sha256, size, mime, originalName: cleanFileName(f.originalname, mime), kind: kindOf(f), created });
    }
    return { stored, errors };
  } finally {
    for (const f of files) await fsp.rm(f.path, { force: true });
  }
}

async function checkUpload(f: TmpUpload, shown: string, opts: StoreOptions): Promise<string | { mime: AcceptedMime }> {
  if (f.size === 0) return `Berkas "${shown}" kosong (0 byte).`;
  const mime = await sniffFile(f.path);
  if (!mime) return `Berkas "${shown}" bukan PDF, JPEG, atau PNG (diperiksa dari isinya, bukan dari namanya).`;
  if (opts.accept && !opts.accept.includes(mime)) return opts.acceptMessage?.(shown) ?? `Berkas "${shown}" tidak dapat dipakai di sini (${ACCEPTED_TYPES[mime].label}).`;
  if (mime === 'application/pdf') {
    const scan = await scanPdf(await fsp.readFile(f.path));
    if (!scan.ok) return `Berkas "${shown}" ditolak: PDF ini ${scan.message}. Simpan ulang PDF-nya (mis. "Cetak ke PDF") lalu unggah lagi.`;
  }
  return { mime };
}

/**
 * Take back files stored for a command that then refused (a stale version, a closed case):
 * a blob this upload created and no record points to is removed at once instead of waiting
 * for the orphan sweep. A blob that existed before (the same bytes uploaded elsewhere) is left.
 */
export async function releaseUploads(stored: Pick<StoredUpload, 'sha256' | 'created'>[]): Promise<void> {
  for (const s of stored) {
    if (!s.created) continue;
    await blobStore().removeIfUnreferenced(s.sha256, async () => !!(await Blob.findByPk(s.sha256, { attributes: ['sha256'] })));
  }
}

export async function discardTmp(files: TmpUpload[] | undefined): Promise<void> {
  for (const f of files ?? []) await fsp.rm(f.path, { force: true });
}

import fsp from 'node:fs/promises';
import path from 'node:path';
import { blobStore, sniffFile, ACCEPTED_TYPES, type AcceptedMime } from '../lib/blobstore';

/** A file as multer left it in the blob store's temporary directory. */
export interface TmpUpload { path: string; originalname: string; size: number; fieldname: string }

/** A file already in the blob store, not yet attached to a record. */
export interface StoredUpload { sha256: string; size: number; mime: AcceptedMime; originalName: string; kind: 'scan' | 'lampiran' }

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

/**
 * Check uploaded files by their bytes and move the good ones into the blob store. Returns
 * the stored files and an error message per rejected file; rejected temporaries are deleted.
 */
export async function storeUploads(files: TmpUpload[], kindOf: (f: TmpUpload) => 'scan' | 'lampiran')
  : Promise<{ stored: StoredUpload[]; errors: { field: string; message: string }[] }> {
  const stored: StoredUpload[] = [];
  const errors: { field: string; message: string }[] = [];
  for (const f of files) {
    const shown = path.basename(f.originalname.replace(/\\/g, '/')).slice(0, 80) || 'berkas';
    try {
      if (f.size === 0) { errors.push({ field: f.fieldname, message: `Berkas "${shown}" kosong (0 byte).` }); continue; }
      const mime = await sniffFile(f.path);
      if (!mime) {
        errors.push({ field: f.fieldname, message: `Berkas "${shown}" bukan PDF, JPEG, atau PNG (diperiksa dari isinya, bukan dari namanya).` });
        continue;
      }
      const { sha256, size } = await blobStore().putFile(f.path);
      stored.push({ sha256, size, mime, originalName: cleanFileName(f.originalname, mime), kind: kindOf(f) });
    } finally {
      await fsp.rm(f.path, { force: true });
    }
  }
  return { stored, errors };
}

export async function discardTmp(files: TmpUpload[] | undefined): Promise<void> {
  for (const f of files ?? []) await fsp.rm(f.path, { force: true });
}

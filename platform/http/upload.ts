import crypto from 'node:crypto';
import multer from 'multer';
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import { config } from '../../config';
import { blobStore } from '../blobstore';

export const UPLOAD_ERROR_MESSAGES: Record<string, (max: string) => string> = {
  LIMIT_FILE_SIZE: (max) => `Berkas terlalu besar. Ukuran maksimal ${max} per berkas.`,
  LIMIT_FILE_COUNT: () => `Terlalu banyak berkas. Paling banyak ${config().maxUploadFiles} berkas lampiran sekaligus.`,
  LIMIT_UNEXPECTED_FILE: () => 'Berkas dikirim melalui kolom yang tidak dikenal, atau terlalu banyak berkas pada satu kolom.',
  LIMIT_PART_COUNT: () => 'Formulir terlalu besar (terlalu banyak bagian).',
  LIMIT_FIELD_COUNT: () => 'Formulir berisi terlalu banyak isian.',
  LIMIT_FIELD_VALUE: () => 'Salah satu isian terlalu panjang.',
  LIMIT_FIELD_KEY: () => 'Nama isian terlalu panjang.',
};

/**
 * Multipart parsing for forms with files. Files stream to the blob store's temporary
 * directory under random names (never the client's name); the limits cut a flood of parts
 * or bytes off early. A parse error is not thrown: the handler finds it in
 * `req.uploadError` and re-renders its form with the message.
 */
export function uploadFields(fields: { name: string; maxCount: number }[]): RequestHandler {
  const c = config();
  const storage = multer.diskStorage({
    destination: (_req, _file, cb) => cb(null, blobStore().tmpDir()),
    filename: (_req, _file, cb) => cb(null, `up-${process.pid}-${crypto.randomBytes(12).toString('hex')}`),
  });
  const m = multer({
    storage,
    // Browsers send the file name as raw UTF-8 (no RFC 2231 charset); busboy's default, latin1, garbles "–", "é"...
    defParamCharset: 'utf8',
    limits: { fileSize: c.maxUploadBytes, files: c.maxUploadFiles + 1, fields: 60, parts: c.maxUploadFiles + 61, fieldSize: 64 * 1024, fieldNameSize: 100, headerPairs: 200 },
  }).fields(fields);
  return (req: Request, res: Response, next: NextFunction) => {
    m(req, res, (err: unknown) => {
      if (err) {
        const code = (err as { code?: string }).code ?? '';
        const max = `${Math.round(c.maxUploadBytes / 1024 / 1024)} MB`;
        req.uploadError = (UPLOAD_ERROR_MESSAGES[code] ?? (() => 'Unggahan gagal dibaca. Coba kirim ulang formulir.'))(max);
        // multer removes what it wrote for the failed request; drain the rest of the body.
        req.body = req.body ?? {};
        req.resume();
      }
      next();
    });
  };
}

/** Files of a parsed multipart request as a flat list. */
export function filesOf(req: Request): Express.Multer.File[] {
  const f = req.files;
  if (!f) return [];
  return Array.isArray(f) ? f : Object.values(f).flat();
}

declare global {
  namespace Express {
    interface Request { uploadError?: string }
  }
}

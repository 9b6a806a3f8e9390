import { LRUCache } from 'lru-cache';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { config } from '../config';

/**
 * Content-addressed blob storage. The database stores only SHA-256 keys; the bytes live
 * here. `LocalBlobStore` keeps them on disk outside any static directory; an S3-compatible
 * store can implement the same interface.
 */
export interface BlobStore {
  /** Move a finished temporary file into the store; returns its SHA-256 and size. */
  putFile(tmpPath: string): Promise<{ sha256: string; size: number; created: boolean }>;
  putBuffer(buf: Buffer): Promise<{ sha256: string; size: number; created: boolean }>;
  open(sha256: string): Readable;
  exists(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
  /**
   * Remove a blob unless `isReferenced()` says a record points to it or it was put again since
   * (by this process, serialized with putFile, or by another, seen by its restarted age).
   */
  removeIfUnreferenced(sha256: string, isReferenced: () => Promise<boolean>): Promise<boolean>;
  /** Every stored blob with its modification time. */
  list(): AsyncIterable<{ sha256: string; mtimeMs: number }>;
  /** Re-hash a stored blob. */
  hash(sha256: string): Promise<string>;
  /** Directory where uploads are written before they are put (same filesystem, so put is a rename). */
  tmpDir(): string;
  /** Remove temporary files older than the given age. */
  sweepTmp(olderThanMs: number): Promise<number>;
}

const SHA_RE = /^[0-9a-f]{64}$/;

export class LocalBlobStore implements BlobStore {
  constructor(private root: string) {
    fs.mkdirSync(path.join(root, 'objects'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
  }

  tmpDir(): string { return path.join(this.root, 'tmp'); }

  private pathOf(sha: string): string {
    if (!SHA_RE.test(sha)) throw new Error(`invalid blob key ${sha}`);
    return path.join(this.root, 'objects', sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  /** Puts and removals of the same blob, one after the other within this process. */
  private locks = new Map<string, Promise<unknown>>();
  private withLock<T>(sha: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(sha) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(sha, tail);
    void tail.then(() => { if (this.locks.get(sha) === tail) this.locks.delete(sha); });
    return run;
  }
  /** mtime this process gave each blob it created, for removeIfUnreferenced. */
  private createdAt = new LRUCache<string, number>({ max: 10_000 });

  async putFile(tmpPath: string): Promise<{ sha256: string; size: number; created: boolean }> {
    const h = crypto.createHash('sha256');
    let size = 0;
    const fh = await fsp.open(tmpPath, 'r+');
    try {
      for await (const chunk of fh.createReadStream({ autoClose: false })) { h.update(chunk as Buffer); size += (chunk as Buffer).length; }
      await fh.sync();
    } finally { await fh.close(); }
    const sha256 = h.digest('hex');
    const dest = this.pathOf(sha256);
    return this.withLock(sha256, async () => {
      // The same bytes are stored already: keep that file but restart its age, so the orphan sweep
      // spares it as the new upload it now is (if it vanished meanwhile, this copy is stored).
      const t = new Date();
      this.createdAt.delete(sha256);
      if (await fsp.utimes(dest, t, t).then(() => true, () => false)) {
        await fsp.rm(tmpPath, { force: true });
        return { sha256, size, created: false };
      }
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await fsp.rename(tmpPath, dest);
      await this.syncDir(path.dirname(dest));
      const st = await fsp.stat(dest);
      this.createdAt.set(sha256, st.mtimeMs);
      return { sha256, size, created: true };
    });
  }

  removeIfUnreferenced(sha256: string, isReferenced: () => Promise<boolean>): Promise<boolean> {
    return this.withLock(sha256, async () => {
      const mine = this.createdAt.get(sha256);
      const st = await fsp.stat(this.pathOf(sha256)).catch(() => null);
      if (!st || mine === undefined || st.mtimeMs !== mine) return false;
      if (await isReferenced()) return false;
      await fsp.rm(this.pathOf(sha256), { force: true });
      this.createdAt.delete(sha256);
      return true;
    });
  }

  async putBuffer(buf: Buffer): Promise<{ sha256: string; size: number; created: boolean }> {
    const tmp = path.join(this.tmpDir(), `buf-${process.pid}-${crypto.randomBytes(8).toString('hex')}`);
    const fh = await fsp.open(tmp, 'w');
    try { await fh.writeFile(buf); } finally { await fh.close(); }
    return this.putFile(tmp);
  }

  private async syncDir(dir: string): Promise<void> {
    try { const d = await fsp.open(dir, 'r'); try { await d.sync(); } finally { await d.close(); } } catch { /* not supported everywhere */ }
  }

  open(sha256: string): Readable { return fs.createReadStream(this.pathOf(sha256)); }

  async exists(sha256: string): Promise<boolean> {
    try { await fsp.access(this.pathOf(sha256)); return true; } catch { return false; }
  }

  async remove(sha256: string): Promise<void> { await fsp.rm(this.pathOf(sha256), { force: true }); }

  async *list(): AsyncIterable<{ sha256: string; mtimeMs: number }> {
    const base = path.join(this.root, 'objects');
    for (const a of await fsp.readdir(base).catch(() => [] as string[])) {
      for (const b of await fsp.readdir(path.join(base, a)).catch(() => [] as string[])) {
        for (const f of await fsp.readdir(path.join(base, a, b)).catch(() => [] as string[])) {
          if (!SHA_RE.test(f)) continue;
          const st = await fsp.stat(path.join(base, a, b, f));
          yield { sha256: f, mtimeMs: st.mtimeMs };
        }
      }
    }
  }

  async hash(sha256: string): Promise<string> {
    const h = crypto.createHash('sha256');
    await pipeline(this.open(sha256), h);
    return h.digest('hex');
  }

  async sweepTmp(olderThanMs: number): Promise<number> {
    let n = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const f of await fsp.readdir(this.tmpDir()).catch(() => [] as string[])) {
      const p = path.join(this.tmpDir(), f);
      const st = await fsp.stat(p).catch(() => null);
      if (st && st.mtimeMs < cutoff) { await fsp.rm(p, { force: true }); n++; }
    }
    return n;
  }
}

let store: BlobStore | null = null;
export function blobStore(): BlobStore {
  if (!store) store = new LocalBlobStore(config().blobDir);
  return store;
}
export function setBlobStore(s: BlobStore): void { store = s; }

/** File types accepted for letters, decided by magic bytes, never by name. */
export const ACCEPTED_TYPES = {
  'application/pdf': { ext: 'pdf', label: 'PDF' },
  'image/jpeg': { ext: 'jpg', label: 'JPEG' },
  'image/png': { ext: 'png', label: 'PNG' },
} as const;
export type AcceptedMime = keyof typeof ACCEPTED_TYPES;

/** Detect the real type of a file from its first bytes (file-type), limited to the accepted types. */
export async function sniffFile(filePath: string): Promise<AcceptedMime | null> {
  const { fileTypeFromFile } = await import('file-type');
  const t = await fileTypeFromFile(filePath).catch(() => undefined);
  if (t && t.mime in ACCEPTED_TYPES) return t.mime as AcceptedMime;
  return null;
}

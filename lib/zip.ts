/**
 * A small, dependency-free ZIP writer (PKWARE APPNOTE 6.3, no ZIP64) and a minimal reader for
 * archives this module writes. Everything is built in memory.
 *
 * Layout written: for each entry a local file header followed by its data (no data descriptor,
 * sizes and CRC are known up front), then the central directory, then the end of central
 * directory record. No extra fields, no archive comment.
 */
import zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** modification time (default: now) */
  date?: Date;
  /**
   * 'deflate' (default) or 'store'. With 'deflate' the data is stored uncompressed anyway when
   * deflating does not make it smaller (already-compressed data such as PDF or JPEG).
   */
  method?: 'deflate' | 'store';
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const EOCD_SIZE = 22;

const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
/** General purpose bit 11: file name (and comment) are UTF-8. */
const FLAG_UTF8 = 0x0800;
const FLAG_ENCRYPTED = 0x0001;

/** "Version made by": upper byte 3 = UNIX (so external attributes carry the mode), lower = 2.0. */
const VERSION_MADE_BY = (3 << 8) | 20;
const VERSION_STORE = 10;   // 1.0: stored files
const VERSION_DEFLATE = 20; // 2.0: deflate, directories

/**
 * Largest values allowed without ZIP64. 0xFFFF / 0xFFFFFFFF themselves are the ZIP64 markers
 * (APPNOTE 4.4.1.4): a reader seeing them looks for ZIP64 records, so they are refused too.
 */
const MAX_ENTRIES = 0xfffe;
const MAX_U32 = 0xfffffffe;
const MAX_U16 = 0xffff;

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table driven.

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// MS-DOS date/time (local time, 2-second resolution, years 1980..2107).

function toDosDateTime(d: Date): { date: number; time: number } {
  if (Number.isNaN(d.getTime())) throw new Error('ZIP: invalid entry date');
  let year = d.getFullYear();
  let month = d.getMonth() + 1, day = d.getDate();
  let hours = d.getHours(), minutes = d.getMinutes(), seconds = d.getSeconds();
  if (year < 1980) {
    year = 1980; month = 1; day = 1; hours = 0; minutes = 0; seconds = 0;
  } else if (year > 2107) {
    year = 2107; month = 12; day = 31; hours = 23; minutes = 59; seconds = 58;
  }
  return {
    date: ((year - 1980) << 9) | (month << 5) | day,
    time: (hours << 11) | (minutes << 5) | (seconds >> 1),
  };
}

function fromDosDateTime(date: number, time: number): Date {
  const year = ((date >> 9) & 0x7f) + 1980;
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  const hours = (time >> 11) & 0x1f;
  const minutes = (time >> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2;
  return new Date(year, Math.max(month, 1) - 1, Math.max(day, 1), hours, minutes, seconds);
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * Refuses names that are empty, not forward-slash relative paths, or that would escape the
 * extraction directory. A name ending in '/' is a directory entry (its data must be empty).
 */
function checkName(name: string): void {
  const show = JSON.stringify(name);
  if (typeof name !== 'string' || name.length === 0) throw new Error('ZIP: entry name must not be empty');
  if (name.includes('\0')) throw new Error(`ZIP: entry name ${show} contains a NUL character`);
  if (name.includes('\\')) throw new Error(`ZIP: entry name ${show} must use forward slashes, not backslashes`);
  if (name.startsWith('/')) throw new Error(`ZIP: entry name ${show} is an absolute path`);
  if (/^[A-Za-z]:/.test(name)) throw new Error(`ZIP: entry name ${show} starts with a drive letter`);
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  for (const seg of segments) {
    if (seg === '..') throw new Error(`ZIP: entry name ${show} contains a '..' segment`);
    if (seg === '.' || seg === '') throw new Error(`ZIP: entry name ${show} contains an empty or '.' segment`);
  }
  // Lone surrogates cannot be encoded as UTF-8 (Buffer.from would silently replace them).
  if (Buffer.from(name, 'utf8').toString('utf8') !== name) throw new Error(`ZIP: entry name ${show} is not valid Unicode`);
}

// ---------------------------------------------------------------------------------------------
// Writer

interface Prepared {
  nameBytes: Buffer;
  method: number;
  flags: number;
  versionNeeded: number;
  externalAttrs: number;
  crc: number;
  body: Buffer; // data as written (compressed or not)
  size: number; // uncompressed size
  dosDate: number;
  dosTime: number;
  offset: number;
}

/**
 * The fields the local header and the central directory header share, in the same order
 * (version needed to extract through extra field length); returns the position after them.
 */
function writeEntryFields(out: Buffer, pos: number, p: Prepared): number {
  pos = out.writeUInt16LE(p.versionNeeded, pos);
  pos = out.writeUInt16LE(p.flags, pos);
  pos = out.writeUInt16LE(p.method, pos);
  pos = out.writeUInt16LE(p.dosTime, pos);
  pos = out.writeUInt16LE(p.dosDate, pos);
  pos = out.writeUInt32LE(p.crc, pos);
  pos = out.writeUInt32LE(p.body.length, pos);
  pos = out.writeUInt32LE(p.size, pos);
  pos = out.writeUInt16LE(p.nameBytes.length, pos);
  return out.writeUInt16LE(0, pos); // extra field length
}

/**
 * Builds a complete ZIP archive in memory. Names are written as UTF-8 (general purpose bit 11),
 * must be unique, relative and free of '..' segments. Throws when the archive would need ZIP64.
 */
export function buildZip(entries: ZipEntry[]): Buffer {
  if (!Array.isArray(entries)) throw new Error('ZIP: entries must be an array');
  if (entries.length > MAX_ENTRIES) {
    throw new Error(`ZIP: too many entries (${entries.length}); at most ${MAX_ENTRIES} are supported without ZIP64`);
  }
  const seen = new Set<string>();
  for (const e of entries) {
    checkName(e.name);
    if (seen.has(e.name)) throw new Error(`ZIP: duplicate entry name ${JSON.stringify(e.name)}`);
    seen.add(e.name);
    if (!Buffer.isBuffer(e.data)) throw new Error(`ZIP: data of ${JSON.stringify(e.name)} must be a Buffer`);
    if (e.name.endsWith('/') && e.data.length > 0) {
      throw new Error(`ZIP: directory entry ${JSON.stringify(e.name)} must have empty data`);
    }
    if (e.method !== undefined && e.method !== 'deflate' && e.method !== 'store') {
      throw new Error(`ZIP: unknown method ${JSON.stringify(e.method)} for ${JSON.stringify(e.name)}`);
    }
    if (e.data.length > MAX_U32) {
      throw new Error(`ZIP: entry ${JSON.stringify(e.name)} is too large (${e.data.length} bytes); ZIP64 is not supported`);
    }
  }

  const now = new Date();
  const prepared: Prepared[] = [];
  let offset = 0;
  for (const e of entries) {
    const nameBytes = Buffer.from(e.name, 'utf8');
    if (nameBytes.length > MAX_U16) throw new Error(`ZIP: entry name ${JSON.stringify(e.name.slice(0, 40))}... is too long`);
    const isDir = e.name.endsWith('/');
    let method = METHOD_STORE;
    let body = e.data;
    if (!isDir && (e.method ?? 'deflate') === 'deflate' && e.data.length > 0) {
      const deflated = zlib.deflateRawSync(e.data, { level: zlib.constants.Z_BEST_COMPRESSION });
      if (deflated.length < e.data.length) { method = METHOD_DEFLATE; body = deflated; }
    }
    const { date, time } = toDosDateTime(e.date ?? now);
    const p: Prepared = {
      nameBytes,
      method,
      flags: FLAG_UTF8,
      versionNeeded: method === METHOD_DEFLATE || isDir ? VERSION_DEFLATE : VERSION_STORE,
      // UNIX mode in the high 16 bits; MS-DOS directory attribute (0x10) in the low byte.
      externalAttrs: isDir ? ((0o040755 << 16) | 0x10) >>> 0 : (0o100644 << 16) >>> 0,
      crc: crc32(e.data),
      body,
      size: e.data.length,
      dosDate: date,
      dosTime: time,
      offset,
    };
    if (offset > MAX_U32) throw new Error('ZIP: archive too large (over 4 GiB); ZIP64 is not supported');
    offset += LOCAL_HEADER_SIZE + nameBytes.length + body.length;
    prepared.push(p);
  }

  const cdOffset = offset;
  const cdSize = prepared.reduce((n, p) => n + CENTRAL_HEADER_SIZE + p.nameBytes.length, 0);
  if (cdOffset > MAX_U32 || cdSize > MAX_U32 || cdOffset + cdSize + EOCD_SIZE > MAX_U32) {
    throw new Error('ZIP: archive too large (over 4 GiB); ZIP64 is not supported');
  }

  const out = Buffer.alloc(cdOffset + cdSize + EOCD_SIZE);
  let pos = 0;
  for (const p of prepared) {
    pos = out.writeUInt32LE(SIG_LOCAL, pos);
    pos = writeEntryFields(out, pos, p);
    pos += p.nameBytes.copy(out, pos);
    pos += p.body.copy(out, pos);
  }
  for (const p of prepared) {
    pos = out.writeUInt32LE(SIG_CENTRAL, pos);
    pos = out.writeUInt16LE(VERSION_MADE_BY, pos);
    pos = writeEntryFields(out, pos, p);
    pos = out.writeUInt16LE(0, pos); // file comment length
    pos = out.writeUInt16LE(0, pos); // disk number start
    pos = out.writeUInt16LE(0, pos); // internal file attributes
    pos = out.writeUInt32LE(p.externalAttrs, pos);
    pos = out.writeUInt32LE(p.offset, pos);
    pos += p.nameBytes.copy(out, pos);
  }
  pos = out.writeUInt32LE(SIG_EOCD, pos);
  pos = out.writeUInt16LE(0, pos); // number of this disk
  pos = out.writeUInt16LE(0, pos); // disk where the central directory starts
  pos = out.writeUInt16LE(prepared.length, pos); // entries on this disk
  pos = out.writeUInt16LE(prepared.length, pos); // entries in total
  pos = out.writeUInt32LE(cdSize, pos);
  pos = out.writeUInt32LE(cdOffset, pos);
  pos = out.writeUInt16LE(0, pos); // comment length
  if (pos !== out.length) throw new Error(`ZIP: internal error, wrote ${pos} of ${out.length} bytes`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reader (for archives written by buildZip: single disk, no ZIP64, no encryption)

function findEocd(zip: Buffer): number {
  const min = Math.max(0, zip.length - EOCD_SIZE - 0xffff);
  for (let i = zip.length - EOCD_SIZE; i >= min; i--) {
    if (zip.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + zip.readUInt16LE(i + 20) === zip.length) return i;
  }
  throw new Error('ZIP: end of central directory record not found');
}

/**
 * Reads the entries of an archive written by buildZip (stored or deflated). Verifies sizes and
 * CRC-32 of every entry and throws on any mismatch or unsupported feature.
 */
export function readZip(zip: Buffer): { name: string; data: Buffer; date: Date }[] {
  if (!Buffer.isBuffer(zip) || zip.length < EOCD_SIZE) throw new Error('ZIP: not a ZIP archive (too short)');
  const eocd = findEocd(zip);
  const disk = zip.readUInt16LE(eocd + 4);
  const cdDisk = zip.readUInt16LE(eocd + 6);
  const countDisk = zip.readUInt16LE(eocd + 8);
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (disk !== 0 || cdDisk !== 0 || countDisk !== count) throw new Error('ZIP: multi-disk archives are not supported');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new Error('ZIP: ZIP64 archives are not supported');
  if (cdOffset + cdSize > eocd) throw new Error('ZIP: central directory lies outside the archive');

  const result: { name: string; data: Buffer; date: Date }[] = [];
  let pos = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (pos + CENTRAL_HEADER_SIZE > cdEnd || zip.readUInt32LE(pos) !== SIG_CENTRAL) {
      throw new Error(`ZIP: bad central directory header for entry ${i}`);
    }
    const flags = zip.readUInt16LE(pos + 8);
    const method = zip.readUInt16LE(pos + 10);
    const dosTime = zip.readUInt16LE(pos + 12);
    const dosDate = zip.readUInt16LE(pos + 14);
    const crc = zip.readUInt32LE(pos + 16);
    const compSize = zip.readUInt32LE(pos + 20);
    const size = zip.readUInt32LE(pos + 24);
    const nameLen = zip.readUInt16LE(pos + 28);
    const extraLen = zip.readUInt16LE(pos + 30);
    const commentLen = zip.readUInt16LE(pos + 32);
    const localOffset = zip.readUInt32LE(pos + 42);
    const entryEnd = pos + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    if (entryEnd > cdEnd) throw new Error(`ZIP: central directory entry ${i} is truncated`);
    const nameBytes = zip.subarray(pos + CENTRAL_HEADER_SIZE, pos + CENTRAL_HEADER_SIZE + nameLen);
    let name: string;
    if (flags & FLAG_UTF8) {
      name = new TextDecoder('utf-8', { fatal: true }).decode(nameBytes);
    } else if (nameBytes.every((b) => b < 0x80)) {
      name = nameBytes.toString('ascii');
    } else {
      throw new Error(`ZIP: entry ${i} has a non-UTF-8 (CP437) name, which is not supported`);
    }
    const show = JSON.stringify(name);
    if (flags & FLAG_ENCRYPTED) throw new Error(`ZIP: entry ${show} is encrypted`);
    if (compSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw new Error(`ZIP: entry ${show} uses ZIP64, which is not supported`);
    }

    if (localOffset + LOCAL_HEADER_SIZE > cdOffset || zip.readUInt32LE(localOffset) !== SIG_LOCAL) {
      throw new Error(`ZIP: bad local header for entry ${show}`);
    }
    const localNameLen = zip.readUInt16LE(localOffset + 26);
    const localExtraLen = zip.readUInt16LE(localOffset + 28);
    const localName = zip.subarray(localOffset + LOCAL_HEADER_SIZE, localOffset + LOCAL_HEADER_SIZE + localNameLen);
    if (!localName.equals(nameBytes)) throw new Error(`ZIP: local and central names differ for entry ${show}`);
    const dataStart = localOffset + LOCAL_HEADER_SIZE + localNameLen + localExtraLen;
    if (dataStart + compSize > cdOffset) throw new Error(`ZIP: data of entry ${show} lies outside the archive`);
    const raw = zip.subarray(dataStart, dataStart + compSize);

    let data: Buffer;
    if (method === METHOD_STORE) {
      data = Buffer.from(raw);
    } else if (method === METHOD_DEFLATE) {
      try {
        // maxOutputLength guards against entries that inflate far beyond their declared size.
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      } catch (err) {
        throw new Error(`ZIP: cannot inflate entry ${show}: ${(err as Error).message}`);
      }
    } else {
      throw new Error(`ZIP: entry ${show} uses unsupported compression method ${method}`);
    }
    if (data.length !== size) throw new Error(`ZIP: size mismatch for entry ${show} (${data.length}, expected ${size})`);
    const actual = crc32(data);
    if (actual !== crc) {
      throw new Error(`ZIP: CRC-32 mismatch for entry ${show} (${actual.toString(16)}, expected ${crc.toString(16)})`);
    }
    result.push({ name, data, date: fromDosDateTime(dosDate, dosTime) });
    pos = entryEnd;
  }
  return result;
}

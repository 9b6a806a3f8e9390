/**
 * ZIP archives in memory: buildZip writes them with yazl (PKWARE APPNOTE, no ZIP64), after
 * checking every name; readZip reads back archives of this shape (single disk, no ZIP64, no
 * encryption) and checks every entry's size and CRC-32.
 */
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import yazl from 'yazl';

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
// MS-DOS date/time (local time, 2-second resolution, years 1980..2107), as read back.

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
// Writer: yazl (a maintained ZIP writer) does the format; this adds the checks and the choice
// of method.

const deflateRaw = promisify(zlib.deflateRaw);

/** A date inside the DOS range (1980..2107): outside it the date is clamped, as unzip would show it. */
function dosRange(d: Date): Date {
  if (Number.isNaN(d.getTime())) throw new Error('ZIP: invalid entry date');
  if (d.getFullYear() < 1980) return new Date(1980, 0, 1, 0, 0, 0);
  if (d.getFullYear() > 2107) return new Date(2107, 11, 31, 23, 59, 58);
  return d;
}

/**
 * Builds a complete ZIP archive in memory. Names are written as UTF-8 (general purpose bit 11),
 * must be unique, relative and free of '..' segments; an entry that does not get smaller by
 * deflating is stored. The checks run at once (a bad name throws before anything is written);
 * deflating runs on zlib's thread pool. Throws when the archive would need ZIP64.
 */
export function buildZip(entries: ZipEntry[]): Promise<Buffer> {
  if (!Array.isArray(entries)) throw new Error('ZIP: entries must be an array');
  if (entries.length > MAX_ENTRIES) {
    throw new Error(`ZIP: too many entries (${entries.length}); at most ${MAX_ENTRIES} are supported without ZIP64`);
  }
  const seen = new Set<string>();
  let total = 0;
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
    if (Buffer.byteLength(e.name, 'utf8') > MAX_U16) throw new Error(`ZIP: entry name ${JSON.stringify(e.name.slice(0, 40))}... is too long`);
    total += e.data.length + LOCAL_HEADER_SIZE + CENTRAL_HEADER_SIZE + 2 * Buffer.byteLength(e.name, 'utf8');
    if (e.data.length > MAX_U32 || total + EOCD_SIZE > MAX_U32) {
      throw new Error('ZIP: archive too large (over 4 GiB); ZIP64 is not supported');
    }
  }
  return writeZip(entries);
}

async function writeZip(entries: ZipEntry[]): Promise<Buffer> {
  const now = new Date();
  // Whether deflating helps is known only by deflating; yazl then deflates what helps.
  const deflate = await Promise.all(entries.map(async (e) => {
    if (e.name.endsWith('/') || (e.method ?? 'deflate') !== 'deflate' || e.data.length === 0) return false;
    const d = await deflateRaw(e.data, { level: zlib.constants.Z_BEST_COMPRESSION });
    return d.length < e.data.length;
  }));
  const zip = new yazl.ZipFile();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  entries.forEach((e, i) => {
    const mtime = dosRange(e.date ?? now);
    if (e.name.endsWith('/')) {
      zip.addEmptyDirectory(e.name, { mtime, mode: 0o040755, forceDosTimestamp: true });
    } else {
      zip.addBuffer(e.data, e.name, {
        mtime, mode: 0o100644, forceDosTimestamp: true,
        compressionLevel: deflate[i] ? zlib.constants.Z_BEST_COMPRESSION : 0,
      });
    }
  });
  zip.end();
  return done;
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

/**
 * A small, strict reader of PDF file structure for signature verification (issue #15 §3):
 * objects, cross-reference tables and streams (with /Prev chains, hybrid /XRefStm, object
 * streams), read exactly as the xref says, never "repaired". A revision is the file cut at a
 * given length: its objects are those its own last xref section (and its /Prev chain) name.
 *
 * Pure: no I/O.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';

export class PdfName { constructor(readonly name: string) {} }
export class PdfRef { constructor(readonly num: number, readonly gen: number) {} }
export class PdfString {
  /** start / end: offsets of the string's first and last-plus-one byte in the buffer it was read from. */
  constructor(readonly bytes: Buffer, readonly hex: boolean, readonly start: number, readonly end: number, readonly inFile: boolean) {}
  text(): string {
    const b = this.bytes;
    if (b[0] === 0xfe && b[1] === 0xff) { const u = Buffer.from(b.subarray(2)); if (u.length % 2) return u.toString('latin1'); u.swap16(); return u.toString('utf16le'); }
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
    return b.toString('latin1');
  }
}
export class PdfDict {
  constructor(readonly map: Map<string, PdfValue> = new Map()) {}
  get(k: string): PdfValue | undefined { return this.map.get(k); }
  has(k: string): boolean { return this.map.has(k); }
  name(k: string): string | null { const v = this.map.get(k); return v instanceof PdfName ? v.name : null; }
}
export class PdfStream {
  constructor(readonly dict: PdfDict, readonly raw: Buffer) {}
}
export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfValue[] | PdfDict | PdfStream;

export class PdfSyntaxError extends Error {}

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const isRegular = (c: number) => !WS.has(c) && !DELIM.has(c);

export class Lexer {
  pos: number;
  constructor(readonly buf: Buffer, pos = 0, readonly inFile = true, readonly limit = buf.length) { this.pos = pos; }

  skipWs(): void {
    const b = this.buf;
    while (this.pos < this.limit) {
      const c = b[this.pos];
      if (WS.has(c)) { this.pos++; continue; }
      if (c === 0x25) { while (this.pos < this.limit && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++; continue; }
      break;
    }
  }

  peekKeyword(): string {
    this.skipWs();
    let e = this.pos;
    while (e < this.limit && isRegular(this.buf[e])) e++;
    return this.buf.subarray(this.pos, e).toString('latin1');
  }

  private regular(): string {
    const s = this.pos;
    while (this.pos < this.limit && isRegular(this.buf[this.pos])) this.pos++;
    return this.buf.subarray(s, this.pos).toString('latin1');
  }

  /** One value; `N G R` references are recognised. */
  value(depth = 0): PdfValue {
    if (depth > 100) throw new PdfSyntaxError('nesting too deep');
    this.skipWs();
    if (this.pos >= this.limit) throw new PdfSyntaxError('unexpected end of data');
    const b = this.buf;
    const c = b[this.pos];
    if (c === 0x2f) { // name
      this.pos++;
      const raw = this.regular();
      return new PdfName(raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
    }
    if (c === 0x3c && b[this.pos + 1] === 0x3c) {
      this.pos += 2;
      const map = new Map<string, PdfValue>();
      for (;;) {
        this.skipWs();
        if (this.pos >= this.limit) throw new PdfSyntaxError('unterminated dictionary');
        if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) { this.pos += 2; break; }
        const k = this.value(depth + 1);
        if (!(k instanceof PdfName)) throw new PdfSyntaxError('dictionary key is not a name');
        const v = this.value(depth + 1);
        map.set(k.name, v); // a repeated key: the last one counts (and is what this reader reports)
      }
      return new PdfDict(map);
    }
    if (c === 0x3c) { // hex string
      const start = this.pos;
      const end = b.indexOf(0x3e, this.pos);
      if (end < 0 || end >= this.limit) throw new PdfSyntaxError('unterminated hex string');
      const hex = b.subarray(this.pos + 1, end).toString('latin1');
      if (!/^[0-9a-fA-F\s]*$/.test(hex)) throw new PdfSyntaxError('bad hex string');
      const h = hex.replace(/\s+/g, '');
      this.pos = end + 1;
      return new PdfString(Buffer.from(h.length % 2 ? h + '0' : h, 'hex'), true, start, this.pos, this.inFile);
    }
    if (c === 0x28) { // literal string
      const start = this.pos;
      const out: number[] = [];
      let depthP = 0;
      this.pos++;
      for (;;) {
        if (this.pos >= this.limit) throw new PdfSyntaxError('unterminated string');
        const ch = b[this.pos++];
        if (ch === 0x5c) {
          const n = b[this.pos++];
          const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
          if (n in map) out.push(map[n]);
          else if (n >= 0x30 && n <= 0x37) {
            let o = n - 0x30; let k = 1;
            while (k < 3 && b[this.pos] >= 0x30 && b[this.pos] <= 0x37) { o = o * 8 + b[this.pos++] - 0x30; k++; }
            out.push(o & 255);
          } else if (n === 0x0d) { if (b[this.pos] === 0x0a) this.pos++; } else if (n !== 0x0a) out.push(n);
          continue;
        }
        if (ch === 0x28) depthP++;
        if (ch === 0x29) { if (depthP === 0) break; depthP--; }
        out.push(ch);
      }
      return new PdfString(Buffer.from(out), false, start, this.pos, this.inFile);
    }
    if (c === 0x5b) {
      this.pos++;
      const arr: PdfValue[] = [];
      for (;;) {
        this.skipWs();
        if (this.pos >= this.limit) throw new PdfSyntaxError('unterminated array');
        if (b[this.pos] === 0x5d) { this.pos++; break; }
        arr.push(this.value(depth + 1));
      }
      return arr;
    }
    const word = this.regular();
    if (!word) throw new PdfSyntaxError(`unexpected byte 0x${c.toString(16)} at ${this.pos}`);
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      if (/^\d+$/.test(word)) { // maybe "N G R"
        const save = this.pos;
        this.skipWs();
        const g = this.regular();
        if (/^\d+$/.test(g)) {
          this.skipWs();
          if (this.buf[this.pos] === 0x52 && (this.pos + 1 >= this.limit || !isRegular(this.buf[this.pos + 1]))) { this.pos++; return new PdfRef(Number(word), Number(g)); }
        }
        this.pos = save;
      }
      return Number(word);
    }
    throw new PdfSyntaxError(`unexpected keyword ${word.slice(0, 20)}`);
  }
}

export interface IndirectObject { num: number; gen: number; value: PdfValue; start: number; end: number }

/** Parse `N G obj ... endobj` at `offset`. `lengthOf` resolves an indirect /Length. */
export function parseIndirectAt(buf: Buffer, offset: number, lengthOf?: (r: PdfRef) => number | null, limit = buf.length): IndirectObject {
  const lx = new Lexer(buf, offset, true, limit);
  const m = /^(\d+)\s+(\d+)\s+obj/.exec(buf.subarray(offset, Math.min(limit, offset + 40)).toString('latin1'));
  if (!m) throw new PdfSyntaxError(`no object at offset ${offset}`);
  lx.pos = offset + m[0].length;
  let value = lx.value();
  lx.skipWs();
  if (value instanceof PdfDict && lx.peekKeyword() === 'stream') {
    lx.pos += 6;
    if (buf[lx.pos] === 0x0d) lx.pos++;
    if (buf[lx.pos] === 0x0a) lx.pos++;
    const dataStart = lx.pos;
    let len: number | null = null;
    const L = value.get('Length');
    if (typeof L === 'number') len = L;
    else if (L instanceof PdfRef && lengthOf) len = lengthOf(L);
    if (len === null || len < 0 || dataStart + len > limit) throw new PdfSyntaxError('stream length missing or out of range');
    lx.pos = dataStart + len;
    if (lx.peekKeyword() !== 'endstream') throw new PdfSyntaxError('stream does not end where /Length says');
    lx.pos += 9;
    value = new PdfStream(value, buf.subarray(dataStart, dataStart + len));
  }
  if (lx.peekKeyword() !== 'endobj') throw new PdfSyntaxError(`object ${m[1]} ${m[2]} has no endobj`);
  lx.pos += 6;
  return { num: Number(m[1]), gen: Number(m[2]), value, start: offset, end: lx.pos };
}

function pngUnpredict(data: Buffer, columns: number, colors = 1, bpc = 8): Buffer {
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((columns * colors * bpc) / 8);
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = Buffer.alloc(rows * rowLen);
  let prev = Buffer.alloc(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)];
    const row = Buffer.from(data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1)));
    for (let i = 0; i < rowLen; i++) {
      const a = i >= bpp ? row[i - bpp] : 0; const up = prev[i]; const c = i >= bpp ? prev[i - bpp] : 0;
      if (type === 1) row[i] = (row[i] + a) & 255;
      else if (type === 2) row[i] = (row[i] + up) & 255;
      else if (type === 3) row[i] = (row[i] + ((a + up) >> 1)) & 255;
      else if (type === 4) { const p = a + up - c; const pa = Math.abs(p - a); const pb = Math.abs(p - up); const pc = Math.abs(p - c); row[i] = (row[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? up : c)) & 255; }
    }
    row.copy(out, r * rowLen);
    prev = row;
  }
  return out;
}

/** The decoded data of a stream (FlateDecode with predictors; no filter). Throws for others. */
export function decodeStream(s: PdfStream): Buffer {
  const f = s.dict.get('Filter');
  const filters = f instanceof PdfName ? [f.name] : Array.isArray(f) ? f.map((x) => (x instanceof PdfName ? x.name : '?')) : [];
  const parmsRaw = s.dict.get('DecodeParms');
  const parmsList = Array.isArray(parmsRaw) ? parmsRaw : [parmsRaw];
  let data = s.raw;
  filters.forEach((name, i) => {
    if (name !== 'FlateDecode') throw new PdfSyntaxError(`filter ${name} not supported`);
    data = zlib.inflateSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const p = parmsList[i];
    if (p instanceof PdfDict) {
      const pred = p.get('Predictor');
      if (typeof pred === 'number' && pred >= 10) {
        const num = (k: string, d: number) => { const v = p.get(k); return typeof v === 'number' ? v : d; };
        data = pngUnpredict(data, num('Columns', 1), num('Colors', 1), num('BitsPerComponent', 8));
      } else if (typeof pred === 'number' && pred > 1) throw new PdfSyntaxError('TIFF predictor not supported');
    }
  });
  return data;
}

export type XrefEntry = { type: 0 } | { type: 1; offset: number; gen: number } | { type: 2; stream: number; index: number };
export interface XrefSection { offset: number; kind: 'table' | 'stream'; entries: Map<number, XrefEntry>; trailer: PdfDict }

/** The offset named by the last `startxref N %%EOF` that ends at or before `end`. */
export function lastStartxref(buf: Buffer, end = buf.length): { offset: number; eofEnd: number } | null {
  const from = Math.max(0, end - 4096);
  const s = buf.subarray(from, end).toString('latin1');
  const all = [...s.matchAll(/startxref\s+(\d+)\s+%%EOF/g)];
  const m = all[all.length - 1];
  if (!m) return null;
  return { offset: Number(m[1]), eofEnd: from + m.index + m[0].length };
}

function readXrefTable(buf: Buffer, offset: number, limit: number): XrefSection {
  const lx = new Lexer(buf, offset + 4, true, limit);
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    const kw = lx.peekKeyword();
    if (kw === 'trailer') { lx.pos += 7; break; }
    if (!/^\d+$/.test(kw)) throw new PdfSyntaxError('bad xref table');
    const first = Number(lx.value());
    const count = Number(lx.value());
    lx.skipWs();
    for (let i = 0; i < count; i++) {
      const line = buf.subarray(lx.pos, lx.pos + 20).toString('latin1');
      const m = /^(\d{10}) (\d{5}) ([nf])/.exec(line);
      if (!m) throw new PdfSyntaxError('bad xref entry');
      const num = first + i;
      if (!entries.has(num)) entries.set(num, m[3] === 'n' ? { type: 1, offset: Number(m[1]), gen: Number(m[2]) } : { type: 0 });
      lx.pos += 18;
      while (lx.pos < limit && (buf[lx.pos] === 0x0d || buf[lx.pos] === 0x0a || buf[lx.pos] === 0x20)) lx.pos++;
    }
  }
  const trailer = lx.value();
  if (!(trailer instanceof PdfDict)) throw new PdfSyntaxError('bad trailer');
  return { offset, kind: 'table', entries, trailer };
}

function readXrefStream(buf: Buffer, offset: number, limit: number): XrefSection {
  const o = parseIndirectAt(buf, offset, undefined, limit);
  if (!(o.value instanceof PdfStream) || o.value.dict.name('Type') !== 'XRef') throw new PdfSyntaxError('startxref does not point to an xref');
  const d = o.value.dict;
  const data = decodeStream(o.value);
  const W = d.get('W');
  if (!Array.isArray(W) || W.length !== 3 || !W.every((x) => typeof x === 'number')) throw new PdfSyntaxError('bad /W');
  const w = W as number[];
  const size = d.get('Size');
  const idx = d.get('Index');
  const index = Array.isArray(idx) ? (idx as number[]) : [0, typeof size === 'number' ? size : 0];
  const rowLen = w[0] + w[1] + w[2];
  const entries = new Map<number, XrefEntry>();
  let p = 0;
  const field = (n: number, dflt: number) => { if (!n) return dflt; let v = 0; for (let i = 0; i < n; i++) v = v * 256 + data[p++]; return v; };
  for (let k = 0; k + 1 < index.length; k += 2) {
    for (let i = 0; i < index[k + 1]; i++) {
      if (p + rowLen > data.length) throw new PdfSyntaxError('xref stream too short');
      const t = field(w[0], 1); const a = field(w[1], 0); const b = field(w[2], 0);
      const num = index[k] + i;
      if (entries.has(num)) continue;
      entries.set(num, t === 1 ? { type: 1, offset: a, gen: b } : t === 2 ? { type: 2, stream: a, index: b } : { type: 0 });
    }
  }
  return { offset, kind: 'stream', entries, trailer: d };
}

export function readXrefSection(buf: Buffer, offset: number, limit = buf.length): XrefSection {
  if (offset < 0 || offset >= limit) throw new PdfSyntaxError('xref offset outside the file');
  return buf.subarray(offset, offset + 4).toString('latin1') === 'xref' ? readXrefTable(buf, offset, limit) : readXrefStream(buf, offset, limit);
}

/**
 * One revision of a file: the bytes up to `end` and the objects its last xref (and /Prev chain) name.
 * Throws PdfSyntaxError when there is no readable xref.
 */
export class PdfRevision {
  readonly buf: Buffer;
  readonly sections: XrefSection[] = [];
  readonly table = new Map<number, XrefEntry>();
  readonly trailer: PdfDict;
  readonly startxref: number;
  /** Offset just after the %%EOF that closes this revision. */
  readonly eofEnd: number;
  private cache = new Map<number, PdfValue | undefined>();
  private objStms = new Map<number, { data: Buffer; offsets: Map<number, number>; first: number } | null>();

  constructor(file: Buffer, readonly end = file.length) {
    this.buf = file.subarray(0, end);
    const sx = lastStartxref(this.buf, end);
    if (!sx) throw new PdfSyntaxError('no startxref / %%EOF');
    this.startxref = sx.offset;
    this.eofEnd = sx.eofEnd;
    const seen = new Set<number>();
    let off: number | null = sx.offset;
    let trailer: PdfDict | null = null;
    while (off !== null) {
      if (seen.has(off) || seen.size > 500) throw new PdfSyntaxError('xref /Prev loop');
      seen.add(off);
      const sec = readXrefSection(this.buf, off);
      this.sections.push(sec);
      trailer ??= sec.trailer;
      const add = (m: Map<number, XrefEntry>) => { for (const [k, v] of m) if (!this.table.has(k)) this.table.set(k, v); };
      add(sec.entries);
      const xs = sec.trailer.get('XRefStm');
      if (sec.kind === 'table' && typeof xs === 'number') { const s2 = readXrefSection(this.buf, xs); this.sections.push(s2); add(s2.entries); }
      const prev = sec.trailer.get('Prev');
      off = typeof prev === 'number' ? prev : null;
    }
    this.trailer = trailer!;
  }

  /** Where object `num` lives, as a comparable key ("" when not in use). */
  location(num: number): string {
    const e = this.table.get(num);
    if (!e || e.type === 0) return '';
    if (e.type === 1) return `o${e.offset}`;
    return `c${e.stream}.${e.index}@${this.location(e.stream)}`;
  }

  inUse(): number[] { return [...this.table].filter(([, e]) => e.type !== 0).map(([k]) => k); }

  /** The object's value (undefined: not in use or unreadable). */
  get(num: number): PdfValue | undefined {
    if (this.cache.has(num)) return this.cache.get(num);
    this.cache.set(num, undefined); // cycles
    let v: PdfValue | undefined;
    try { v = this.read(num); } catch { v = undefined; }
    this.cache.set(num, v);
    return v;
  }

  /** Like get, but errors are thrown (for a precise message). */
  read(num: number): PdfValue | undefined {
    const e = this.table.get(num);
    if (!e || e.type === 0) return undefined;
    if (e.type === 1) {
      const o = parseIndirectAt(this.buf, e.offset, (r) => { const l = this.get(r.num); return typeof l === 'number' ? l : null; });
      if (o.num !== num) throw new PdfSyntaxError(`xref entry of object ${num} points to object ${o.num}`);
      return o.value;
    }
    const stm = this.objStm(e.stream);
    if (!stm) throw new PdfSyntaxError(`object stream ${e.stream} unreadable`);
    const at = stm.offsets.get(num);
    if (at === undefined) throw new PdfSyntaxError(`object ${num} not in its object stream`);
    return new Lexer(stm.data, stm.first + at, false).value();
  }

  private objStm(n: number) {
    if (this.objStms.has(n)) return this.objStms.get(n)!;
    let r: { data: Buffer; offsets: Map<number, number>; first: number } | null = null;
    const s = this.get(n);
    if (s instanceof PdfStream && s.dict.name('Type') === 'ObjStm') {
      const data = decodeStream(s);
      const N = s.dict.get('N'); const first = s.dict.get('First');
      if (typeof N === 'number' && typeof first === 'number') {
        const lx = new Lexer(data, 0, false, first);
        const offsets = new Map<number, number>();
        for (let i = 0; i < N; i++) { const a = lx.value(); const b = lx.value(); if (typeof a === 'number' && typeof b === 'number') offsets.set(a, b); }
        r = { data, offsets, first };
      }
    }
    this.objStms.set(n, r);
    return r;
  }

  resolve(v: PdfValue | undefined): PdfValue | undefined { return v instanceof PdfRef ? this.get(v.num) : v; }
  dict(v: PdfValue | undefined): PdfDict | null { const r = this.resolve(v); return r instanceof PdfDict ? r : r instanceof PdfStream ? r.dict : null; }
  array(v: PdfValue | undefined): PdfValue[] | null { const r = this.resolve(v); return Array.isArray(r) ? r : null; }
  root(): PdfDict | null { return this.dict(this.trailer.get('Root')); }
}

/** A canonical text of a value, for comparing two versions of an object. */
export function canonical(v: PdfValue | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (v instanceof PdfName) return `/${v.name}`;
  if (v instanceof PdfRef) return `${v.num} ${v.gen} R`;
  if (v instanceof PdfString) return `<${v.bytes.toString('hex')}>`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(' ')}]`;
  if (v instanceof PdfDict) return `<<${[...v.map.keys()].sort().map((k) => `/${k} ${canonical(v.map.get(k))}`).join(' ')}>>`;
  return `${canonical(v.dict)}stream:${crypto.createHash('sha256').update(v.raw).digest('hex')}`;
}

/** Every reference inside a value (not following them). */
export function refsIn(v: PdfValue | undefined, out: PdfRef[] = []): PdfRef[] {
  if (v instanceof PdfRef) out.push(v);
  else if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v instanceof PdfDict) for (const x of v.map.values()) refsIn(x, out);
  else if (v instanceof PdfStream) refsIn(v.dict, out);
  return out;
}

import zlib from 'node:zlib';

/**
 * What a PDF expands to, measured before any PDF library loads it.
 *
 * A PDF is a list of objects, most of them compressed streams. A few hundred kilobytes of
 * deflate can inflate to gigabytes, and a PDF library inflates the structure streams (object
 * streams and cross-reference streams) completely, synchronously and into memory as soon as
 * it loads the file: a 150 KB upload once took 230 MB and blocked the server for seconds.
 * This scan inflates every Flate stream in chunks off the event loop (zlib's thread pool),
 * keeps nothing but counts, and stops at the first bound that is exceeded. It also notes
 * active content (JavaScript, launch actions, embedded files) wherever it is, compressed or not.
 */
export interface PdfLimits {
  /** Bytes the object and cross-reference streams may inflate to (they are what a loader keeps in memory). */
  maxStructureBytes: number;
  /** Bytes all Flate streams together may inflate to (page contents and images included). */
  maxInflatedBytes: number;
  /** Objects, counted in the file and inside object streams. */
  maxObjects: number;
  /** Page objects. */
  maxPages: number;
}

export const DEFAULT_PDF_LIMITS: PdfLimits = {
  maxStructureBytes: 64 * 1024 * 1024,
  maxInflatedBytes: 768 * 1024 * 1024,
  maxObjects: 500_000,
  maxPages: 3000,
};

export type PdfScan =
  | { ok: true; objects: number; pages: number; inflatedBytes: number; structureBytes: number; activeContent: string[] }
  | { ok: false; reason: 'structure' | 'inflated' | 'objects' | 'pages'; message: string };

const PAGE_RE = /\/Type\s*\/Page(?![s\w])/g;
/** Names that make a PDF do something when it is opened or clicked, beyond showing pages. */
const ACTIVE_RE = /\/(JavaScript|JS|Launch|OpenAction|AA|EmbeddedFile|RichMedia|XFA|SubmitForm|ImportData|GoToE)(?![A-Za-z0-9])/g;
/** Of those, what runs code or reaches out (not merely an open view or page action): a browser must never open it inline. */
const SCRIPTED = new Set(['JavaScript', 'JS', 'Launch', 'SubmitForm', 'ImportData', 'RichMedia', 'XFA', 'GoToE', 'EmbeddedFile']);
/** Whether a scan found scripts or embedded files, or the PDF was beyond the bounds (then it is not opened either). */
export const isScripted = (scan: PdfScan): boolean => !scan.ok || scan.activeContent.some((n) => SCRIPTED.has(n));
const OBJ_RE = /(?:^|[\s>\]])(\d{1,10})\s+(\d{1,5})\s+obj\b/g;

const mib = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text)) n++;
  return n;
}

function activeNames(text: string, into: Set<string>): void {
  ACTIVE_RE.lastIndex = 0;
  for (let m = ACTIVE_RE.exec(text); m; m = ACTIVE_RE.exec(text)) into.add(m[1]);
}

/**
 * Inflate `data` chunk by chunk without keeping the output, calling `onChunk` for each piece;
 * resolves with the inflated size, or with `budget + 1` as soon as the budget is passed.
 * A damaged stream resolves with what inflated before the damage.
 */
function inflateCounting(data: Buffer, budget: number, onChunk?: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve) => {
    const z = zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: 64 * 1024 });
    let n = 0;
    let settled = false;
    const done = (v: number) => { if (!settled) { settled = true; resolve(v); } };
    z.on('data', (c: Buffer) => {
      n += c.length;
      if (n > budget) { z.destroy(); done(budget + 1); return; }
      onChunk?.(c);
    });
    z.on('end', () => done(n));
    z.on('error', () => done(n));
    z.on('close', () => done(n));
    z.end(data);
  });
}

interface StreamSpan { dict: string; start: number; end: number }

/** Every `<< ... >> stream ... endstream` in the file, with its dictionary. */
function* streams(buf: Buffer, text: string): Generator<StreamSpan> {
  const re = /stream(\r\n|\n|\r)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const kw = m.index;
    if (text.slice(Math.max(0, kw - 3), kw) === 'end') continue;
    // The dictionary ends right before the keyword; it starts after the object header.
    const before = text.slice(Math.max(0, kw - 2048), kw);
    if (!/>>\s*$/.test(before)) continue;
    let header = -1;
    const hre = /\d+\s+\d+\s+obj\b/g;
    for (let h = hre.exec(before); h; h = hre.exec(before)) header = h.index;
    const dict = header >= 0 ? before.slice(header) : before;
    const start = kw + m[0].length;
    const lenMatch = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    let end = -1;
    if (lenMatch) {
      const len = Number(lenMatch[1]);
      if (start + len <= buf.length && /^\s*endstream/.test(text.slice(start + len, start + len + 20))) end = start + len;
    }
    if (end < 0) {
      end = text.indexOf('endstream', start);
      if (end < 0) end = buf.length;
    }
    re.lastIndex = end;
    yield { dict, start, end };
  }
}

export async function scanPdf(buf: Buffer, limits: PdfLimits = DEFAULT_PDF_LIMITS): Promise<PdfScan> {
  // latin1 keeps one character per byte, so offsets in the text are offsets in the buffer.
  const text = buf.toString('latin1');
  const active = new Set<string>();
  let objects = countMatches(OBJ_RE, text);
  let pages = countMatches(PAGE_RE, text);
  activeNames(text, active);
  let inflated = 0;
  let structure = 0;
  const tooMany = (): PdfScan | null => {
    if (objects > limits.maxObjects) return { ok: false, reason: 'objects', message: `memuat lebih dari ${limits.maxObjects.toLocaleString('id-ID')} objek` };
    if (pages > limits.maxPages) return { ok: false, reason: 'pages', message: `memuat lebih dari ${limits.maxPages.toLocaleString('id-ID')} halaman` };
    return null;
  };
  const early = tooMany();
  if (early) return early;
  for (const s of streams(buf, text)) {
    if (!/\/FlateDecode\b|\/Fl\b/.test(s.dict)) continue;
    const isStructure = /\/Type\s*\/(ObjStm|XRef)\b/.test(s.dict);
    const n = /\/N\s+(\d+)/.exec(s.dict);
    if (isStructure && n) objects += Number(n[1]);
    const data = buf.subarray(s.start, s.end);
    const budget = Math.min(limits.maxInflatedBytes - inflated, isStructure ? limits.maxStructureBytes - structure : Infinity);
    // Structure streams are searched for pages and active content; the pattern may straddle
    // two chunks, so each chunk is searched together with the end of the one before.
    let tail = '';
    const size = await inflateCounting(data, budget, isStructure ? (c) => {
      const t = tail + c.toString('latin1');
      pages += countMatches(PAGE_RE, t) - countMatches(PAGE_RE, tail);
      activeNames(t, active);
      tail = t.slice(-64);
    } : (c) => {
      // Page contents and images are only searched for active-content names, cheaply.
      if (c.includes('/J') || c.includes('/Launch') || c.includes('/Open')) activeNames(c.toString('latin1'), active);
    });
    if (size > budget) {
      if (isStructure && structure + size > limits.maxStructureBytes) return { ok: false, reason: 'structure', message: `strukturnya mengembang melebihi ${mib(limits.maxStructureBytes)} saat dibuka` };
      return { ok: false, reason: 'inflated', message: `isinya mengembang melebihi ${mib(limits.maxInflatedBytes)} saat dibuka` };
    }
    inflated += size;
    if (isStructure) structure += size;
    const over = tooMany();
    if (over) return over;
  }
  return { ok: true, objects, pages, inflatedBytes: inflated, structureBytes: structure, activeContent: [...active].sort() };
}

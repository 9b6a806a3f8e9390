/**
 * A minimal DER reader: enough to walk CMS SignedData and X.509 certificates while keeping the
 * exact bytes of each element (signatures are computed over bytes, never over a re-encoding).
 */
export interface Tlv {
  tag: number;          // first identifier octet (class + constructed bit + tag number < 31)
  start: number;        // offset of the identifier octet in the buffer
  headerLength: number; // identifier + length octets
  length: number;       // content length
  end: number;          // offset just after the element
  buf: Buffer;
}

export class DerError extends Error {}

export function readTlv(buf: Buffer, pos: number, limit = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError('DER: truncated element');
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError('DER: high tag numbers are not supported');
  let len = buf[pos + 1];
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('DER: indefinite or oversized length');
    if (pos + 2 + n > limit) throw new DerError('DER: truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + 2 + i];
    hdr += n;
  }
  const end = pos + hdr + len;
  if (end > limit) throw new DerError('DER: element runs past its container');
  return { tag, start: pos, headerLength: hdr, length: len, end, buf };
}

/** The element's complete encoding (identifier, length and content). */
export const raw = (t: Tlv): Buffer => t.buf.subarray(t.start, t.end);
/** The element's content octets. */
export const content = (t: Tlv): Buffer => t.buf.subarray(t.start + t.headerLength, t.end);

/** The children of a constructed element. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = t.start + t.headerLength;
  while (p < t.end) { const c = readTlv(t.buf, p, t.end); out.push(c); p = c.end; }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER element. */
export function oid(t: Tlv): string {
  if (t.tag !== 0x06) throw new DerError('DER: expected an OBJECT IDENTIFIER');
  const b = content(t);
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      if (!parts.length) { const first = v < 80 ? Math.floor(v / 40) : 2; parts.push(first, v - first * 40); } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

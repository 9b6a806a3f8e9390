/**
 * A small, dependency-free PDF writer for demo scans and test fixtures: one F4 page that
 * looks like an incoming official letter (kop, nomor, hal, body, signature block). It uses
 * the standard Helvetica fonts, so it needs no Chromium and renders in any PDF reader.
 */
export interface SampleLetter {
  agencyLines: string[];   // kop, e.g. ['PEMERINTAH KABUPATEN SINDANGRAJA', 'DINAS PENDIDIKAN']
  address: string;
  place: string; date: string; number: string; sifat: string; lampiran: string; hal: string;
  to: string[]; body: string[]; signerTitle: string; signerName: string; signerNip?: string;
}

const esc = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if ((line + ' ' + w).trim().length > width) { out.push(line); line = w; } else line = (line + ' ' + w).trim();
  }
  if (line) out.push(line);
  return out;
}

export function samplePdf(l: SampleLetter): Buffer {
  const W = 609, H = 935;
  const ops: string[] = [];
  const text = (x: number, y: number, s: string, size = 11, bold = false) =>
    ops.push(`BT /${bold ? 'F2' : 'F1'} ${size} Tf ${x.toFixed(1)} ${y.toFixed(1)} Td (${esc(s)}) Tj ET`);
  const centered = (y: number, s: string, size: number, bold = false) => text(W / 2 + 12 - (s.length * size * (bold ? 0.3 : 0.27)), y, s, size, bold);
  // Emblem placeholder: a shield outline left of the kop.
  ops.push('0.2 0.2 0.2 RG 1.2 w 60 860 m 100 860 l 100 830 l 80 812 l 60 830 l h S');
  let y = 880;
  l.agencyLines.forEach((s, i) => { centered(y, s, i === 0 ? 13 : 15, i > 0); y -= 18; });
  centered(y, l.address, 9); y -= 10;
  ops.push(`1.5 w 60 ${y} m ${W - 55} ${y} l S 0.5 w 60 ${y - 3} m ${W - 55} ${y - 3} l S`);
  y -= 28;
  text(W - 230, y, `${l.place}, ${l.date}`);
  for (const [k, v] of [['Nomor', l.number], ['Sifat', l.sifat], ['Lampiran', l.lampiran], ['Hal', l.hal]]) {
    text(85, y, k); text(140, y, `: ${v}`); y -= 15;
  }
  y -= 10;
  text(W - 230, y, 'Yth.'); y -= 15;
  for (const s of l.to) { text(W - 230, y, s); y -= 15; }
  y -= 15;
  for (const p of l.body) {
    for (const line of wrap(p, 88)) { text(85, y, line); y -= 15; }
    y -= 7;
  }
  y -= 20;
  text(W - 260, y, l.signerTitle); y -= 70;
  text(W - 260, y, l.signerName, 11, true); y -= 15;
  if (l.signerNip) text(W - 260, y, `NIP. ${l.signerNip}`);
  const content = ops.join('\n');

  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${W} ${H}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => { offsets.push(Buffer.byteLength(pdf, 'latin1')); pdf += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

export type NumberTokens = { seq: number; year: number; month: number; klasifikasi?: string; unit?: string };

/**
 * Render a number format. Tokens: {seq} or {seq:4} (zero-padded), {year}, {month} (01-12),
 * {roman} (month as I-XII), {klasifikasi}, {unit}. Unknown tokens are refused up front by
 * validateFormat so a typo in configuration fails at start-up, not at registration.
 */
export function formatNumber(format: string, t: NumberTokens): string {
  return format.replace(/\{(\w+)(?::(\d+))?\}/g, (_m, name: string, pad?: string) => {
    switch (name) {
      case 'seq': return pad ? String(t.seq).padStart(Number(pad), '0') : String(t.seq);
      case 'year': return String(t.year);
      case 'month': return String(t.month).padStart(2, '0');
      case 'roman': return ROMAN[t.month - 1];
      case 'klasifikasi': return t.klasifikasi ?? '';
      case 'unit': return t.unit ?? '';
      default: throw new Error(`unknown token {${name}}`);
    }
  });
}

export function validateFormat(format: string): string | null {
  if (!/\{seq(?::\d+)?\}/.test(format)) return 'format harus memuat {seq}';
  const bad = [...format.matchAll(/\{(\w+)(?::\d+)?\}/g)].map((m) => m[1]).filter((n) => !['seq', 'year', 'month', 'roman', 'klasifikasi', 'unit'].includes(n));
  return bad.length ? `token tidak dikenal: ${bad.join(', ')}` : null;
}

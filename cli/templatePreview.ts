import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { boot } from '../platform/boot';
import { closePdfRenderer } from '../platform/pdfRenderer';
import { closeTemplateSandbox } from '../modules/templat';
import { getTemplate, listAllTemplates } from '../modules/templat';
import { pdfPageCount } from '../modules/templat';
import { previewTemplatePdf, type PreviewData } from '../modules/templat';

export const TEMPLATE_PREVIEW_USAGE = 'Gunakan: naskah template:preview <templat> [--data <berkas.json>] --out <berkas.pdf>';

/**
 * `naskah template:preview <template> [--data file.json] --out file.pdf`: a template rendered
 * as a draft letter (KONSEP) with its sample data, or with the data in the file: either the
 * field values, or { "values": {...}, "reference": {...}, "addressees": [...], ... }.
 */
export async function templatePreviewCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { data: { type: 'string' }, out: { type: 'string' } } });
  } catch (err) {
    console.error(`${(err as Error).message}\n${TEMPLATE_PREVIEW_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const key = positionals[0];
  if (!key || positionals.length > 1 || !values.out) { console.error(TEMPLATE_PREVIEW_USAGE); return 2; }
  let data: PreviewData | null = null;
  if (values.data) {
    let text: string;
    try { text = fs.readFileSync(values.data, 'utf8'); } catch (err) { console.error(`Berkas data tidak dapat dibaca: ${values.data} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`); return 1; }
    try { data = JSON.parse(text) as PreviewData; } catch (err) { console.error(`Berkas data bukan JSON yang sah: ${(err as Error).message}`); return 1; }
    if (!data || typeof data !== 'object' || Array.isArray(data)) { console.error('Berkas data harus berisi objek JSON: nilai isian, atau { "values": { ... } }.'); return 1; }
  }
  await boot();
  try {
    const tpl = await getTemplate(key);
    if (!tpl) {
      console.error(`Templat tidak dikenal: ${key}. Templat yang ada: ${(await listAllTemplates()).map((t) => t.key).join(', ')}`);
      return 1;
    }
    const pdf = await previewTemplatePdf(tpl, data);
    fs.writeFileSync(values.out, pdf);
    console.log(`Pratinjau "${tpl.name}" (versi ${tpl.version}, ${data ? 'data dari ' + values.data : 'data contoh'}) ditulis ke ${values.out}: ${pdfPageCount(pdf)} halaman, ${pdf.length} byte.`);
    return 0;
  } finally {
    await closePdfRenderer();
    await closeTemplateSandbox();
  }
}

import { loadConfig, setConfig } from '../config';
import { boot } from '../platform/boot';
import { createSequelize, setDb } from '../platform/db';
import { LocalBlobStore, setBlobStore } from '../platform/blobstore';
import { seedDemo } from '../seed/demo';
import { getTemplate, parseTemplateValues, renderTemplateBody } from '../modules/templat/letterTemplates';
import { previewLetterDoc } from '../modules/templat/templatePreview';
import type { LetterDoc } from '../modules/templat/letterRender';

/**
 * The letter the PDF benchmarks render: the demo organization in an in-memory SQLite database
 * (production settings), and the .go.id reply template with its sample values. `letterDoc()`
 * writes the body through the template sandbox each time, as a real letter would be.
 */
export async function benchLetterFixture(blobDir: string): Promise<{ letterDoc: () => Promise<LetterDoc> }> {
  setConfig(loadConfig({ ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-0123456789abcdef', DB_URL: 'sqlite::memory:', BLOB_DIR: blobDir, DEMO_SEED: 'never' }));
  setBlobStore(new LocalBlobStore(blobDir));
  setDb(createSequelize());
  await boot();
  await seedDemo({ letters: false });
  const tpl = (await getTemplate('balasan-domain-go-id'))!;
  const base = await previewLetterDoc(tpl);
  const values = parseTemplateValues(tpl, tpl.sample).values;
  const ref = tpl.preview!.reference!;
  const ctx = { reference: { ...ref, letterDate: new Date(`${ref.letterDate}T00:00:00Z`) }, applicantName: ref.senderName, today: new Date() };
  const at = new Date();
  return {
    letterDoc: async () => ({
      ...base, bodyHtml: await renderTemplateBody(tpl.key, values, ctx), number: '400.14.2.1/123/Diskominfo/2026', date: at, watermark: null,
      parafs: [{ name: 'Rina Marlina, S.T.', title: 'Kepala Seksi e-Government', at }, { name: 'Yudi Setiawan, S.T., M.Kom.', title: 'Kepala Bidang Aplikasi Informatika', at }],
    }),
  };
}

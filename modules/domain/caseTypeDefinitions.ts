import { z } from 'zod';

/**
 * Case types of the Pejabat Domain as data (issue #6). A definition lists the steps of one SOP
 * (who acts, the SOP time, what the step needs and produces) and the document checklist. The
 * step *kinds* are the only part in code: each kind is a form and an effect the case service
 * knows how to apply (modules/domain/domainCases.ts). An admin edits a definition as JSON; every
 * save is a new version, and a case keeps the version it was opened with.
 */
export const STEP_KINDS = [
  'periksa', 'sekda_kirim', 'sekda_kembali', 'preflight', 'unggah', 'jawaban', 'pembayaran', 'aktivasi',
  'registrar_selesai', 'verifikasi_dc', 'keputusan', 'buat_dc', 'laporan',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const STEP_KIND_LABEL: Record<StepKind, string> = {
  periksa: 'Pemeriksaan / konfirmasi', sekda_kirim: 'Surat pengantar ke Sekda', sekda_kembali: 'Surat bertanda tangan Sekda kembali',
  preflight: 'Pemeriksaan kelengkapan (siap unggah)', unggah: 'Unggah ke registrar', jawaban: 'Jawaban registrar', pembayaran: 'Pembayaran',
  aktivasi: 'Aktivasi', registrar_selesai: 'Konfirmasi registrar', verifikasi_dc: 'Verifikasi Data Center', keputusan: 'Keputusan Pejabat Domain',
  buat_dc: 'Pelaksanaan di Data Center', laporan: 'Surat laporan ke pemohon',
};

export const STEP_ACTORS = ['pejabat_domain', 'operator_dc', 'sekda', 'registrar', 'skpd', 'kepala'] as const;
export type StepActor = (typeof STEP_ACTORS)[number];
export const STEP_ACTOR_LABEL: Record<StepActor, string> = {
  pejabat_domain: 'Pejabat Domain', operator_dc: 'Pengelola Data Center', sekda: 'Sekretaris Daerah', registrar: 'Registrar (domain.go.id)',
  skpd: 'Perangkat daerah pemohon', kepala: 'Kepala Dinas',
};

export const EFFECTS = ['daftar', 'ubah', 'hapus', 'suspensi', 'ambil_alih'] as const;
export type RegistryEffect = (typeof EFFECTS)[number];
export const EFFECT_LABEL: Record<RegistryEffect, string> = {
  daftar: 'Pendaftaran nama baru', ubah: 'Perubahan data', hapus: 'Penghapusan', suspensi: 'Suspensi', ambil_alih: 'Pengambilan pengelolaan',
};

const key = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'kunci hanya huruf kecil, angka dan tanda hubung (maks. 40)');
const sopTime = z.object({ amount: z.number().positive().max(1000), unit: z.enum(['menit', 'jam', 'hari']) });
const nameKind = z.enum(['go.id', 'desa.id', 'subdomain']);

export const STEP_SCHEMA = z.object({
  key,
  label: z.string().min(3).max(200),
  kind: z.enum(STEP_KINDS),
  actor: z.enum(STEP_ACTORS),
  sop: sopTime,
  needs: z.string().max(500).default(''),
  produces: z.string().max(500).default(''),
  /** jawaban: the step a "revisi" answer goes back to. */
  loopTo: key.optional(),
  /** sekda_kembali: the checklist slot the signed letter is uploaded to. */
  slot: key.optional(),
});
export type CaseStep = z.infer<typeof STEP_SCHEMA>;

export const SLOT_SCHEMA = z.object({
  key,
  label: z.string().min(3).max(300),
  required: z.boolean(),
  /** Only for these name kinds (e.g. the perda for .desa.id); all when absent. */
  kinds: z.array(nameKind).optional(),
  help: z.string().max(500).default(''),
});
export type ChecklistSlot = z.infer<typeof SLOT_SCHEMA>;

export const DEFINITION_SCHEMA = z.object({
  name: z.string().min(3).max(200),
  path: z.enum(['registrar', 'lokal']),
  sop: z.string().max(100),
  nameKinds: z.array(nameKind).min(1),
  effect: z.enum(EFFECTS),
  /** Ask for the hosting need (disk, stack, app) on the request. */
  hosting: z.boolean().default(false),
  /** The registrar's upload limits apply to the checklist documents. */
  registrarLimits: z.boolean().default(false),
  /** Templates the case offers to draft letters with, by purpose. */
  letters: z.array(z.object({
    key, label: z.string().min(3).max(200), template: z.string().min(1).max(80),
    /** Values for the template's fields; "{name}", "{applicant}", "{purpose}", "{missing}", "{tracking}", "{contact}", "{activated}", "{reason}", "{documents}", "{result}" are filled from the case. */
    values: z.record(z.string(), z.string()).default({}),
    /** Sekda cover letter: linked as the case's sekdaLetter; reply: linked as the report letter that closes the case. */
    role: z.enum(['sekda', 'balasan']),
    /** Offered when the case outcome is this (balasan letters); always when absent. */
    when: z.enum(['disetujui', 'ditolak', 'belum_lengkap']).optional(),
  })).default([]),
  steps: z.array(STEP_SCHEMA).min(2).max(30),
  checklist: z.array(SLOT_SCHEMA).max(30),
}).superRefine((d, ctx) => {
  const keys = d.steps.map((s) => s.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) ctx.addIssue({ code: 'custom', message: `kunci langkah "${dup}" dipakai dua kali`, path: ['steps'] });
  const slotKeys = d.checklist.map((s) => s.key);
  const dupSlot = slotKeys.find((k, i) => slotKeys.indexOf(k) !== i);
  if (dupSlot) ctx.addIssue({ code: 'custom', message: `kunci dokumen "${dupSlot}" dipakai dua kali`, path: ['checklist'] });
  d.steps.forEach((s, i) => {
    if (s.kind === 'jawaban') {
      const target = s.loopTo ? keys.indexOf(s.loopTo) : -1;
      if (target < 0 || target >= i) ctx.addIssue({ code: 'custom', message: `langkah "${s.key}" (jawaban) butuh loopTo ke langkah sebelumnya`, path: ['steps', i, 'loopTo'] });
    }
    if (s.kind === 'sekda_kembali' && (!s.slot || !slotKeys.includes(s.slot))) {
      ctx.addIssue({ code: 'custom', message: `langkah "${s.key}" butuh slot dokumen yang ada di daftar periksa`, path: ['steps', i, 'slot'] });
    } else if (s.kind === 'sekda_kembali' && d.checklist.find((c) => c.key === s.slot)?.kinds) {
      ctx.addIssue({ code: 'custom', message: `slot "${s.slot}" untuk langkah "${s.key}" harus berlaku untuk semua jenis nama (tanpa "kinds")`, path: ['steps', i, 'slot'] });
    }
  });
  const effectKinds = d.path === 'registrar' ? (d.effect === 'daftar' ? ['aktivasi'] : ['registrar_selesai', 'aktivasi']) : ['buat_dc'];
  if (d.steps.length && !d.steps.some((s) => effectKinds.includes(s.kind))) {
    ctx.addIssue({ code: 'custom', message: `jenis ini butuh langkah yang mencatat hasilnya di registri (${effectKinds.join(' atau ')})`, path: ['steps'] });
  }
  const last = d.steps.length ? d.steps[d.steps.length - 1] : undefined;
  if (!last || last.kind !== 'laporan') ctx.addIssue({ code: 'custom', message: 'langkah terakhir harus berjenis "laporan" (surat laporan ke pemohon)', path: ['steps'] });
  if (d.steps.filter((s) => s.kind === 'laporan').length !== 1) ctx.addIssue({ code: 'custom', message: 'harus ada tepat satu langkah "laporan"', path: ['steps'] });
});
export type CaseTypeDefinition = z.infer<typeof DEFINITION_SCHEMA>;

/** Parse a stored or submitted definition; the error lists every problem in Indonesian with its place. */
export function parseDefinition(json: string): { ok: true; def: CaseTypeDefinition } | { ok: false; errors: string[] } {
  let raw: unknown;
  try { raw = JSON.parse(json); } catch (err) { return { ok: false, errors: [`JSON tidak valid: ${(err as Error).message}`] }; }
  const r = DEFINITION_SCHEMA.safeParse(raw);
  if (r.success) return { ok: true, def: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${issueText(i)}`) };
}

const TYPE_NAME: Record<string, string> = { string: 'teks', number: 'angka', boolean: 'true/false', array: 'daftar [...]', object: 'objek {...}' };
/** zod's issues in Indonesian (our own messages are already). */
function issueText(i: z.core.$ZodIssue): string {
  const unit = (origin: unknown) => (origin === 'string' ? ' karakter' : origin === 'array' ? ' butir' : '');
  switch (i.code) {
    case 'too_small': return `minimal ${String(i.minimum)}${unit(i.origin)}`;
    case 'too_big': return `maksimal ${String(i.maximum)}${unit(i.origin)}`;
    case 'invalid_type': return `harus berupa ${TYPE_NAME[i.expected] ?? i.expected}`;
    case 'invalid_value': return `harus salah satu dari: ${i.values.map(String).join(', ')}`;
    case 'unrecognized_keys': return `isian tidak dikenal: ${i.keys.join(', ')}`;
    default: return i.message;
  }
}

/** The checklist slots that apply to a case of this name kind. */
export const slotsFor = (def: CaseTypeDefinition, kind: string): ChecklistSlot[] => def.checklist.filter((s) => !s.kinds || s.kinds.includes(kind as never));

// ---------------------------------------------------------------------------------------------
// Seed definitions, from the Wonosobo SOP 38-46 (../shared/sop/004_*.txt) and the registrar facts
// in DOMAIN.md. Revised by an admin at /admin/jenis-kasus-domain without a code change.

const t = (amount: number, unit: 'menit' | 'jam' | 'hari') => ({ amount, unit });
type StepIn = Omit<CaseStep, 'needs' | 'produces'> & { needs?: string; produces?: string };
const step = (s: StepIn): CaseStep => ({ needs: '', produces: '', ...s });

const registrarSlots = (effect: RegistryEffect): ChecklistSlot[] => {
  const base: ChecklistSlot[] = [
    { key: 'surat-permohonan', label: 'Surat permohonan yang ditandatangani Sekretaris Daerah (untuk .desa.id: oleh pejabat atas nama Bupati, ditujukan kepada Dirjen Aptika)', required: true, help: 'Pindaian surat yang sudah ditandatangani dan berstempel, PDF.' },
  ];
  if (effect === 'daftar') {
    base.push(
      { key: 'sk-pejabat', label: 'Surat penunjukan / SK Pejabat Pengelola Nama Domain (minimal pejabat Administrator atau JF Ahli Madya untuk .desa.id)', required: true, help: '' },
      { key: 'surat-kuasa', label: 'Surat kuasa kepada Pejabat Pengelola Nama Domain (untuk .desa.id: dari kepala desa)', required: true, help: '' },
      { key: 'identitas', label: 'Kartu identitas penanggung jawab (KTP dan kartu ASN)', required: true, help: 'JPG atau PDF yang terbaca jelas.' },
      { key: 'perda-desa', label: 'Peraturan daerah tentang pembentukan desa', required: true, kinds: ['desa.id'], help: '' },
    );
  } else if (effect === 'ambil_alih') {
    base.push(
      { key: 'kronologi', label: 'Laporan kronologi serangan siber dan bukti pengelolaan domain', required: true, help: '' },
      { key: 'sk-pejabat', label: 'SK Pejabat Pengelola Nama Domain yang berlaku', required: true, help: '' },
      { key: 'identitas', label: 'Kartu identitas penanggung jawab (KTP dan kartu ASN)', required: true, help: '' },
    );
  } else {
    base.push(
      { key: 'dokumen-pendukung', label: effect === 'ubah' ? 'Dokumen pendukung perubahan data (data lama dan data baru)' : 'Dokumen pendukung (alasan dan persetujuan pimpinan)', required: true, help: '' },
      { key: 'identitas', label: 'Kartu identitas penanggung jawab (KTP dan kartu ASN)', required: false, help: '' },
    );
  }
  return base;
};

const registrarSteps = (effect: RegistryEffect): CaseStep[] => {
  const steps: CaseStep[] = [
    step({ key: 'terima', label: 'Surat permohonan perangkat daerah diterima dan diparaf Kepala Dinas Kominfo', kind: 'periksa', actor: 'pejabat_domain', sop: t(1, 'hari'), needs: 'Surat permohonan dan kelengkapan persyaratan', produces: 'Surat berparaf Kepala Dinas Kominfo' }),
    step({ key: 'sekda-kirim', label: 'Surat permohonan dikirim ke Sekretaris Daerah untuk ditandatangani', kind: 'sekda_kirim', actor: 'pejabat_domain', sop: t(1, 'hari'), needs: 'Surat pengantar ke Sekda', produces: 'Surat pengantar terkirim' }),
    step({ key: 'sekda-kembali', label: 'Surat bertanda tangan Sekretaris Daerah kembali ke Dinas Kominfo', kind: 'sekda_kembali', actor: 'sekda', sop: t(3, 'hari'), slot: 'surat-permohonan', needs: 'Tanda tangan Sekda', produces: 'Pindaian surat bertanda tangan Sekda' }),
    step({ key: 'kelengkapan', label: 'Kelengkapan dokumen diperiksa, siap diunggah', kind: 'preflight', actor: 'pejabat_domain', sop: t(1, 'hari'), needs: 'Semua dokumen wajib lengkap dan sesuai batas registrar', produces: 'Berkas siap unggah' }),
    step({ key: 'unggah', label: effect === 'daftar' ? 'Dokumen diunggah ke domain.go.id' : 'Dokumen dikirim ke pengelola nama domain (unggah atau e-mail)', kind: 'unggah', actor: 'pejabat_domain', sop: t(1, 'jam'), needs: 'Paket pengajuan', produces: 'Tanggal dan nomor referensi pengajuan' }),
    step({ key: 'jawaban', label: 'Jawaban registrar atas verifikasi dokumen', kind: 'jawaban', actor: 'registrar', sop: t(3, 'hari'), loopTo: 'kelengkapan', needs: 'Verifikasi otomatis dan manual registrar (3x24 jam)', produces: 'Disetujui, atau catatan revisi' }),
  ];
  if (effect === 'daftar') {
    steps.push(
      step({ key: 'pembayaran', label: 'Pembayaran biaya nama domain', kind: 'pembayaran', actor: 'pejabat_domain', sop: t(1, 'hari'), needs: 'Konfirmasi persetujuan dari registrar', produces: 'Bukti transfer bank' }),
      step({ key: 'aktivasi', label: 'Konfirmasi aktivasi nama domain diterima', kind: 'aktivasi', actor: 'registrar', sop: t(1, 'hari'), needs: 'E-mail konfirmasi pembayaran', produces: 'Nama domain aktif' }),
    );
  } else {
    steps.push(step({ key: 'konfirmasi', label: `Konfirmasi ${EFFECT_LABEL[effect].toLowerCase()} dari registrar`, kind: 'registrar_selesai', actor: 'registrar', sop: t(1, 'hari'), needs: 'Persetujuan registrar', produces: 'Data nama domain diperbarui' }));
  }
  steps.push(step({ key: 'laporan', label: 'Surat laporan kepada perangkat daerah pemohon', kind: 'laporan', actor: 'pejabat_domain', sop: t(1, 'hari'), needs: 'Konfirmasi registrar', produces: 'Surat resmi bertanda tangan, terkirim' }));
  return steps;
};

const localSteps = (effect: RegistryEffect): CaseStep[] => [
  step({ key: 'koordinasi', label: 'Disposisi diterima, Pejabat Domain berkoordinasi dengan Pengelola Data Center', kind: 'periksa', actor: 'pejabat_domain', sop: t(2, 'hari'), needs: 'Disposisi Kepala Dinas', produces: 'Laporan hasil koordinasi' }),
  step({ key: 'verifikasi-dc', label: effect === 'daftar' ? 'Data Center memeriksa ketersediaan, format nama dan alokasi disk' : 'Data Center memeriksa dokumen dan kondisi subdomain', kind: 'verifikasi_dc', actor: 'operator_dc', sop: t(10, 'menit'), needs: 'Cek sistem', produces: 'Laporan hasil verifikasi' }),
  step({ key: 'keputusan', label: 'Keputusan Pejabat Domain: disetujui atau ditolak', kind: 'keputusan', actor: 'pejabat_domain', sop: t(15, 'menit'), needs: 'Laporan hasil verifikasi', produces: 'Keputusan' }),
  step({ key: 'pelaksanaan', label: effect === 'daftar' ? 'Data Center membuat subdomain' : `Data Center melaksanakan ${EFFECT_LABEL[effect].toLowerCase()} subdomain`, kind: 'buat_dc', actor: 'operator_dc', sop: t(3, 'jam'), needs: 'Keputusan disetujui', produces: 'Subdomain diperbarui' }),
  step({ key: 'konfirmasi', label: 'Konfirmasi dari Data Center bahwa subdomain siap', kind: 'periksa', actor: 'pejabat_domain', sop: t(1, 'jam'), needs: 'Konfirmasi Pengelola Data Center', produces: 'Laporan subdomain siap' }),
  step({ key: 'laporan', label: 'Surat laporan kepada perangkat daerah pemohon', kind: 'laporan', actor: 'pejabat_domain', sop: t(1, 'hari'), needs: 'Konfirmasi Data Center', produces: 'Surat resmi bertanda tangan, terkirim' }),
];

const localSlots = (effect: RegistryEffect): ChecklistSlot[] => [
  { key: 'surat-permohonan', label: 'Surat permohonan perangkat daerah yang ditandatangani kepala perangkat daerah', required: true, help: '' },
  { key: 'formulir', label: effect === 'daftar' ? 'Formulir permohonan subdomain dan hosting' : 'Formulir / data pendukung perubahan', required: effect !== 'daftar', help: '' },
];

const goIdLetters = [
  { key: 'pengantar-sekda', label: 'Surat pengantar ke Sekda', template: 'pengantar-sekda-domain', role: 'sekda' as const, values: { namaDomain: '{name}', pemohon: '{applicant}', peruntukan: '{purpose}', dokumen: '{documents}' } },
  { key: 'balasan-disetujui', label: 'Balasan: disetujui (domain aktif)', template: 'balasan-domain-go-id', role: 'balasan' as const, when: 'disetujui' as const, values: { namaDomain: '{name}', keputusan: 'disetujui', tanggalAktif: '{activated}', narahubung: '{contact}' } },
  { key: 'balasan-belum-lengkap', label: 'Balasan: berkas belum lengkap', template: 'balasan-domain-go-id', role: 'balasan' as const, when: 'belum_lengkap' as const, values: { namaDomain: '{name}', keputusan: 'berkas belum lengkap', kekurangan: '{missing}', batasHari: '5', narahubung: '{contact}' } },
  { key: 'balasan-ditolak', label: 'Balasan: ditolak', template: 'balasan-domain-go-id', role: 'balasan' as const, when: 'ditolak' as const, values: { namaDomain: '{name}', keputusan: 'ditolak', alasan: '{reason}', narahubung: '{contact}' } },
];
const subLetters = [
  { key: 'balasan-aktif', label: 'Balasan: subdomain aktif', template: 'balasan-subdomain', role: 'balasan' as const, when: 'disetujui' as const, values: { subdomain: '{name}', keputusan: 'aktif', tanggalAktif: '{activated}', peruntukan: '{purpose}', narahubung: '{contact}' } },
  { key: 'balasan-ditolak', label: 'Balasan: ditolak', template: 'balasan-subdomain', role: 'balasan' as const, when: 'ditolak' as const, values: { subdomain: '{name}', keputusan: 'ditolak', alasan: '{reason}', peruntukan: '{purpose}', narahubung: '{contact}' } },
];
const generalLetters = [
  { key: 'balasan', label: 'Surat laporan (Surat Dinas)', template: 'surat-dinas', role: 'balasan' as const, values: { isi: '{result}', penutup: 'Demikian disampaikan, atas perhatian Saudara diucapkan terima kasih.' } },
];

export interface SeedType { key: string; sortOrder: number; def: CaseTypeDefinition }
const reg = (key: string, sortOrder: number, sop: string, name: string, effect: RegistryEffect): SeedType => ({
  key, sortOrder, def: DEFINITION_SCHEMA.parse({
    name, path: 'registrar', sop, nameKinds: ['go.id', 'desa.id'], effect, hosting: false, registrarLimits: true,
    letters: effect === 'daftar' ? goIdLetters : [goIdLetters[0], ...generalLetters], steps: registrarSteps(effect), checklist: registrarSlots(effect),
  }),
});
const loc = (key: string, sortOrder: number, sop: string, name: string, effect: RegistryEffect): SeedType => ({
  key, sortOrder, def: DEFINITION_SCHEMA.parse({
    name, path: 'lokal', sop, nameKinds: ['subdomain'], effect, hosting: effect === 'daftar' || effect === 'ubah', registrarLimits: false,
    letters: effect === 'daftar' ? subLetters : [...generalLetters, subLetters[1]], steps: localSteps(effect), checklist: localSlots(effect),
  }),
});

export const SEED_CASE_TYPES: SeedType[] = [
  reg('domain-baru', 10, 'SOP 38', 'Pengajuan nama domain baru .go.id / .desa.id', 'daftar'),
  reg('domain-ubah', 20, 'SOP 40', 'Perubahan data nama domain .go.id / .desa.id', 'ubah'),
  reg('domain-hapus', 30, 'SOP 42', 'Penghapusan nama domain .go.id / .desa.id', 'hapus'),
  reg('domain-suspensi', 40, 'SOP 44', 'Suspensi nama domain .go.id / .desa.id', 'suspensi'),
  reg('domain-ambil-alih', 50, 'SOP 46', 'Pengambilan pengelolaan nama domain karena serangan siber', 'ambil_alih'),
  loc('subdomain-baru', 60, 'SOP 39', 'Pengajuan subdomain baru', 'daftar'),
  loc('subdomain-ubah', 70, 'SOP 41', 'Perubahan subdomain', 'ubah'),
  loc('subdomain-hapus', 80, 'SOP 43', 'Penghapusan subdomain', 'hapus'),
  loc('subdomain-suspensi', 90, 'SOP 45', 'Suspensi subdomain', 'suspensi'),
];

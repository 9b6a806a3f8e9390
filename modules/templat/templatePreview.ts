import { Position } from '../../models';
import { ValidationError } from '../../platform/errors';
import { now } from '../../platform/clock';
import { holdersOf } from '../org';
import { parseTemplateValues, PREVIEW_SCHEMA, renderTemplateObject, zodMessage, type LetterTemplate, type TemplatePreview } from './letterTemplates';
import { renderLetterPdf, renderLetterHtml, type LetterDoc } from './letterRender';

/**
 * A template shown as a whole draft letter, with the KONSEP watermark: its sample values (or
 * data given by the caller) in the body, and around it the template's preview context (the
 * letter it answers, addressees, tembusan) and, as signer, whoever holds the signer's position
 * today. Used by the admin's preview button and by `naskah template:preview`.
 */

/**
 * Data for a preview: either the field values themselves, or an object with `values` and any
 * of the preview context's keys (reference, applicantName, perihal, sifat, lampiran,
 * addressees, tembusan, signerRole) to override the template's.
 */
export type PreviewData = Record<string, unknown>;

function splitData(tpl: LetterTemplate, data: PreviewData | null | undefined): { values: Record<string, unknown>; preview: TemplatePreview } {
  const base = tpl.preview ?? {};
  if (!data) return { values: tpl.sample, preview: base };
  if (data.values && typeof data.values === 'object' && !Array.isArray(data.values)) {
    const { values, ...rest } = data;
    const over = PREVIEW_SCHEMA.safeParse(rest);
    if (!over.success) throw new ValidationError({ data: `Data pratinjau tidak sah: ${zodMessage(over.error)}` });
    return { values: values as Record<string, unknown>, preview: { ...base, ...(over.data as TemplatePreview) } };
  }
  return { values: data, preview: base };
}

async function signerOf(role: TemplatePreview['signerRole']): Promise<LetterDoc['signer']> {
  const pos = await Position.findOne({ where: { role: role ?? 'kepala', active: true }, order: [['rank', 'ASC'], ['id', 'ASC']] });
  const holders = pos ? await holdersOf(pos.id) : [];
  const h = holders.find((x) => x.kind === 'definitif') ?? holders[0];
  if (!pos || !h) return { name: 'NAMA PEJABAT', nip: null, pangkat: null, title: pos?.name ?? 'Kepala Dinas', form: 'biasa' };
  const u = h.user;
  const pangkat = u.pangkat ? (u.golongan ? `${u.pangkat} (${u.golongan})` : u.pangkat) : u.golongan;
  return { name: u.name, nip: u.nip, pangkat, title: pos.name, form: h.kind === 'plt' ? 'plt' : h.kind === 'plh' ? 'plh' : 'biasa' };
}

/** The preview as a LetterDoc; a ValidationError (field -> message) when the values do not fit the template. */
export async function previewLetterDoc(tpl: LetterTemplate, data?: PreviewData | null): Promise<LetterDoc> {
  const { values: input, preview: p } = splitData(tpl, data);
  const { values, errors } = parseTemplateValues(tpl, input);
  if (Object.keys(errors).length) throw new ValidationError(errors, 'Data contoh tidak memenuhi isian templat.');
  const reference = p.reference ? { ...p.reference, letterDate: new Date(`${p.reference.letterDate}T00:00:00Z`) } : null;
  const body = await renderTemplateObject(tpl, values, { reference, applicantName: p.applicantName ?? reference?.senderName ?? null, today: now() });
  const signer = await signerOf(p.signerRole);
  const addressees = p.addressees?.length ? p.addressees : reference ? [{ name: reference.senderName, place: null }] : [{ name: 'Nama Penerima', place: null }];
  return {
    layout: tpl.layout, number: null, date: null, sifat: p.sifat ?? 'Biasa', lampiran: p.lampiran ?? '-', perihal: p.perihal ?? tpl.defaultPerihal,
    addressees, bodyHtml: body, signer, parafs: [], tembusan: p.tembusan ?? [], from: tpl.layout === 'nota_dinas' ? signer.title : null,
    watermark: 'KONSEP', stamp: null,
  };
}

export async function previewTemplatePdf(tpl: LetterTemplate, data?: PreviewData | null): Promise<Buffer> {
  return renderLetterPdf(await previewLetterDoc(tpl, data));
}

export async function previewTemplateHtml(tpl: LetterTemplate, data?: PreviewData | null): Promise<string> {
  return renderLetterHtml(await previewLetterDoc(tpl, data));
}

import { expect } from 'chai';
import { OutgoingLetter, Position } from '../../models';
import { csrfOf, type Agent } from './app';
import { positionByRole } from './factories';

/** The demo's Kepala Seksi e-Government, Kepala Bidang and Kepala Dinas positions. */
export async function demoChain(): Promise<{ staf: Position; kasi: Position; kabid: Position; kadis: Position }> {
  const staf = await Position.findOne({ where: { name: 'Pranata Komputer Ahli Pertama (e-Government)' } });
  const kasi = await Position.findOne({ where: { name: 'Kepala Seksi e-Government' } });
  return { staf: staf!, kasi: kasi!, kabid: await positionByRole('kabid'), kadis: await positionByRole('kepala') };
}

/** Every hidden and pre-filled field of the new-draft form, as the browser would post it. */
export function formFields(html: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: string) => {
    const cur = out[k];
    if (cur === undefined) out[k] = v; else out[k] = Array.isArray(cur) ? [...cur, v] : [cur, v];
  };
  const form = /<form method="post" action="\/surat-keluar(?:\/\d+\/ubah)?"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const decode = (s: string) => s.replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]+)"/.exec(m[1])?.[1];
    if (!name) continue;
    add(name, decode(/value="([^"]*)"/.exec(m[1])?.[1] ?? ''));
  }
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel = /<option value="([^"]*)"[^>]*selected/.exec(m[2]);
    add(m[1], decode(sel ? sel[1] : (/<option value="([^"]*)"/.exec(m[2])?.[1] ?? '')));
  }
  for (const m of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) add(m[1], decode(m[2]).replace(/^\n/, ''));
  return out;
}

/** Open the new-draft form (as a reply when `balas` is given) and post it with `overrides`. */
export async function createDraftVia(agent: Agent, q: { balas?: number; template?: string }, overrides: Record<string, string | string[]> = {}) {
  const params = new URLSearchParams();
  if (q.balas) params.set('balas', String(q.balas));
  if (q.template) params.set('template', q.template);
  const page = await agent.get(`/surat-keluar/baru?${params}`);
  expect(page.status, page.text.slice(0, 500)).to.equal(200);
  const fields = { ...formFields(page.text), ...overrides };
  const res = await agent.post('/surat-keluar').type('form').send(fields);
  return { page, res, fields };
}

/** The draft a redirect points to. */
export async function draftOf(res: { status: number; headers: Record<string, string>; text: string }): Promise<OutgoingLetter> {
  expect(res.status, res.text.slice(0, 800)).to.equal(303);
  const id = Number(/\/surat-keluar\/(\d+)$/.exec(res.headers.location)?.[1]);
  const l = await OutgoingLetter.findByPk(id);
  if (!l) throw new Error(`no draft at ${res.headers.location}`);
  return l;
}

/** Post a form on the draft page with the page's CSRF token. */
export async function postOn(agent: Agent, draftId: number, path: string, body: Record<string, string | string[]>) {
  const token = await csrfOf(agent, `/surat-keluar/${draftId}`);
  return agent.post(`/surat-keluar/${draftId}${path}`).type('form').send({ _csrf: token, ...body });
}

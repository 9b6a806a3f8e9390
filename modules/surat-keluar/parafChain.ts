import { Position } from '../../models';
import { MAX_VERIFIERS, SIGNING_FORMS, type SigningFormCode } from '../../models';
import { holdersOf } from '../org';

/**
 * The paraf chain of a draft: up to three verifiers below the signer, in rising rank (paraf
 * hierarki, Permendagri 54/2009), then the signer with the signing form. `rank` 1 is the head
 * of the agency; a larger rank is lower. The default follows the hierarchy: the drafter's
 * superiors up to (not including) the head, who signs.
 */

export interface ChainChoice { verifierIds: number[]; signerId: number | null; signingForm: SigningFormCode | null }
export interface ResolvedChain extends ChainChoice { principalId: number | null }

async function superiorsOf(positionId: number): Promise<Position[]> {
  const out: Position[] = [];
  const seen = new Set<number>([positionId]);
  let p = await Position.findByPk(positionId);
  while (p?.superiorId && !seen.has(p.superiorId)) {
    seen.add(p.superiorId);
    p = await Position.findByPk(p.superiorId);
    if (p) out.push(p);
  }
  return out;
}

/** The top of a position's line of superiors (the head it ultimately answers to), or null for the head itself. */
export async function headAbove(positionId: number): Promise<Position | null> {
  const ups = await superiorsOf(positionId);
  return ups.length ? ups[ups.length - 1] : null;
}

/** The signing form that fits who holds the signer's position today. */
export async function defaultSigningForm(signerId: number): Promise<SigningFormCode> {
  const holders = await holdersOf(signerId);
  if (holders.some((h) => h.kind === 'definitif')) return 'biasa';
  if (holders.some((h) => h.kind === 'plt')) return 'plt';
  if (holders.some((h) => h.kind === 'plh')) return 'plh';
  return 'biasa';
}

/**
 * The default chain for a drafter: the head of the line signs; the drafter's superiors below
 * the head give paraf, nearest first, at most three. The head drafting signs alone.
 */
export async function defaultChain(drafterPositionId: number): Promise<ChainChoice> {
  const ups = (await superiorsOf(drafterPositionId)).filter((p) => p.active);
  if (!ups.length) return { verifierIds: [], signerId: drafterPositionId, signingForm: await defaultSigningForm(drafterPositionId) };
  const signer = ups[ups.length - 1];
  return { verifierIds: ups.slice(0, -1).slice(0, MAX_VERIFIERS).map((p) => p.id), signerId: signer.id, signingForm: await defaultSigningForm(signer.id) };
}

const ids = (v: string[] | undefined): (number | null)[] =>
  (v ?? []).map((s) => String(s).trim()).filter((s) => s !== '').map((s) => (/^[1-9]\d{0,9}$/.test(s) ? Number(s) : null));

/**
 * Check a chain the drafter picked: known active positions, no repeats, not the drafter's own
 * position, verifiers in rising rank and the signer at least as senior as the last of them, a
 * signing form that fits. `requireSigner` (when submitting) also wants a signer and, for Plt/Plh,
 * someone holding the signer's position that way. Returns field errors keyed verifiers / signer / signingForm.
 */
export async function validateChain(drafterPositionId: number, raw: { verifiers?: string[]; signer?: string; signingForm?: string }, requireSigner: boolean)
  : Promise<{ chain?: ResolvedChain; errors: Record<string, string> }> {
  const e: Record<string, string> = {};
  const vIds = ids(raw.verifiers);
  if (vIds.length > MAX_VERIFIERS) e.verifiers = `Paling banyak ${MAX_VERIFIERS} pemaraf.`;
  if (vIds.some((x) => x === null)) e.verifiers = 'Pilihan pemaraf tidak valid.';
  const signerRaw = (raw.signer ?? '').trim();
  const signerId = signerRaw ? (/^[1-9]\d{0,9}$/.test(signerRaw) ? Number(signerRaw) : -1) : null;
  const formRaw = (raw.signingForm ?? '').trim() || 'biasa';
  if (!(SIGNING_FORMS as readonly string[]).includes(formRaw)) e.signingForm = 'Bentuk penandatanganan tidak dikenal.';
  const want = [...vIds.filter((x): x is number => x !== null), ...(signerId && signerId > 0 ? [signerId] : [])];
  const positions = new Map((await Position.findAll({ where: { id: want } })).map((p) => [p.id, p]));
  const verifiers = vIds.filter((x): x is number => x !== null).map((id) => positions.get(id));
  if (!e.verifiers && verifiers.some((p) => !p || !p.active)) e.verifiers = 'Ada pemaraf yang bukan jabatan aktif.';
  const vList = verifiers.filter((p): p is Position => !!p);
  if (!e.verifiers && new Set(vList.map((p) => p.id)).size !== vList.length) e.verifiers = 'Satu jabatan hanya boleh muncul sekali dalam rantai paraf.';
  if (!e.verifiers && vList.some((p) => p.id === drafterPositionId)) e.verifiers = 'Pembuat konsep tidak memberi paraf pada konsepnya sendiri; pilih atasan Anda.';
  if (!e.verifiers) {
    for (let i = 1; i < vList.length; i++) {
      if (vList[i].rank > vList[i - 1].rank) {
        e.verifiers = `Pemaraf harus berurutan dari jabatan terendah ke tertinggi: ${vList[i].name} lebih rendah dari ${vList[i - 1].name}.`;
        break;
      }
    }
  }
  const signer = signerId ? positions.get(signerId) : undefined;
  if (signerId === null) { if (requireSigner) e.signer = 'Pilih penanda tangan.'; } else if (!signer || !signer.active) e.signer = 'Penanda tangan harus jabatan aktif.';
  if (signer && !e.signer) {
    if (vList.some((p) => p.id === signer.id)) e.signer = 'Penanda tangan tidak sekaligus menjadi pemaraf.';
    else if (vList.length && signer.rank > vList[vList.length - 1].rank) e.signer = `Penanda tangan harus setingkat atau lebih tinggi dari pemaraf terakhir (${vList[vList.length - 1].name}).`;
  }
  let principalId: number | null = null;
  if (signer && !e.signer && !e.signingForm) {
    if (formRaw === 'an') {
      const head = await headAbove(signer.id);
      if (!head) e.signingForm = `${signer.name} adalah pimpinan tertinggi; a.n. dipakai oleh pejabat yang menandatangani atas nama pimpinan.`;
      else principalId = head.id;
    }
    if (requireSigner && (formRaw === 'plt' || formRaw === 'plh')) {
      const holders = await holdersOf(signer.id);
      if (!holders.some((h) => h.kind === formRaw)) e.signingForm = `${signer.name} tidak sedang dijabat ${formRaw === 'plt' ? 'Plt.' : 'Plh.'}; pilih bentuk lain.`;
    }
    if (requireSigner && formRaw === 'biasa' && !(await holdersOf(signer.id)).length) e.signer = `Jabatan ${signer.name} sedang lowong; pilih penanda tangan lain.`;
  }
  if (Object.keys(e).length) return { errors: e };
  return { errors: e, chain: { verifierIds: vList.map((p) => p.id), signerId: signer?.id ?? null, signingForm: signer ? formRaw as SigningFormCode : null, principalId } };
}

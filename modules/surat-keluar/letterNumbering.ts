import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import { CONFIDENTIAL, JenisNaskah, Klasifikasi, LetterNumber, OutgoingLetter, Setting, Unit } from '../../models';
import { chainPositions, outgoingRights } from './policies/outgoing';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { parseIsoDate, today } from '../../platform/dates';
import { formatNumber } from '../../lib/numbering';
import { NUMBERING_SCHEMA, DEFAULT_NUMBERING, counterName, ruleFor, type NumberRule, type NumberingSettings } from '../../lib/numberingRules';
import { AppError, ConflictError, ValidationError } from '../../platform/errors';
import { recordEvent } from '../../platform/audit';
import { nextValue, currentValue } from '../../platform/sequences';
import type { Actor, AnyActor } from '../../platform/actor';

/**
 * Outgoing-letter numbering (nomor surat keluar), the service the signing step calls.
 *
 * A number is given at signing, not before: `assignLetterNumber()` (its own transaction) or, when
 * the signing service numbers and signs in one transaction, `prepareLetterNumber()` before the
 * transaction and `takeLetterNumber(t, ...)` inside it. Either way the next value of the rule's
 * counter is taken under the counter's row lock, so concurrent signings get distinct consecutive
 * numbers, and a transaction that rolls back gives its value back (nothing was issued). A number
 * already on record (recorded by hand, or cancelled) is skipped, never issued twice.
 *
 * Cancelling keeps the number on record with its reason; recording a number given outside the
 * system needs a reason, and re-using a cancelled number needs an explicit confirmation.
 */

const MAX_NUMBER = 120;

export interface NumberRequest {
  actor: AnyActor;
  jenisNaskahCode: string;
  klasifikasiCode: string;
  /** Tanggal surat (YYYY-MM-DD); default today in the office's zone. Year and month come from it. */
  letterDate?: string;
  /** What {unit} prints; default the setting's unit code, else the code of the top unit. */
  unitCode?: string | null;
  /** The outgoing draft being signed. */
  draftId?: number | null;
  perihal?: string | null;
}

/** A request checked and resolved before the transaction: rule, counter and token values. */
export interface PreparedNumber {
  actor: AnyActor;
  rule: NumberRule;
  counter: string;
  year: number;
  month: number;
  letterDate: string;
  jenisNaskahCode: string;
  klasifikasiCode: string;
  unitCode: string;
  draftId: number | null;
  perihal: string | null;
}

/** The numbering settings read inside a transaction (a pooled connection must not be taken twice). */
async function numberingSettings(t?: Transaction): Promise<NumberingSettings> {
  const row = await Setting.findByPk('penomoran.surat_keluar', { transaction: t });
  if (row) {
    try { const v = NUMBERING_SCHEMA.safeParse(JSON.parse(row.value)); if (v.success) return v.data; } catch { /* default */ }
  }
  return DEFAULT_NUMBERING;
}

/** The unit code {unit} prints when the caller names none. */
export async function defaultUnitCode(s: NumberingSettings, t?: Transaction): Promise<string> {
  if (s.unitCode) return s.unitCode;
  // The agency itself: the top unit of kind 'dinas' (other parentless units, e.g. one being set
  // up, never win), else the first top unit.
  const top = await Unit.findOne({ where: { parentId: null, kind: 'dinas' }, order: [['sortOrder', 'ASC'], ['id', 'ASC']], transaction: t })
    ?? await Unit.findOne({ where: { parentId: null }, order: [['sortOrder', 'ASC'], ['id', 'ASC']], transaction: t });
  return top?.code ?? '';
}

/** Check a numbering request and resolve its rule and counter. Reads only; call before the transaction. */
export async function prepareLetterNumber(p: NumberRequest): Promise<PreparedNumber> {
  const e: Record<string, string> = {};
  const letterDate = p.letterDate === undefined ? today() : parseIsoDate(p.letterDate);
  if (!letterDate) e.letterDate = 'Tanggal surat tidak valid.';
  const [jenis, klas] = await Promise.all([JenisNaskah.findByPk(p.jenisNaskahCode || ''), Klasifikasi.findByPk(p.klasifikasiCode || '')]);
  if (!jenis) e.jenisNaskah = 'Jenis naskah tidak dikenal.';
  if (!klas) e.klasifikasi = 'Kode klasifikasi tidak dikenal.';
  if (Object.keys(e).length) throw new ValidationError(e);
  const settings = await numberingSettings();
  const rule = ruleFor(settings, jenis!.code);
  const year = Number(letterDate!.slice(0, 4));
  return {
    actor: p.actor, rule, year, month: Number(letterDate!.slice(5, 7)), letterDate: letterDate!,
    counter: counterName(rule, { jenisNaskahCode: jenis!.code, year, klasifikasiCode: klas!.code }),
    jenisNaskahCode: jenis!.code, klasifikasiCode: klas!.code,
    unitCode: (p.unitCode ?? '').trim() || await defaultUnitCode(settings),
    draftId: p.draftId ?? null, perihal: p.perihal ? p.perihal.slice(0, 500) : null,
  };
}

/** The number a prepared request prints with a given sequence value. */
export const renderNumber = (p: PreparedNumber, seq: number): string =>
  formatNumber(p.rule.format, { seq, year: p.year, month: p.month, klasifikasi: p.klasifikasiCode, unit: p.unitCode });

/**
 * Take the next number inside the caller's transaction and record it (with its audit event).
 * Values whose number is already on record (recorded by hand, or cancelled) are passed over.
 */
export async function takeLetterNumber(t: Transaction, p: PreparedNumber): Promise<LetterNumber> {
  const skipped: string[] = [];
  for (let attempt = 0; attempt < 1000; attempt++) {
    const seq = await nextValue(t, p.counter);
    const number = renderNumber(p, seq);
    if (number.length > MAX_NUMBER) throw new AppError('number_too_long', `Nomor surat "${number.slice(0, 40)}…" lebih dari ${MAX_NUMBER} karakter; periksa format penomoran.`, 422);
    if (await LetterNumber.findOne({ where: { number }, attributes: ['id'], transaction: t })) { skipped.push(number); continue; }
    let row: LetterNumber;
    try {
      row = await LetterNumber.create({
        number, activeNumber: number, year: p.year, seq, counter: p.counter, jenisNaskahCode: p.jenisNaskahCode,
        klasifikasiCode: p.klasifikasiCode, unitCode: p.unitCode || null, letterDate: p.letterDate, perihal: p.perihal,
        draftId: p.draftId, source: 'sistem', status: 'aktif', manualReason: null, reusesId: null,
        assignedAt: now(), assignedByUserId: p.actor.user?.id ?? null,
      }, { transaction: t });
    } catch (err) {
      // Recorded by hand a moment ago in another transaction: the unique index caught it.
      if (err instanceof UniqueConstraintError) { skipped.push(number); continue; }
      throw err;
    }
    await recordEvent(t, p.actor, {
      action: 'nomor_surat.diberikan', entityType: 'letter_number', entityId: row.id,
      after: { ...snapshot(row), ...(skipped.length ? { dilewati: skipped } : {}) },
    });
    return row;
  }
  throw new AppError('number_exhausted', 'Tidak menemukan nomor surat yang belum terpakai; periksa format penomoran.', 422);
}

/** Give the next outgoing-letter number in a transaction of its own. */
export async function assignLetterNumber(p: NumberRequest): Promise<LetterNumber> {
  const prepared = await prepareLetterNumber(p);
  return tx((t) => takeLetterNumber(t, prepared));
}

export function snapshot(n: LetterNumber): Record<string, unknown> {
  return {
    nomor: n.number, tahun: n.year, urutan: n.seq, penghitung: n.counter, jenisNaskah: n.jenisNaskahCode, klasifikasi: n.klasifikasiCode,
    unit: n.unitCode, tanggal: n.letterDate, perihal: n.perihal, draftId: n.draftId, sumber: n.source, status: n.status,
  };
}

// ---------------------------------------------------------------- cancelling

export interface CancelProps { actor: Actor; id: number; reason: string; expectedVersion: number }

const reasonError = (r: string, what: string): string | null =>
  !r ? `Alasan ${what} wajib diisi.` : r.length > 1000 ? `Alasan ${what} paling panjang 1000 karakter.` : null;

/**
 * Cancel a number inside the caller's transaction: it stays on record as `dibatalkan` with the
 * reason, and no later letter gets it unless someone records it again on purpose.
 */
export async function cancelLetterNumberIn(t: Transaction, actor: AnyActor, id: number, reason: string, expectedVersion?: number): Promise<LetterNumber> {
  const r = reason.trim();
  const problem = reasonError(r, 'pembatalan');
  if (problem) throw new ValidationError({ reason: problem });
  const n = await LetterNumber.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
  if (!n) throw new ValidationError({}, 'Nomor surat tidak ditemukan.');
  if (expectedVersion !== undefined && n.version !== expectedVersion) throw new ConflictError();
  if (n.status !== 'aktif') throw new ValidationError({ reason: `Nomor ${n.number} sudah dibatalkan sebelumnya.` });
  const before = snapshot(n);
  await n.update({ status: 'dibatalkan', activeNumber: null, cancelledAt: now(), cancelledByUserId: actor.user?.id ?? null, cancelReason: r, version: n.version + 1 }, { transaction: t });
  await recordEvent(t, actor, { action: 'nomor_surat.dibatalkan', entityType: 'letter_number', entityId: n.id, before, after: { ...snapshot(n), alasan: r } });
  return n;
}

/** numberCanceller: cancel a number with a reason, refused if the number changed since the form was loaded. */
export async function cancelLetterNumber(p: CancelProps): Promise<LetterNumber> {
  return tx((t) => cancelLetterNumberIn(t, p.actor, p.id, p.reason, p.expectedVersion));
}

// ---------------------------------------------------------------- numbers given outside the system

export interface ManualForm {
  number: string; jenisNaskah: string; klasifikasi: string; letterDate: string; perihal: string; reason: string;
  /** "1": the number was cancelled before and is given again on purpose. */
  reuse?: string;
}

/**
 * manualNumberRecorder: record a number given outside the system (typed by hand on a paper
 * letter, issued while the system was down) with a reason. A number already standing is refused;
 * a cancelled number is taken again only when the user confirms it, and the new record points
 * to the cancelled one. The sequences are not moved: the system passes over numbers on record.
 */
export async function recordManualNumber(actor: Actor, f: ManualForm): Promise<LetterNumber> {
  const e: Record<string, string> = {};
  const number = (f.number ?? '').trim().replace(/\s+/g, ' ');
  if (!number) e.number = 'Nomor surat wajib diisi.';
  else if (number.length > MAX_NUMBER) e.number = `Nomor surat paling panjang ${MAX_NUMBER} karakter.`;
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f<>]/.test(number)) e.number = 'Nomor surat berisi karakter yang tidak diperbolehkan.';
  const letterDate = parseIsoDate(f.letterDate);
  if (!letterDate) e.letterDate = 'Tanggal surat tidak valid (gunakan pemilih tanggal).';
  const [jenis, klas] = await Promise.all([JenisNaskah.findByPk(f.jenisNaskah || ''), Klasifikasi.findByPk(f.klasifikasi || '')]);
  if (!jenis) e.jenisNaskah = 'Pilih jenis naskah.';
  if (!klas) e.klasifikasi = 'Pilih kode klasifikasi.';
  const perihal = (f.perihal ?? '').trim();
  if (perihal.length > 500) e.perihal = 'Perihal paling panjang 500 karakter.';
  const reason = (f.reason ?? '').trim();
  const rp = reasonError(reason, 'pencatatan nomor manual');
  if (rp) e.reason = rp;
  if (Object.keys(e).length) throw new ValidationError(e);

  const record = () => tx(async (t) => {
    const same = await LetterNumber.findAll({ where: { number }, order: [['id', 'DESC']], transaction: t });
    const standing = same.find((n) => n.status === 'aktif');
    if (standing) {
      await maskConfidentialNumbers(actor, [standing]);
      throw new ValidationError({ number: `Nomor ${number} sudah dipakai (tanggal ${standing.letterDate}${standing.perihal ? `, perihal "${standing.perihal}"` : ''}).` });
    }
    const cancelled = same[0];
    if (cancelled && f.reuse !== '1') {
      throw new ValidationError({ reuse: `Nomor ${number} pernah dibatalkan (${cancelled.cancelReason ?? ''}). Centang "Pakai kembali nomor yang dibatalkan" bila nomor ini memang diberikan lagi.` });
    }
    const row = await LetterNumber.create({
      number, activeNumber: number, year: Number(letterDate!.slice(0, 4)), seq: null, counter: null, jenisNaskahCode: jenis!.code,
      klasifikasiCode: klas!.code, unitCode: null, letterDate: letterDate!, perihal: perihal || null, draftId: null, source: 'manual',
      status: 'aktif', manualReason: reason, reusesId: cancelled?.id ?? null, assignedAt: now(), assignedByUserId: actor.user.id,
    }, { transaction: t });
    await recordEvent(t, actor, {
      action: 'nomor_surat.dicatat_manual', entityType: 'letter_number', entityId: row.id,
      after: { ...snapshot(row), alasan: reason, ...(cancelled ? { memakaiKembali: cancelled.id } : {}) },
    });
    return row;
  });
  try {
    return await record();
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw new ValidationError({ number: `Nomor ${number} baru saja dipakai oleh surat lain.` });
    throw err;
  }
}

// ---------------------------------------------------------------- reading

/** The register of one year, newest first, 100 a page (keyset on id). */
export async function numberRegister(year: number, beforeId: number | null, limit = 100): Promise<{ rows: LetterNumber[]; nextBefore: number | null }> {
  const rows = await LetterNumber.findAll({
    where: { year, ...(beforeId ? { id: { [Op.lt]: beforeId } } : {}) },
    order: [['id', 'DESC']], limit: limit + 1, include: ['assignedBy', 'cancelledBy', 'jenisNaskah'],
  });
  const more = rows.length > limit;
  return { rows: rows.slice(0, limit), nextBefore: more ? rows[limit - 1].id : null };
}

/** What the register shows of a confidential letter's perihal to a reader outside its chain. */
export const MASKED_PERIHAL = '(dirahasiakan)';

/**
 * Hide the perihal of numbers that belong to a Rahasia or Sangat Rahasia letter from a reader
 * who is not in that letter's chain (drafter, paraf chain, signer, countersigner): the number
 * register is read by the secretariat, the Sekretaris and admins, who keep numbers, not content.
 * Changes the rows in place (never saved) and returns them.
 */
export async function maskConfidentialNumbers<T extends LetterNumber>(actor: AnyActor, rows: T[]): Promise<T[]> {
  const draftIds = [...new Set(rows.map((n) => n.draftId).filter((x): x is number => !!x))];
  if (!draftIds.length) return rows;
  const drafts = await OutgoingLetter.findAll({ where: { id: draftIds, sifat: [...CONFIDENTIAL] } });
  const hidden = new Set<number>();
  for (const d of drafts) if (!outgoingRights(actor, d, await chainPositions(d.id)).view) hidden.add(d.id);
  for (const n of rows) if (n.draftId && hidden.has(n.draftId)) n.perihal = MASKED_PERIHAL;
  return rows;
}

/** Example numbers for the admin page: what a rule would print next for a sample klasifikasi. */
export async function exampleNumber(rule: NumberRule, jenisNaskahCode: string, unitCode: string, klasifikasiCode = '000.5.6.2'): Promise<string> {
  const date = today();
  const year = Number(date.slice(0, 4));
  const counter = counterName(rule, { jenisNaskahCode, year, klasifikasiCode });
  return formatNumber(rule.format, { seq: (await currentValue(counter)) + 1, year, month: Number(date.slice(5, 7)), klasifikasi: klasifikasiCode, unit: unitCode });
}

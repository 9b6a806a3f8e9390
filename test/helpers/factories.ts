import crypto from 'node:crypto';
import { Agency, Assignment, IncomingLetter, Position, Unit, User, type AgencyKind, type AssignmentKind, type PositionRole, type Sifat, type Urgensi } from '../../models';
import { blobStore } from '../../platform/blobstore';
import { holdingsOf } from '../../modules/org/org';
import { hashPassword } from '../../modules/org/passwords';
import { registerLetter } from '../../modules/surat-masuk/letterRegistrar';
import type { Actor } from '../../platform/actor';
import { samplePdf } from '../../seed/samplePdf';
import { DEMO_PASSWORD } from '../../seed/demo';
import { today } from '../../platform/dates';

/** Test data builders: each creates whatever parents it needs that were not given. */

let n = 0;
export const uniq = (prefix = 'x'): string => `${prefix}${Date.now().toString(36)}${(++n).toString(36)}`;

let pwHash: Promise<string> | null = null;
const demoHash = () => (pwHash ??= hashPassword(DEMO_PASSWORD));

/** A valid 18-digit NIP, unique per call. */
export function buildNip(): string {
  const serial = String((++n * 7919) % 1000).padStart(3, '0');
  const d = 1 + (n % 28);
  return `1990${String(1 + (n % 12)).padStart(2, '0')}${String(d).padStart(2, '0')}2015${String(1 + (n % 12)).padStart(2, '0')}${1 + (n % 2)}${serial}`;
}

export async function buildUnit(o: Partial<{ name: string; kind: Unit['kind']; parentId: number | null }> = {}): Promise<Unit> {
  return Unit.create({ name: o.name ?? uniq('Seksi Uji '), kind: o.kind ?? 'seksi', code: uniq('U').slice(0, 12), parentId: o.parentId ?? null });
}

export async function buildPosition(o: Partial<{ name: string; unitId: number; role: PositionRole; rank: number; superiorId: number | null }> = {}): Promise<Position> {
  const unitId = o.unitId ?? (await buildUnit()).id;
  return Position.create({ name: o.name ?? uniq('Jabatan Uji '), unitId, role: o.role ?? 'staf', rank: o.rank ?? 4, eselon: null, superiorId: o.superiorId ?? null });
}

/** A user holding a (new, unless given) position; password DEMO_PASSWORD. */
export async function buildUser(o: Partial<{ username: string; name: string; role: PositionRole; positionId: number | null; kind: AssignmentKind; isAdmin: boolean; startDate: string; endDate: string | null }> = {}): Promise<User> {
  const user = await User.create({
    username: o.username ?? uniq('u.'), name: o.name ?? uniq('Pegawai Uji '), nip: buildNip(), pangkat: null, golongan: null,
    email: null, phone: null, passwordHash: await demoHash(), isAdmin: o.isAdmin ?? false,
  });
  if (o.positionId !== null) {
    const positionId = o.positionId ?? (await buildPosition({ role: o.role ?? 'staf' })).id;
    await Assignment.create({ userId: user.id, positionId, kind: o.kind ?? 'definitif', startDate: o.startDate ?? '2020-01-01', endDate: o.endDate ?? null, decreeNumber: null });
  }
  return user;
}

export async function actorOf(userOrUsername: User | string): Promise<Actor> {
  const user = typeof userOrUsername === 'string' ? await User.findOne({ where: { username: userOrUsername } }) : userOrUsername;
  if (!user) throw new Error(`no user ${String(userOrUsername)}`);
  return { user, holdings: await holdingsOf(user.id), ip: '127.0.0.1' };
}

export async function buildAgency(o: Partial<{ name: string; kind: AgencyKind }> = {}): Promise<Agency> {
  return Agency.create({ name: o.name ?? uniq('Dinas Uji '), kind: o.kind ?? 'skpd', headTitle: null, address: null, city: null, email: null, phone: null });
}

export const positionByRole = async (role: PositionRole): Promise<Position> => {
  const p = await Position.findOne({ where: { role }, order: [['id', 'ASC']] });
  if (!p) throw new Error(`no position with role ${role}`);
  return p;
};

/** A real one-page PDF (the demo's letter writer), different on every call. */
export const pdfBytes = (hal = uniq('Perihal ')): Buffer => samplePdf({
  agencyLines: ['PEMERINTAH KABUPATEN UJI', 'DINAS UJI'], address: 'Jl. Uji No. 1', place: 'Uji', date: '1 November 2026',
  number: uniq('000/'), sifat: 'Biasa', lampiran: '-', hal, to: ['Kepala Dinas'], body: ['Dengan hormat,', hal], signerTitle: 'Kepala', signerName: 'NAMA',
});

export interface LetterOverrides {
  perihal: string; senderNumber: string; senderAgencyId: number; sifat: Sifat; urgensi: Urgensi; klasifikasi: string; addressedPositionId: number;
  letterDate: string; receivedDate: string; summary: string; by: string;
}

/** Register a letter through the real service, as the secretariat (or `by`). */
export async function buildLetter(o: Partial<LetterOverrides> = {}): Promise<IncomingLetter> {
  const actor = await actorOf(o.by ?? 'sekretariat');
  const blob = await blobStore().putBuffer(pdfBytes(o.perihal));
  const addressed = o.addressedPositionId ?? (await positionByRole('kepala')).id;
  const { letter } = await registerLetter({
    actor, submissionKey: crypto.randomBytes(16).toString('hex'), confirmDuplicate: true,
    files: [{ ...blob, mime: 'application/pdf', originalName: 'scan.pdf', kind: 'scan' }],
    form: {
      senderNumber: o.senderNumber ?? uniq('000.5/'), letterDate: o.letterDate ?? today(), receivedDate: o.receivedDate ?? today(),
      senderAgencyId: String(o.senderAgencyId ?? (await buildAgency()).id), perihal: o.perihal ?? uniq('Permohonan uji '),
      sifat: o.sifat ?? 'biasa', urgensi: o.urgensi ?? 'biasa', klasifikasi: o.klasifikasi ?? '400.14.2.1', jenisNaskah: 'surat_permohonan',
      lampiran: '', summary: o.summary ?? '', addressedPositionId: String(addressed),
    },
  });
  return letter;
}

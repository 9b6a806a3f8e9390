import { Agency, DomainRegistryEntry, REGISTRY_STATUS, type DomainNameKind, type RegistryStatus } from '../../models';
import { tx } from '../../platform/db';
import { now } from '../../platform/clock';
import { parseIsoDate } from '../../platform/dates';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors';
import { checkDomainName, nameRulesFrom } from '../../lib/domainNames';
import { canOpenCase } from './policies/domain';
import { recordEvent } from '../../platform/audit';
import { getSetting } from '../../platform/settings';
import type { Actor } from '../../platform/actor';

const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.replace(/\r\n/g, '\n').trim().slice(0, max + 1) : '');

/**
 * domainRegistry.saveRegistryEntry: the Pejabat Domain records a name the region already has
 * (domains registered before Naskah, subdomains made by hand) or corrects an entry's owner,
 * dates and hosting/DNS notes. Cases update the registry themselves at activation; this is
 * the manual side. A new expiry date re-arms the 30/14/7-day reminders. Audited.
 */
export async function saveRegistryEntry(actor: Actor, id: number | null, b: Record<string, unknown>): Promise<DomainRegistryEntry> {
  if (!canOpenCase(actor)) throw new ForbiddenError('Hanya Pejabat Domain yang dapat mengubah registri domain.');
  const e: Record<string, string> = {};
  const kind = str(b.kind, 12) as DomainNameKind;
  if (!['go.id', 'desa.id', 'subdomain'].includes(kind)) e.kind = 'Pilih jenis nama.';
  let fqdn: string | null = null;
  if (!id) {
    const chk = e.kind ? null : checkDomainName(str(b.fqdn, 300), kind, nameRulesFrom(await getSetting('domain.aturan_nama')));
    if (chk && !chk.ok) e.fqdn = chk.errors.join(' ');
    fqdn = chk?.fqdn ?? null;
    if (!fqdn && !e.fqdn) e.fqdn = 'Tuliskan nama domain.';
  }
  const status = str(b.status, 12) as RegistryStatus;
  if (!(REGISTRY_STATUS as readonly string[]).includes(status)) e.status = 'Pilih status.';
  const ownerRaw = str(b.ownerAgencyId, 12);
  const ownerAgencyId = /^[1-9]\d{0,9}$/.test(ownerRaw) ? Number(ownerRaw) : null;
  if (ownerRaw && (!ownerAgencyId || !(await Agency.findByPk(ownerAgencyId)))) e.ownerAgencyId = 'Pilih instansi pemilik dari direktori.';
  const date = (k: string, label: string): string | null => {
    const raw = str(b[k], 20);
    if (!raw) return null;
    const v = parseIsoDate(raw);
    if (!v) e[k] = `${label} tidak valid.`;
    return v;
  };
  const activatedAt = date('activatedAt', 'Tanggal aktif');
  const expiresAt = date('expiresAt', 'Tanggal kedaluwarsa');
  if (activatedAt && expiresAt && expiresAt <= activatedAt) e.expiresAt = 'Tanggal kedaluwarsa harus setelah tanggal aktif.';
  const hostingNotes = str(b.hostingNotes, 5000);
  const dnsNotes = str(b.dnsNotes, 5000);
  if (hostingNotes.length > 5000) e.hostingNotes = 'Catatan hosting maksimal 5000 karakter.';
  if (dnsNotes.length > 5000) e.dnsNotes = 'Catatan DNS maksimal 5000 karakter.';
  if (Object.keys(e).length) throw new ValidationError(e);
  return tx(async (t) => {
    const at = now();
    const values = { kind, status, ownerAgencyId, activatedAt, expiresAt, hostingNotes: hostingNotes || null, dnsNotes: dnsNotes || null, updatedAt: at };
    if (id) {
      const entry = await DomainRegistryEntry.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
      if (!entry) throw new NotFoundError('Nama domain tidak ditemukan.');
      const before = entry.get({ plain: true });
      await entry.update({ ...values, lastReminderDays: expiresAt !== entry.expiresAt ? null : entry.lastReminderDays }, { transaction: t });
      await recordEvent(t, actor, { action: 'domain.registri_diubah', entityType: 'domain_registry', entityId: entry.id, before, after: entry.get({ plain: true }) });
      return entry;
    }
    if (await DomainRegistryEntry.findOne({ where: { fqdn: fqdn! }, transaction: t })) throw new ConflictError(`Nama ${fqdn} sudah ada di registri.`);
    const entry = await DomainRegistryEntry.create({ fqdn: fqdn!, registeredAt: activatedAt, lastReminderDays: null, createdAt: at, ...values }, { transaction: t });
    await recordEvent(t, actor, { action: 'domain.registri_ditambah', entityType: 'domain_registry', entityId: entry.id, after: entry.get({ plain: true }) });
    return entry;
  });
}

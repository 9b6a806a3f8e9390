import type { Actor } from '../platform/actor';
import { canRegister, canSeeRegister, isAdmin } from '../modules/surat-masuk';
import { holdsRole } from '../platform/actor';
import { canSeeNumberRegister } from '../modules/surat-keluar';
import { canSeeDomainBoard } from '../modules/domain';

/** Leaders see the dashboard: the head, the secretary and the heads of division and section. */
export const canSeeDashboard = (a: Actor): boolean => holdsRole(a, 'kepala', 'sekretaris', 'kabid', 'kasi', 'kasubbag');

export interface NavItem { href: string; label: string; counter?: 'unread' | 'overdue' | 'notif' | 'konsep' }

/** Navigation by role: everyone holding a position has an inbox; the rest follows the policies. */
export function navFor(a: Actor): NavItem[] {
  const items: NavItem[] = [];
  if (a.holdings.length) items.push({ href: '/kotak-masuk', label: 'Kotak Masuk', counter: 'unread' });
  if (a.holdings.length) items.push({ href: '/surat-keluar', label: 'Surat Keluar', counter: 'konsep' });
  if (canSeeRegister(a)) items.push({ href: '/surat-masuk', label: 'Buku Agenda' });
  if (canRegister(a)) items.push({ href: '/surat-masuk/baru', label: 'Registrasi Surat' });
  if (canSeeNumberRegister(a) && !isAdmin(a)) items.push({ href: '/nomor-surat', label: 'Nomor Surat Keluar' });
  if (canSeeDomainBoard(a) && !isAdmin(a)) items.push({ href: '/domain', label: 'Domain' });
  if (canSeeDashboard(a)) items.push({ href: '/dasbor', label: 'Dasbor' });
  if (isAdmin(a)) items.push({ href: '/admin', label: 'Administrasi' });
  items.push({ href: '/notifikasi', label: 'Notifikasi', counter: 'notif' });
  return items;
}

/** Where a user lands after signing in. */
export function homeFor(a: Actor): string {
  if (canRegister(a)) return '/surat-masuk';
  if (a.holdings.length) return '/kotak-masuk';
  if (isAdmin(a)) return '/admin';
  return '/profil';
}

import { hash, verify, Algorithm } from '@node-rs/argon2';

// argon2id with OWASP's second recommended profile (19 MiB, t=2, p=1).
const OPTS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const hashPassword = (plain: string): Promise<string> => hash(plain, OPTS);
export async function verifyPassword(stored: string, plain: string): Promise<boolean> {
  try { return await verify(stored, plain); } catch { return false; }
}

/** Indonesian message for a password that is too weak, or null when acceptable. */
export function passwordProblem(p: string): string | null {
  if (p.length < 10) return 'Kata sandi minimal 10 karakter.';
  if (p.length > 200) return 'Kata sandi maksimal 200 karakter.';
  if (!/[A-Za-z]/.test(p) || !/\d/.test(p)) return 'Kata sandi harus memuat huruf dan angka.';
  return null;
}

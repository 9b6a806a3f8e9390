/** Command-line helpers shared by the benchmarks: `--name=value` (or `--name` = '1'), env fallbacks, percentiles. */
export function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (!a) return undefined;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : '1';
}

/** A positive integer from `--name` or the environment variable, else the default. */
export const num = (name: string, env: string, def: number): number => {
  const v = arg(name) ?? process.env[env];
  const n = v === undefined ? def : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} / ${env}: not a positive integer (${v})`);
  return n;
};

/** The p-th percentile (nearest rank) of a list of numbers. */
export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

import type { ModelStatic, Model, Transaction } from 'sequelize';
import { LRUCache } from 'lru-cache';

/**
 * A value loaded from the database and kept in this process for a short time: the
 * organization (users, positions, assignments) and the reference lists every page needs.
 * A change made through the models in this process drops it at once (and again when the
 * transaction commits, so a load that raced the transaction is not kept); a change made by
 * another process (a second app server, a raw SQL update) is seen after at most `ttlMs`.
 * A load started before a drop is handed to the callers that were waiting for it but not
 * kept. TTL is real time, not the app clock: it bounds staleness, it is not domain time.
 */
export class CachedValue<T> {
  private value: T | null = null;
  private loadedAt = 0;
  private gen = 0;
  private loading: { gen: number; p: Promise<T> } | null = null;

  constructor(private readonly load: () => Promise<T>, private readonly ttlMs: () => number) {}

  async get(): Promise<T> {
    const ttl = this.ttlMs();
    if (ttl <= 0) return this.load();
    if (this.value !== null && Date.now() - this.loadedAt < ttl) return this.value;
    if (!this.loading || this.loading.gen !== this.gen) {
      const gen = this.gen;
      const p = this.load().then((v) => {
        if (gen === this.gen) { this.value = v; this.loadedAt = Date.now(); }
        return v;
      }).finally(() => { if (this.loading?.p === p) this.loading = null; });
      this.loading = { gen, p };
    }
    return this.loading.p;
  }

  invalidate(): void {
    this.gen++;
    this.value = null;
  }
}

type HookOptions = { transaction?: Transaction | null };

/** Drop `caches` whenever a row of one of `models` is created, changed or deleted through Sequelize. */
export function invalidateOn(models: ModelStatic<Model>[], caches: { invalidate(): void }[]): void {
  const drop = (options?: HookOptions) => {
    for (const c of caches) c.invalidate();
    options?.transaction?.afterCommit(() => { for (const c of caches) c.invalidate(); });
  };
  for (const m of models) {
    m.addHook('afterSave', (_i: unknown, o: HookOptions) => drop(o));
    m.addHook('afterDestroy', (_i: unknown, o: HookOptions) => drop(o));
    m.addHook('afterBulkCreate', (_i: unknown, o: HookOptions) => drop(o));
    m.addHook('afterBulkUpdate', (o: HookOptions) => drop(o));
    m.addHook('afterBulkDestroy', (o: HookOptions) => drop(o));
    m.addHook('afterUpsert', (_i: unknown, o: HookOptions) => drop(o));
  }
}

/**
 * Values by key, each kept for a short time like CachedValue's, all dropped together by
 * invalidate() (see invalidateOn). `valid` can end an entry earlier (e.g. at a time on the app
 * clock). A load started before a drop is returned to its caller but not kept. At most
 * `maxEntries` are kept; beyond that the least recently used goes (lru-cache).
 */
export class KeyedCache<V, E = undefined> {
  private entries: LRUCache<string, { gen: number; at: number; value: V; extra: E }>;
  private gen = 0;

  constructor(private readonly ttlMs: () => number, maxEntries = 10_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  async get(key: string, load: () => Promise<{ value: V; extra: E }>, valid: (extra: E) => boolean = () => true): Promise<V> {
    const ttl = this.ttlMs();
    if (ttl <= 0) return (await load()).value;
    const e = this.entries.get(key);
    if (e && e.gen === this.gen && Date.now() - e.at < ttl && valid(e.extra)) return e.value;
    const gen = this.gen;
    const at = Date.now();
    const loaded = await load();
    if (gen === this.gen) {
      this.entries.set(key, { gen, at, value: loaded.value, extra: loaded.extra });
    }
    return loaded.value;
  }

  invalidate(): void {
    this.gen++;
    this.entries.clear();
  }
}

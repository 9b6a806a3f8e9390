import { expect } from 'chai';
import { KeyedCache } from '../platform/cache';

/** platform/cache.ts KeyedCache: values by key for a short time, at most maxEntries, least recently used out first. */
describe('KeyedCache: bounded, least recently used out first', () => {
  it('keeps at most maxEntries; a full cache drops the least recently used entry, not all of them', async () => {
    const loads: string[] = [];
    const c = new KeyedCache<string>(() => 60_000, 2);
    const get = (k: string) => c.get(k, async () => { loads.push(k); return { value: `nilai ${k}`, extra: undefined }; });
    expect(await get('a')).to.equal('nilai a');
    await get('b');
    await get('a'); // a is now the most recently used
    await get('c'); // the cache is full: b goes
    await get('a');
    await get('b');
    expect(loads).to.deep.equal(['a', 'b', 'c', 'b']);
  });

  it('invalidate() drops every entry; a load started before the drop is answered but not kept', async () => {
    const c = new KeyedCache<number>(() => 60_000);
    let n = 0;
    const get = () => c.get('k', async () => ({ value: ++n, extra: undefined }));
    expect(await get()).to.equal(1);
    expect(await get()).to.equal(1);
    c.invalidate();
    expect(await get()).to.equal(2);
    let release!: () => void;
    const slow = c.get('j', () => new Promise((r) => { release = () => r({ value: 99, extra: undefined }); }));
    c.invalidate();
    release();
    expect(await slow).to.equal(99);
    expect(await c.get('j', async () => ({ value: 100, extra: undefined }))).to.equal(100);
  });
});

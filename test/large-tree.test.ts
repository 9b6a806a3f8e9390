import { expect } from 'chai';
import { Assignment, Disposition, InboxItem, User } from '../models';
import { TREE_PAGE_NODES } from '../modules/disposisi';
import { signIn } from './helpers/app';
import { buildLetter, positionByRole } from './helpers/factories';
import { startBrowserRig, type BrowserRig } from './helpers/browser';

/**
 * A letter disposed to hundreds of people: the letter page shows the upper levels of the tree
 * and the reader's own dispositions, says how many it does not show, and every disposition
 * stays one click away (its branch, or the whole tree).
 */
/** A letter with a root to the Kabid, a chain ten deep below it, 80 leaves on the chain and one deepest node to a staff member. */
async function buildBigTree() {
  const letter = await buildLetter();
  const kadis = await User.findOne({ where: { username: 'kadis' } });
  const kabid = await positionByRole('kabid');
  const stafUser = await User.findOne({ where: { username: 'staf.egov1' } });
  const stafPos = (await Assignment.findOne({ where: { userId: stafUser!.id } }))!.positionId;
  const base = {
    letterId: letter.id, fromUserId: kadis!.id, fromActing: null, instructions: '["tindak_lanjuti"]', note: null, priority: 'biasa' as const,
    dueAt: new Date(Date.now() + 86_400_000), status: 'terkirim' as const, readAt: null, readByUserId: null, completedAt: null, completedByUserId: null,
    completedActing: null, result: null, recalledAt: null, recallReason: null, remindedAt: null, escalatedAt: null,
  };
  // One root to the Kabid; below it a chain ten deep and 80 leaves under the chain's levels.
  const root = await Disposition.create({ ...base, parentId: null, fromPositionId: letter.addressedPositionId, toPositionId: kabid.id });
  const chain = [root];
  for (let i = 0; i < 10; i++) chain.push(await Disposition.create({ ...base, parentId: chain[chain.length - 1].id, fromPositionId: kabid.id, toPositionId: kabid.id }));
  const leaves: Disposition[] = [];
  for (let i = 0; i < 80; i++) leaves.push(await Disposition.create({ ...base, parentId: chain[i % chain.length].id, fromPositionId: kabid.id, toPositionId: kabid.id }));
  // The deepest disposition of all goes to a staff member, who must find it on the page.
  const mineDeep = await Disposition.create({ ...base, parentId: chain[10].id, fromPositionId: kabid.id, toPositionId: stafPos });
  await InboxItem.create({ letterId: letter.id, positionId: stafPos, kind: 'disposisi', receivedAt: new Date(), unread: true, readAt: null, readByUserId: null, dueAt: null, doneAt: null });
  const total = 1 + 10 + 80 + 1;
  return { letter, root, chain, leaves, mineDeep, total };
}

describe('Letter page with a large disposition tree', () => {
  const nodesOn = (html: string) => [...html.matchAll(/data-disposition-id="(\d+)"/g)].map((m) => Number(m[1]));

  it('pages the deep branches, keeps the reader\'s own disposition with its form, and reaches every node', async () => {
    const { letter, root, chain, leaves, mineDeep, total } = await buildBigTree();

    const agent = await signIn('kadis');
    const page = await agent.get(`/surat-masuk/${letter.id}`);
    expect(page.status).to.equal(200);
    const shown = nodesOn(page.text);
    expect(shown.length, 'the page shows a bounded part').to.be.at.most(TREE_PAGE_NODES + 11);
    expect(shown.length).to.be.lessThan(total);
    expect(shown, 'upper levels first').to.include.members([root.id, chain[1].id]);
    expect(page.text).to.include(`dari ${total} disposisi`);
    expect(page.text).to.include('data-testid="tree-more"');
    expect(page.text).to.include(`${total} disposisi ·`);

    // Every hidden node is below a shown one that links to its branch, or reachable from the whole tree.
    const full = await agent.get(`/surat-masuk/${letter.id}?pohon=semua`);
    expect(nodesOn(full.text).length, 'the whole tree on request').to.equal(total);
    const hidden = nodesOn(full.text).filter((id) => !shown.includes(id));
    expect(hidden.length).to.be.greaterThan(0);
    const branchLinks = [...page.text.matchAll(/\?cabang=(\d+)/g)].map((m) => Number(m[1]));
    expect(branchLinks.length).to.be.greaterThan(0);
    const reached = new Set(shown);
    for (const b of new Set(branchLinks)) {
      const res = await agent.get(`/surat-masuk/${letter.id}?cabang=${b}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.include('data-testid="tree-path"');
      for (const id of nodesOn(res.text)) reached.add(id);
    }
    expect(leaves.some((l) => hidden.includes(l.id) && reached.has(l.id)), 'a hidden disposition opens in its branch').to.equal(true);

    // The staff member sees their own disposition (deep in the tree) with its report form.
    const staf = await signIn('staf.egov1');
    const own = await staf.get(`/surat-masuk/${letter.id}`);
    expect(own.status).to.equal(200);
    expect(nodesOn(own.text)).to.include(mineDeep.id);
    expect(own.text).to.match(new RegExp(`action="/disposisi/${mineDeep.id}/laporan`));

    // A branch that does not exist falls back to the whole page, not an error.
    const bad = await agent.get(`/surat-masuk/${letter.id}?cabang=999999999`);
    expect(bad.status).to.equal(200);
    expect(nodesOn(bad.text)).to.deep.equal(shown);
  });

  describe('in a browser', () => {
    let rig: BrowserRig;
    before(async () => { rig = await startBrowserRig(); });
    after(async () => { await rig?.close(); });

    it('the Kepala Dinas opens a hidden branch from the letter page and comes back', async () => {
      const { letter, leaves } = await buildBigTree();
      const page = await rig.signIn('kadis');
      await page.goto(`${rig.base}/surat-masuk/${letter.id}`, { waitUntil: 'domcontentloaded' });
      const shown = await page.$$eval('[data-testid=disposition]', (els) => els.map((e) => Number(e.getAttribute('data-disposition-id'))));
      expect(await page.$eval('[data-testid=tree-path]', (e) => e.textContent ?? '')).to.include('Tampilkan seluruh pohon');
      if (process.env.SHOTS) {
        for (const width of [360, 1366]) {
          await page.setViewport({ width, height: 900 });
          await page.$eval('[data-testid=tree-path]', (e) => e.scrollIntoView());
          await page.screenshot({ path: `${process.env.SHOTS}/tree-${width}.png` });
        }
      }
      const [link] = await page.$$('[data-testid=tree-more] a');
      await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), link.click()]);
      expect(page.url()).to.match(/\?cabang=\d+/);
      expect(await page.$eval('[data-testid=tree-path]', (e) => e.textContent ?? '')).to.include('Cabang disposisi kepada');
      const inBranch = await page.$$eval('[data-testid=disposition]', (els) => els.map((e) => Number(e.getAttribute('data-disposition-id'))));
      expect(inBranch.some((id) => !shown.includes(id) && leaves.some((l) => l.id === id)), 'the branch shows dispositions the letter page did not').to.equal(true);
      if (process.env.SHOTS) {
        await page.$eval('[data-testid=tree-path]', (e) => e.scrollIntoView());
        await page.screenshot({ path: `${process.env.SHOTS}/branch-1366.png` });
      }
      await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('[data-testid=tree-path] a')]);
      expect(await page.$$eval('[data-testid=disposition]', (els) => els.length)).to.equal(shown.length);
    });
  });
});

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { childEnv, ROOT } from './fixtures/proc';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const childrenOf = (pid: number): number[] => {
  try { return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean); } catch { return []; }
};

/**
 * `npm start` as an operator (or systemd, or a container runtime) runs it: SIGTERM or SIGINT
 * to the npm process stops the server itself, cleanly and within a bounded time, not only npm.
 */
describe('npm start stops on SIGTERM and SIGINT', function () {
  this.timeout(120_000);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm: the server stops listening and every process of it exits within 15 s`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'naskah-stop-'));
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
        env: childEnv({ NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', DB_URL: `sqlite:${path.join(dir, 'n.sqlite')}`, BLOB_DIR: path.join(dir, 'blobs'), DEMO_SEED: 'never' }),
      });
      let out = '';
      npm.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      npm.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start:\n${out}`)), 90_000);
        npm.stdout.on('data', () => { const m = /berjalan di http:\/\/localhost:(\d+)/.exec(out); if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`); } });
      });
      expect((await fetch(`${url}/healthz`)).status).to.equal(200);
      const tree = [npm.pid!, ...childrenOf(npm.pid!)];
      for (const p of [...tree]) tree.push(...childrenOf(p));
      const t0 = Date.now();
      const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
      npm.kill(signal);
      await exited;
      while (tree.some(alive) && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
      expect(tree.filter(alive), `still running after ${signal}:\n${out}`).to.deep.equal([]);
      let refused = false;
      try { await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }); } catch { refused = true; }
      expect(refused, 'the port no longer answers').to.equal(true);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
});

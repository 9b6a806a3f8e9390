import type { NextFunction, Request, Response } from 'express';

/**
 * Admission control: at most `limit` requests are worked on at once; the others wait their turn
 * in arrival order, holding nothing but their socket. Without it a burst of a hundred readers is
 * worked on all at once on one event loop: every request holds its rows, models and half-built
 * page for the whole burst (the server's memory rose by 200 MiB under 100 clients), and each one
 * takes as long as the slowest. With it the same work is done in the same total time, memory is
 * bounded by `limit` pages in progress, and requests finish in the order they came.
 *
 * A request that waited `maxWaitMs` without a turn, or that finds `maxQueue` others waiting, is
 * answered 503 with Retry-After (the server is overloaded: saying so at once beats a timeout).
 * A client that goes away while waiting leaves the queue.
 */
export interface AdmissionOptions {
  limit: number;
  maxQueue: number;
  maxWaitMs: number;
  refuse(req: Request, res: Response): void;
}

export interface Admission {
  (req: Request, res: Response, next: NextFunction): void;
  stats(): { running: number; waiting: number; refused: number };
}

interface Waiting { res: Response; next: NextFunction; timer: NodeJS.Timeout; gone: () => void }

export function admission(opts: AdmissionOptions): Admission {
  let running = 0;
  let refused = 0;
  const queue: Waiting[] = [];

  const start = (res: Response, next: NextFunction) => {
    running++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      running--;
      // Hand the slot to the first waiter whose client is still there.
      const w = queue.shift();
      if (w) {
        clearTimeout(w.timer);
        w.res.off('close', w.gone);
        start(w.res, w.next);
      }
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };

  const mw = ((req: Request, res: Response, next: NextFunction) => {
    if (running < opts.limit) return start(res, next);
    if (queue.length >= opts.maxQueue) { refused++; return opts.refuse(req, res); }
    const w: Waiting = {
      res, next,
      timer: setTimeout(() => {
        const i = queue.indexOf(w);
        if (i >= 0) queue.splice(i, 1);
        res.off('close', w.gone);
        refused++;
        opts.refuse(req, res);
      }, opts.maxWaitMs),
      gone: () => {
        const i = queue.indexOf(w);
        if (i >= 0) queue.splice(i, 1);
        clearTimeout(w.timer);
      },
    };
    res.once('close', w.gone);
    queue.push(w);
  }) as Admission;
  mw.stats = () => ({ running, waiting: queue.length, refused });
  return mw;
}

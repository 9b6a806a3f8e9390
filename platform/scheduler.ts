/**
 * A small in-process scheduler for periodic background jobs (the deadline sweep). Every
 * `intervalMs` it runs the jobs one after another; a tick that comes while the previous run
 * is still going is skipped, so runs never overlap. A failing job is logged and the next job
 * and the next tick run as usual: a job can never crash the server. The timer does not keep
 * the process alive. Only one scheduler runs per process; starting again replaces it.
 */
export interface Job { name: string; run(): Promise<unknown> }

export interface SchedulerOptions {
  intervalMs: number;
  jobs: Job[];
  /** Run once right away instead of waiting for the first interval (default true). */
  runAtStart?: boolean;
  /** Where failures are reported (default console.error). */
  log?: (message: string, err: unknown) => void;
}

interface State { timer: NodeJS.Timeout; running: Promise<void> | null; stopped: boolean; skipped: number }
let state: State | null = null;

export function startScheduler(o: SchedulerOptions): void {
  if (state) void stopScheduler();
  if (!(o.intervalMs > 0)) throw new Error('startScheduler: intervalMs must be positive');
  const log = o.log ?? ((message, err) => console.error(`[${new Date().toISOString()}] ${message}`, err));
  const s: State = { timer: undefined as unknown as NodeJS.Timeout, running: null, stopped: false, skipped: 0 };
  const tick = (): void => {
    if (s.stopped) return;
    if (s.running) { s.skipped++; return; }
    s.running = (async () => {
      for (const job of o.jobs) {
        if (s.stopped) break;
        try { await job.run(); } catch (err) { log(`tugas terjadwal "${job.name}" gagal:`, err); }
      }
    })().finally(() => { s.running = null; });
  };
  s.timer = setInterval(tick, o.intervalMs);
  s.timer.unref();
  state = s;
  if (o.runAtStart !== false) setImmediate(tick);
}

/** Stop ticking; resolves when a run in progress has finished (its remaining jobs are skipped). */
export async function stopScheduler(): Promise<void> {
  const s = state;
  if (!s) return;
  state = null;
  s.stopped = true;
  clearInterval(s.timer);
  await s.running;
}

/** Whether a scheduler is running, and how many ticks it skipped because a run was still going. */
export function schedulerStatus(): { active: boolean; running: boolean; skipped: number } {
  return { active: !!state, running: !!state?.running, skipped: state?.skipped ?? 0 };
}

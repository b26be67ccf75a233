/**
 * What a run started and must stop if it is told to end (SIGTERM from CI's `timeout`, Ctrl-C):
 * reference servers, the embedded target, containers, client process groups, child runs.
 * Whoever starts something registers how to stop it and unregisters when it stopped by itself;
 * on a signal the CLI stops everything still registered, bounded in time, then exits.
 */

type Stop = () => void | Promise<unknown>;

interface Entry {
  what: string;
  stop: Stop;
}

const entries = new Set<Entry>();
const groups = new Set<number>();

/** Register a cleanup; returns the function that unregisters it (call it once the thing stopped). */
export function onShutdown(what: string, stop: Stop): () => void {
  const entry: Entry = { what, stop };
  entries.add(entry);
  return () => {
    entries.delete(entry);
  };
}

/**
 * A process group we created (spawn with `detached: true`): killed synchronously on shutdown,
 * before anything asynchronous, so it dies even if the rest of the cleanup runs out of time.
 */
export function trackProcessGroup(pgid: number): () => void {
  groups.add(pgid);
  return () => {
    groups.delete(pgid);
  };
}

/** Kill one process group we created; quiet when it is already gone. Negative PID: the group, only it. */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** How many cleanups are registered (tests). */
export function pendingShutdowns(): number {
  return entries.size + groups.size;
}

/**
 * Stop everything still registered: process groups first (synchronous), then every cleanup in
 * parallel, each given at most `budgetMs` in total. Never throws.
 */
export async function stopAll(budgetMs = 1500): Promise<void> {
  for (const pgid of groups) killProcessGroup(pgid);
  groups.clear();
  const pending = [...entries];
  entries.clear();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budgetMs);
    timer.unref();
  });
  await Promise.race([
    Promise.allSettled(
      pending.map(async (e) => {
        try {
          await e.stop();
        } catch {
          // Stopping is best effort on the way out; the exit follows regardless.
        }
      }),
    ),
    deadline,
  ]);
  clearTimeout(timer);
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

let installed = false;

/**
 * On SIGTERM, SIGINT or SIGHUP: stop what the run started (bounded, ~1.5 s), then exit with
 * 128 + the signal number, as a shell reports a process killed by it. A second signal exits at
 * once. No stack trace, one line on stderr.
 */
export function installSignalHandlers(opts: { budgetMs?: number; onSignal?: (signal: NodeJS.Signals) => void } = {}): void {
  if (installed) return;
  installed = true;
  let stopping = false;
  for (const signal of Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[]) {
    process.on(signal, () => {
      const code = 128 + SIGNAL_NUMBERS[signal]!;
      const hardMs = (opts.budgetMs ?? 1500) + 300;
      if (process.listenerCount(signal) > 1) {
        // The command handles this signal itself (serve closes its servers and says so): only
        // make sure the process still ends if that handling hangs.
        setTimeout(() => process.exit(code), hardMs + 2000).unref();
        return;
      }
      if (stopping) {
        for (const pgid of groups) killProcessGroup(pgid);
        process.exit(code);
      }
      stopping = true;
      opts.onSignal?.(signal);
      // Whatever is left after the budget must not keep the process alive.
      const hard = setTimeout(() => process.exit(code), hardMs);
      hard.unref();
      void stopAll(opts.budgetMs ?? 1500).finally(() => process.exit(code));
    });
  }
}

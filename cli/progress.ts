/**
 * Progress on stderr with an ETA: a line rewritten in place on a terminal, and a plain line at
 * most every 10 s otherwise (logs, CI), so stdout keeps only results.
 */
import { formatDuration } from '../src/models/pretrain/run.ts';

const LOG_EVERY_MS = 10_000;

export interface ProgressReporter {
  update(done: number, total: number, label: string): void;
  /** erases the in-place line before something else is printed. */
  clear(): void;
  end(): void;
}

/**
 * One reporter can follow several runs in a row (an experiment trains one adapter per sweep
 * point): when `done` goes back or `total` changes, a new run has started, and its elapsed time
 * and ETA count from there (from its first report, so the ETA waits for a second one).
 */
export function progressReporter(what: string, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): ProgressReporter {
  const tty = stream.isTTY === true;
  let origin = { t: now(), done: 0 };
  let last = { done: 0, total: -1 };
  let lastLog = -Infinity;
  let shown = false;
  return {
    update(done, total, label) {
      if (done < last.done || (last.total !== -1 && total !== last.total)) origin = { t: now(), done };
      last = { done, total };
      const elapsed = (now() - origin.t) / 1000;
      const eta = done > origin.done ? (elapsed * (total - done)) / (done - origin.done) : NaN;
      const line = `${what}: ${done}/${total} (${Math.round((100 * done) / Math.max(1, total))}%) ${label} · elapsed ${formatDuration(elapsed)} · ETA ${formatDuration(eta)}`;
      if (tty) {
        stream.write(`\r${line.padEnd(100)}`);
        shown = true;
      } else if (now() - lastLog >= LOG_EVERY_MS || done === total) {
        stream.write(`${line}\n`);
        lastLog = now();
      }
    },
    clear() {
      if (tty && shown) stream.write(`\r${' '.repeat(100)}\r`);
      shown = false;
    },
    end() {
      this.clear();
    },
  };
}

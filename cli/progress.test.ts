import { describe, expect, it } from 'vitest';
import { progressReporter } from './progress.ts';

/** A non-TTY stream that keeps what was written. */
function sink(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s.trim()) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('progressReporter', () => {
  it('extrapolates the ETA from the pace so far', () => {
    let t = 0;
    const { stream, lines } = sink();
    const p = progressReporter('x', stream, () => t);
    t = 10_000;
    p.update(1, 4, 'a');
    expect(lines.at(-1)).toMatch(/1\/4 \(25%\) a · elapsed 0m10s · ETA 0m30s/);
  });

  it('starts the clock again when a second run begins (done goes back), instead of charging it the first run’s time', () => {
    let t = 0;
    const { stream, lines } = sink();
    const p = progressReporter('train', stream, () => t);
    t = 100_000;
    p.update(10, 10, 'point 1');
    t = 200_000; // the second run's first step is reported 100 s later (data building, evaluation in between)
    p.update(1, 10, 'point 2'); // one report of the new run: no pace yet (the old code said ETA 30m)
    expect(lines.at(-1)).toMatch(/1\/10 \(10%\) point 2 · elapsed 0m00s · ETA \?/);
    t = 220_000;
    p.update(10, 10, 'point 2');
    expect(lines.at(-1)).toMatch(/10\/10 \(100%\) point 2 · elapsed 0m20s · ETA 0m00s/);
  });
});

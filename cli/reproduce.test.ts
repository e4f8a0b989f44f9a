/**
 * `reproduce` end to end at the smoke scale, so the command cannot rot: rows, CSV, SVG and the
 * results.md section are written, the notes file is included verbatim, a second run resumes
 * (recomputes nothing), a unit cut off before its marker runs again, and bad flags are named.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const out = mkdtempSync(join(tmpdir(), 'lab-reproduce-'));
// Baselines and the DPT only: the language-model policies would make the test minutes long.
const ARGS = ['reproduce', '--only', 'mdp-horizon', '--scale', 'smoke', '--skip', 'icl,sft', '--out', out, '--json'];

function lab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 110_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Summary {
  scale: string;
  figures: { name: string; planned: number; ran: number; skipped: number }[];
}

const rowsFile = join(out, 'results', 'mdp-horizon.jsonl');
const lines = () => readFileSync(rowsFile, 'utf8').trim().split('\n');

describe('lab reproduce', () => {
  it('runs a figure at the smoke scale, writes rows, CSV, SVG and its results.md section, and resumes', () => {
    writeFileSync(join(out, 'results-notes.md'), '## Hand-written\n\nNOTE-KEPT-VERBATIM\n');
    const first = lab(ARGS);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/estimated/);
    const summary = JSON.parse(first.stdout) as Summary;
    // 2 horizons × (baselines, dpt) run; icl and sft are skipped.
    expect(summary.figures).toEqual([{ name: 'mdp-horizon', planned: 8, ran: 4, skipped: 4, seconds: expect.any(Number) as number }]);

    const rows = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.filter((r) => 'unitDone' in r)).toHaveLength(4);
    const data = rows.filter((r) => 'policy' in r) as { policy: string; point: { horizon: number }; scale: string }[];
    expect(new Set(data.map((r) => r.policy))).toEqual(new Set(['random', 'support-copy', 'ce-planning', 'dpt']));
    expect(new Set(data.map((r) => r.point.horizon))).toEqual(new Set([3, 5]));
    expect(data.every((r) => r.scale === 'smoke')).toBe(true);

    const csv = readFileSync(join(out, 'results', 'mdp-horizon.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^experiment,env,horizon,policy,tasks,gap,ciLow,ciHigh/);
    expect(csv).toHaveLength(1 + data.length);
    expect(readFileSync(join(out, 'results', 'mdp-horizon.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);

    const page = readFileSync(join(out, 'results.md'), 'utf8');
    expect(page).toContain('## MDP: gap against the horizon (`mdp-horizon`)');
    expect(page).toContain('![mdp-horizon](results/mdp-horizon.svg)');
    expect(page).toMatch(/\| random \| [-\d.]+ % \[/);
    expect(page).toMatch(/\*\*Not run yet\*\* \(4 units\)/);
    expect(page).toContain('## The paper\'s claims, measured');
    const seconds = rows.filter((r) => 'unitDone' in r).reduce((a, r) => a + (r.unitDone as { seconds: number }).seconds, 0);
    expect(page).toContain(`smoke scale: 1 figure, 4 units, ${seconds < 120 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`}`);
    expect(page.trimEnd().endsWith('NOTE-KEPT-VERBATIM')).toBe(true);

    // A second run finds every unit stored and leaves the rows as they were.
    const before = readFileSync(rowsFile, 'utf8');
    const again = lab(ARGS);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as Summary).figures[0]!.ran).toBe(0);
    expect(readFileSync(rowsFile, 'utf8')).toBe(before);

    // A unit cut off before its marker (the last line) is run again, and only that one.
    writeFileSync(rowsFile, `${lines().slice(0, -1).join('\n')}\n`);
    const resumed = lab(ARGS);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as Summary).figures[0]!.ran).toBe(1);
    expect(lines().filter((l) => l.includes('"unitDone"'))).toHaveLength(4);
    expect(lines()).toHaveLength(before.trim().split('\n').length);
  });

  it('refuses to mix scales in a figure without --replace', () => {
    // Refused before anything runs (an estimate only reads, so it is not refused).
    const r = lab(['reproduce', '--only', 'mdp-horizon', '--scale', 'quick', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scale: .*holds rows at scale smoke; pass --replace/);
  });

  it.each([
    [['--scale', 'huge'], /--scale: must be one of smoke, quick, paper, got "huge"/],
    [['--only', 'mdp-horizon,nope'], /--only: .*mdp-horizon, mdp-train-tasks.*; got "nope"/],
    [['--skip', 'oracle'], /--skip: .*baselines, icl, sft, dpt; got "oracle"/],
  ])('names the bad flag and its allowed values: %s', (flags, message) => {
    const r = lab(['reproduce', '--estimate', '--out', out, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

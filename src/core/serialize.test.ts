import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';
import {
  formatReward,
  parsePrompt,
  parseTrajectory,
  serializePrompt,
  serializeTrainingExample,
  serializeTrajectory,
  trainingPairs,
} from './serialize.ts';
import type { Step, Trajectory } from './types.ts';

const energySteps: Step[] = [
  { obs: [3], action: 1, reward: -0.1 },
  { obs: [4], action: 2, reward: 4 / 9 },
  { obs: [3], action: 0, reward: -0.1 },
];
const darkSteps: Step[] = [
  { obs: [0, 0], action: 0, reward: 0 },
  { obs: [1, 0], action: 0, reward: 0 },
  { obs: [2, 0], action: 2, reward: 1 },
];

function randomTrajectory(rng: Rng, env: 'energy' | 'darkroom'): Trajectory {
  const n = 1 + rng.int(15);
  return Array.from({ length: n }, () =>
    env === 'energy'
      ? { obs: [rng.int(10)], action: rng.int(3), reward: Math.round(rng.uniform(-2, 2) * 100) / 100 || 0 }
      : { obs: [rng.int(10), rng.int(10)], action: rng.int(5), reward: rng.int(2) },
  );
}

describe('serialize (DESIGN §4)', () => {
  it('writes the exact step format for energy', () => {
    expect(serializeTrajectory(energySteps)).toBe('<O_1> 3, <A_1> 1, <R_1> -0.10, <O_2> 4, <A_2> 2, <R_2> 0.44, <O_3> 3, <A_3> 0, <R_3> -0.10');
  });

  it('writes darkroom observations as "x y"', () => {
    expect(serializeTrajectory(darkSteps)).toBe('<O_1> 0 0, <A_1> 0, <R_1> 0.00, <O_2> 1 0, <A_2> 0, <R_2> 0.00, <O_3> 2 0, <A_3> 2, <R_3> 1.00');
  });

  it('prints rewards with two decimals and never -0.00', () => {
    expect(formatReward(-0.001)).toBe('0.00');
    expect(formatReward(-0)).toBe('0.00');
    expect(formatReward(0.005)).toBe('0.01');
    expect(formatReward(1)).toBe('1.00');
    expect(formatReward(-1.234)).toBe('-1.23');
    expect(() => formatReward(NaN)).toThrow();
  });

  it('writes a prompt: supports one per line, then the open query with a trailing space', () => {
    const prompt = serializePrompt([energySteps.slice(0, 1), energySteps.slice(1, 2)], energySteps.slice(0, 1), [5]);
    expect(prompt).toBe(['<O_1> 3, <A_1> 1, <R_1> -0.10', '<O_1> 4, <A_1> 2, <R_1> 0.44', '<O_1> 3, <A_1> 1, <R_1> -0.10, <O_2> 5, <A_2> '].join('\n'));
    expect(serializePrompt([], [], [2, 7])).toBe('<O_1> 2 7, <A_1> ');
  });

  it('training strings use the prompt layout; each training pair is a prompt and its action', () => {
    const support = [darkSteps];
    const text = serializeTrainingExample(support, energySteps);
    expect(text).toBe(`${serializeTrajectory(darkSteps)}\n${serializeTrajectory(energySteps)}`);
    const pairs = trainingPairs(support, energySteps);
    expect(pairs).toHaveLength(3);
    for (const { prompt, completion } of pairs) expect(text.startsWith(prompt + completion)).toBe(true);
    expect(pairs[1]!.prompt.endsWith('<O_2> 4, <A_2> ')).toBe(true);
  });

  it('round-trips random trajectories and prompts of both envs', () => {
    const rng = new Rng(42);
    for (let i = 0; i < 200; i++) {
      const env = i % 2 === 0 ? 'energy' : 'darkroom';
      const traj = randomTrajectory(rng, env);
      expect(parseTrajectory(serializeTrajectory(traj))).toEqual(traj);
      const support = Array.from({ length: rng.int(4) }, () => randomTrajectory(rng, env));
      const query = traj.slice(0, rng.int(traj.length));
      const obs = traj[traj.length - 1]!.obs;
      expect(parsePrompt(serializePrompt(support, query, obs))).toEqual({ support, query, obs });
    }
  });

  it('rewards come back rounded to two decimals', () => {
    expect(parseTrajectory(serializeTrajectory(energySteps))[1]!.reward).toBe(0.44);
  });
});

describe('parsers reject malformed text with a clear message', () => {
  const cases: [string, RegExp][] = [
    ['', /empty trajectory/],
    ['<O_1> 3, <A_1> 1, <R_1> 0.1', /step 1: expected .*2 decimals.*got "<O_1> 3, <A_1> 1, <R_1> 0.1"/],
    ['<O_1> 3, <A_1> 1, <R_1> 0.10, <O_3> 3, <A_3> 1, <R_3> 0.10', /step 2: step indices 3\/3\/3 should all be 2/],
    ['<O_1> 3, <A_2> 1, <R_1> 0.10', /step indices 1\/2\/1/],
    ['<O_1> x, <A_1> 1, <R_1> 0.10', /step 1: expected/],
    ['<O_1> 3,<A_1> 1, <R_1> 0.10', /step 1: expected/],
    ['<O_1> 3, <A_1> 1, <R_1> 0.10, ', /step 1: expected .*got "<O_1> 3, <A_1> 1, <R_1> 0.10, "/],
    ['<O_1> 3, <A_1> 1, <R_1> 0.10\n<O_1> 3, <A_1> 1, <R_1> 0.10', /one line/],
  ];
  it.each(cases)('parseTrajectory(%j)', (text, message) => {
    expect(() => parseTrajectory(text)).toThrow(message);
  });

  it('parsePrompt names the bad line and the missing open step', () => {
    expect(() => parsePrompt('<O_1> 3, <A_1> 1, <R_1> 0.10')).toThrow(/query: expected it to end with "<O_1> obs, <A_1> "/);
    expect(() => parsePrompt('<O_1> 3, <A_1> ')).not.toThrow();
    expect(() => parsePrompt('<O_1> 3, <A_1>')).toThrow(/trailing space/);
    expect(() => parsePrompt('<O_1> 3, <A_1> 1, <R_1> 0.10\nbad\n<O_1> 3, <A_1> ')).toThrow(/support line 2, step 1/);
    expect(() => parsePrompt('<O_1> 3, <A_1> 1, <R_1> 0.10, <O_3> 3, <A_3> ')).toThrow(/open step indices 3\/3 should be 2/);
    expect(() => parsePrompt('\n<O_1> 3, <A_1> ')).toThrow(/support line 1: empty trajectory/);
  });
});

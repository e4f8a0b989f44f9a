/**
 * Live training of the LSA layer in the theory worker: chunks of SGD steps while running, so
 * pausing takes effect after the chunk in progress and the learning rate can change between
 * chunks without a reset. A change to the training problem (d, κ, N, seed) starts a new layer.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LsaStep, TheorySettings } from '../../core/theory/index.ts';
import { errorMessage } from '../worker-client.ts';
import { theoryApi } from './theory-client.ts';

const CHUNK_STEPS = 25;
/** The chart keeps at most this many points: older ones are thinned to every other one. */
const MAX_POINTS = 600;
export const MAX_STEPS = 20000;

export interface LsaTraining {
  running: boolean;
  log: LsaStep[];
  matrix: Float64Array | null;
  /** the learning rate in use (null before the first chunk: the stable default). */
  lr: number | null;
  error: string | null;
  start: () => void;
  pause: () => void;
  reset: () => void;
  setLr: (lr: number) => void;
}

function thin(log: LsaStep[]): LsaStep[] {
  return log.length <= MAX_POINTS ? log : log.filter((_, i) => i % 2 === 0 || i === log.length - 1);
}

interface State {
  /** the training problem this state belongs to (d, κ, N, seed). */
  problem: string;
  running: boolean;
  log: LsaStep[];
  matrix: Float64Array | null;
  lr: number | null;
  error: string | null;
}

const fresh = (problem: string): State => ({ problem, running: false, log: [], matrix: null, lr: null, error: null });

export function useLsaTraining(settings: TheorySettings): LsaTraining {
  const problem = JSON.stringify([settings.d, settings.kappa, settings.N, settings.seed]);
  const [stored, setState] = useState<State>(() => fresh(problem));
  // A state of another training problem is a layer that no longer applies: read as a fresh one.
  const state = stored.problem === problem ? stored : fresh(problem);
  const live = useRef({ running: false, lr: null as number | null, restart: true, generation: 0, settings });

  useEffect(() => {
    live.current.settings = settings;
  }, [settings]);
  // A new training problem stops the loop; the next start builds a new layer.
  useEffect(() => {
    const l = live.current;
    live.current = { ...l, running: false, lr: null, restart: true, generation: l.generation + 1 };
  }, [problem]);

  const update = useCallback((p: string, f: (s: State) => State) => setState((old) => f(old.problem === p ? old : fresh(p))), []);

  const reset = useCallback(() => {
    const l = live.current;
    live.current = { ...l, running: false, lr: null, restart: true, generation: l.generation + 1 };
    setState(fresh(problem));
  }, [problem]);

  const loop = useCallback(async () => {
    const generation = live.current.generation;
    while (live.current.running && live.current.generation === generation) {
      try {
        const chunk = await theoryApi().train(live.current.settings, CHUNK_STEPS, live.current.lr, live.current.restart);
        if (live.current.generation !== generation) return;
        live.current.restart = false;
        live.current.lr = chunk.lr;
        const last = chunk.steps.at(-1)!;
        const diverged = !Number.isFinite(last.loss);
        const done = diverged || last.step >= MAX_STEPS;
        if (done) live.current.running = false;
        update(problem, (s) => ({
          ...s,
          // A pause that came while this chunk ran has already stopped the loop.
          running: live.current.running,
          lr: chunk.lr,
          matrix: chunk.matrix,
          log: thin([...s.log, ...chunk.steps]),
          error: diverged ? 'The training diverged: lower the learning rate and reset the layer.' : null,
        }));
      } catch (e) {
        live.current.running = false;
        update(problem, (s) => ({ ...s, running: false, error: errorMessage(e) }));
      }
    }
  }, [problem, update]);

  const start = useCallback(() => {
    if (live.current.running) return;
    live.current.running = true;
    update(problem, (s) => ({ ...s, running: true, error: null }));
    void loop();
  }, [loop, problem, update]);

  const pause = useCallback(() => {
    live.current.running = false;
    update(problem, (s) => ({ ...s, running: false }));
  }, [problem, update]);

  const setLr = useCallback(
    (v: number) => {
      live.current.lr = v;
      update(problem, (s) => ({ ...s, lr: v }));
    },
    [problem, update],
  );

  return { ...state, start, pause, reset, setLr };
}

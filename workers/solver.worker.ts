/**
 * The solver worker: builds tasks from specs, solves them (the oracle can take seconds for
 * POMDP/APOMDP horizons), and runs single episodes for the stepper with beliefs precomputed,
 * so the main thread only draws. The task/support/episode logic lives in episodes.ts, shared
 * with the ICL worker.
 */
import * as Comlink from 'comlink';
import type { TaskSpec } from '../src/core/types.ts';
import { BUILTIN_POLICIES, getPolicy } from '../src/policies/registry.ts';
import type { EpisodeRequest, EpisodeView, PolicyInfo, SolverApi, TaskInfo } from './api.ts';
import { runEpisodeWith, solved } from './episodes.ts';

const api: SolverApi = {
  async policies(): Promise<PolicyInfo[]> {
    // The stepper runs no language model (this worker loads none): icl runs in sweeps.
    return BUILTIN_POLICIES.filter((f) => !f.languageModel).map((f) => ({ name: f.name, privileged: f.privileged === true }));
  },

  async sampleTask(spec: TaskSpec): Promise<TaskInfo> {
    const s = solved(spec);
    const params = s.task.params as unknown as Record<string, unknown>;
    return {
      spec,
      env: s.task.env,
      params,
      nStates: s.task.kind === 'energy' ? s.task.nStates : s.task.params.size ** 2,
      nModels: s.task.kind === 'energy' ? s.task.models.length : 1,
      oracle: s.info,
    };
  },

  async runEpisode(req: EpisodeRequest): Promise<EpisodeView> {
    return runEpisodeWith(req, getPolicy(req.policy));
  },
};

Comlink.expose(api);

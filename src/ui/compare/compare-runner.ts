/**
 * Runs the Compare view's episodes in the evaluator worker (which holds the language models):
 * the stepper's task, the chosen policies, and the kept adapter and DPT read from IndexedDB.
 */
import type { CompareRequest } from '../../../workers/api.ts';
import { artifactFiles, type ArtifactMeta } from '../persist/artifacts-db.ts';
import { useLab } from '../store.ts';
import { errorMessage, evaluatorApi } from '../worker-client.ts';

/** The artifact chosen for a policy (by id), else the newest finished one of its kind. */
export function chosenArtifact(artifacts: readonly ArtifactMeta[], kind: 'sft-adapter' | 'dpt-model', id: string | null): ArtifactMeta | null {
  const of = artifacts.filter((a) => a.kind === kind);
  return of.find((a) => a.id === id) ?? of[0] ?? null;
}

export async function runCompare(): Promise<void> {
  const s = useLab.getState();
  const spec = s.task?.spec;
  if (!spec) {
    useLab.setState({ compareRun: { status: 'failed', error: 'Sample a task on tab 1 first: the comparison runs on the task shown there.' } });
    return;
  }
  const { policies, episode, adapterId, dptId } = s.compare;
  useLab.setState({ compareRun: { status: 'running', error: null, startedAt: Date.now() } });
  try {
    const req: CompareRequest = { spec, episode, policies: [...policies] };
    if (s.trueModel !== 'drawn') req.model = s.trueModel;
    if (s.modelChoice.kind === 'shipped' && s.modelChoice.shipped) req.lm = s.modelChoice.shipped;
    const need = async (policy: string, kind: 'sft-adapter' | 'dpt-model', id: string | null) => {
      if (!policies.includes(policy as never)) return undefined;
      const meta = chosenArtifact(s.artifacts, kind, id);
      if (!meta) throw new Error(`${policy}: nothing trained yet. Run a sweep with ${policy} (tab 2) on this environment, then come back.`);
      const files = await artifactFiles(meta.id);
      if (!files) throw new Error(`${policy}: the files of “${meta.runName} · ${meta.label}” could not be read from this browser's storage`);
      return files;
    };
    const adapter = await need('sft', 'sft-adapter', adapterId);
    const dpt = await need('dpt', 'dpt-model', dptId);
    if (adapter) req.adapter = adapter;
    if (dpt) req.dpt = dpt;
    const result = await evaluatorApi().compare(req);
    useLab.setState({ compareResult: { ...result, spec }, compareRun: { status: 'done', error: null } });
  } catch (e) {
    useLab.setState({ compareRun: { status: 'failed', error: errorMessage(e) } });
  }
}

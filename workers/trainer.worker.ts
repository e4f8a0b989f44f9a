/**
 * The trainer worker (DESIGN §9 "where it runs"): one SFT or DPT job of the Train tab, on WebGPU
 * where the browser has it, else the CPU. A thin shell over src/training: the same
 * trainSftAtPoint / trainDptAtPoint the sweeps and `train` call. Pausing is stopping between
 * steps; an SFT job continues from its last checkpoint (which the page keeps in IndexedDB, so a
 * reload can continue it too). If the WebGPU device is lost mid-run, the job goes on on the CPU
 * from its last checkpoint and says so.
 */
import * as Comlink from 'comlink';
import { parseExperimentSpec } from '../src/experiments/spec.ts';
import { asLanguageModel, loadModel } from '../src/models/loader/load.ts';
import { SHIPPED_MODEL_NAME } from '../src/models/pretrain/card.ts';
import type { Backend } from '../src/nn/backend.ts';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { adapterFolderFiles, dptFolderFiles } from '../src/training/artifact-files.ts';
import { trainDptAtPoint, trainSftAtPoint } from '../src/training/at-point.ts';
import { isAbort, trainWithFallback } from '../src/training/device-fallback.ts';
import type { TrainProgress } from '../src/training/sft.ts';
import { forgetPreferredBackend, modelLocation, preferredBackend } from './backend.ts';
import type { TrainerApi, TrainJobRequest, TrainOutcome } from './trainer-api.ts';

let controller: AbortController | null = null;
let lrScale = 1;
/** The backend of the running job's first try (what `loseDevice` destroys). */
let backendInUse: Backend | null = null;

async function run(req: TrainJobRequest, be: Backend, resume: Uint8Array | undefined, hooks: {
  onEvent: Parameters<TrainerApi['start']>[1];
  onCheckpoint: Parameters<TrainerApi['start']>[2];
  remember: (bytes: Uint8Array) => void;
  signal: AbortSignal;
}): Promise<TrainOutcome> {
  const spec = parseExperimentSpec(req.spec);
  const common = {
    signal: hooks.signal,
    lrScale: () => lrScale,
    onProgress: (progress: TrainProgress) => hooks.onEvent({ kind: 'progress', progress }),
  };
  if (req.policy === 'dpt') {
    const r = await trainDptAtPoint(spec, req.point, be, common);
    const files = Object.fromEntries(await dptFolderFiles(r.result.model));
    return { status: 'done', files, steps: r.result.losses.length, tokens: r.result.tokens, seconds: r.result.seconds, device: be.name };
  }
  const name = spec.model ?? SHIPPED_MODEL_NAME;
  const location = modelLocation(name);
  const base = asLanguageModel(await loadModel({ kind: 'local', location, name }, { backend: be, nf4: spec.training.nf4 }));
  const r = await trainSftAtPoint(spec, req.point, base, {
    ...common,
    ...(resume ? { resume } : {}),
    checkpointEvery: req.checkpointEvery,
    saveCheckpoint: async (bytes, step) => {
      hooks.remember(bytes);
      await hooks.onCheckpoint(bytes, step, 0);
    },
  });
  const files = Object.fromEntries(await adapterFolderFiles(be, r.result.adapter, name));
  return { status: 'done', files, steps: r.result.losses.length, tokens: r.result.tokens, seconds: r.result.seconds, device: be.name };
}

const api: TrainerApi = {
  async start(req, onEvent, onCheckpoint) {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    lrScale = req.lrScale;
    let last = req.resume;
    const hooks = { onEvent, onCheckpoint, remember: (b: Uint8Array) => void (last = b), signal: mine.signal };
    const primary = req.cpu ? new CpuBackend() : await preferredBackend();
    backendInUse = primary;
    onEvent({ kind: 'device', device: primary.name });
    try {
      return await trainWithFallback({
        primary,
        fallback: () => (primary instanceof CpuBackend ? null : new CpuBackend()),
        run: (be, resume) => run(req, be, resume, hooks),
        lastCheckpoint: () => last,
        onSwitch: (be, note) => {
          forgetPreferredBackend();
          onEvent({ kind: 'device', device: be.name, note });
        },
      });
    } catch (e) {
      if (isAbort(e)) return { status: 'stopped', step: 0 };
      throw e;
    } finally {
      if (controller === mine) controller = null;
    }
  },
  async stop() {
    controller?.abort();
  },
  async setLrScale(scale) {
    lrScale = scale;
  },
  async loseDevice() {
    if (!backendInUse || backendInUse.name !== 'webgpu') return false;
    (backendInUse as Backend & { device: GPUDevice }).device.destroy();
    return true;
  },
};

Comlink.expose(api);

/**
 * The SFT dataset (DESIGN §1, §9): the experiment's serialized training examples
 * (experiments/dataset.ts — k support trajectories, one per line, then the episode, exactly the
 * prompt layout of inference) as token rows with a loss mask, split by task into training and
 * validation (the last 10 % of training tasks).
 *
 * What the loss counts (`loss`):
 * - `query` (default): the tokens of the episode line — the trajectory being learned, read
 *   after its support as at inference. The support lines are context only: predicting them
 *   would spend the adapter on modelling other rollouts of the task.
 * - `text`: every token (the paper's "next-token cross-entropy on serialized trajectories").
 * Token offsets come from encoding the support prefix alone; a tokenizer whose tokens could
 * cross the line break (none of the lab's, nor BPE with a newline piece) is refused.
 *
 * Random episodes (the darkroom's 100 per goal, DESIGN §2.4) teach the room and acting from
 * off-policy histories, never a random move: an action token of theirs counts only where the
 * random action is the one the oracle would take there (`oracleActions`, the DPT's labels). Counted
 * as they were, 100 of a goal's 110 rows taught a random walk, and the quick darkroom's SFT
 * returned 0 where copying the support returns the oracle's 6 (2026-12-02).
 */
import { LINE_SEPARATOR, serializeQuery, serializeTrainingExample, serializeTrajectory } from '../core/serialize.ts';
import { type DatasetExample, type DatasetOptions, trainingExamples, validationTaskCount } from '../experiments/dataset.ts';
import type { TokenizerLike } from '../models/icl/tokens.ts';
import { leadingSpecialTokens } from '../models/icl/tokens.ts';
import type { SftLossMode } from './settings.ts';


export interface SftRow {
  task: number;
  ids: number[];
  /** mask[t] = 1 when token t (t ≥ 1) is a counted target (DESIGN §7's loss_mask). */
  mask: number[];
}

export interface SftDataset {
  train: SftRow[];
  val: SftRow[];
  /** counted targets over all training rows. */
  trainTargets: number;
  longest: number;
  tasks: number;
}

/** One example as a token row (BOS first, as at inference) with its loss mask. */
export function sftRow(tok: TokenizerLike, ex: DatasetExample, loss: SftLossMode): SftRow {
  const lead = leadingSpecialTokens(tok);
  const ids = [...lead, ...tok.encode(serializeTrainingExample(ex.support, ex.steps), { add_special_tokens: false })];
  // Where the episode line starts: after the support lines (the lead tokens alone without support).
  const support = ex.support.length > 0 ? `${ex.support.map(serializeTrajectory).join(LINE_SEPARATOR)}${LINE_SEPARATOR}` : '';
  const prefix = [...lead, ...(support && (loss === 'query' || ex.policy === 'random') ? tok.encode(support, { add_special_tokens: false }) : [])];
  if (!prefix.every((id, i) => ids[i] === id)) throw new Error('SFT dataset: the tokenizer merges across the line break, so the query line has no token boundary; use loss "text"');
  const from = loss === 'query' && ex.support.length > 0 ? prefix.length : 1;
  const mask = ids.map((_, t) => (t >= Math.max(1, from) ? 1 : 0));
  if (ex.policy === 'random') {
    ex.steps.forEach((step, t) => {
      if (step.action === ex.oracleActions[t]) return;
      // The episode line up to its open action slot: the action's token comes right after it (DESIGN §4).
      const slot = tok.encode(serializeQuery(ex.steps.slice(0, t), step.obs), { add_special_tokens: false });
      const at = prefix.length + slot.length;
      if (!slot.every((id, i) => ids[prefix.length + i] === id) || at >= ids.length) throw new Error(`SFT dataset: step ${t + 1}'s action slot is not a token boundary of the row`);
      mask[at] = 0;
    });
  }
  return { task: ex.task, ids, mask };
}

/** Tokenized training and validation rows of the spec's sweep point (`opts` as for the JSONL export). */
export async function buildSftDataset(spec: unknown, tok: TokenizerLike, o: DatasetOptions & { tasks: number; loss?: SftLossMode }): Promise<SftDataset> {
  const nVal = validationTaskCount(o.tasks);
  const firstVal = o.tasks - nVal;
  const train: SftRow[] = [];
  const val: SftRow[] = [];
  for await (const ex of trainingExamples(spec, o)) (ex.task >= firstVal ? val : train).push(sftRow(tok, ex, o.loss ?? 'query'));
  const count = (rows: SftRow[]): number => rows.reduce((s, r) => s + r.mask.reduce((a, b) => a + b, 0), 0);
  return { train, val, trainTargets: count(train), longest: Math.max(0, ...[...train, ...val].map((r) => r.ids.length)), tasks: o.tasks };
}

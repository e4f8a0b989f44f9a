/**
 * The reproduction's vocabulary (issue 11): a figure is a function from a scale to experiment
 * specs, run in resumable units through the one pipeline (runExperiment), whose rows are stored
 * per figure and drawn, tabulated and judged against the paper's claims.
 */
import type { ExperimentSpecInput } from '../spec.ts';
import type { ResultRow } from '../types.ts';

export const SCALES = ['smoke', 'quick', 'paper'] as const;
export type Scale = (typeof SCALES)[number];

/**
 * Policies are run in groups, one unit per (experiment, sweep point, group): the cheap
 * baselines together, each learned policy alone, so a unit's cost is one kind of work and a
 * group can be skipped (`--skip icl,sft`) and run later without recomputing the others.
 */
export const POLICY_GROUPS = ['baselines', 'icl', 'sft', 'dpt'] as const;
export type PolicyGroup = (typeof POLICY_GROUPS)[number];
export const BASELINE_POLICIES = ['random', 'support-copy', 'ce-planning'] as const;
/** Every policy a figure may ask for, in the order tables list them. */
export const FIGURE_POLICIES = [...BASELINE_POLICIES, 'icl', 'sft', 'dpt'] as const;
export type FigurePolicy = (typeof FIGURE_POLICIES)[number];

export function groupOf(policy: string): PolicyGroup {
  return policy === 'icl' || policy === 'sft' || policy === 'dpt' ? policy : 'baselines';
}

/** A spec the reproduction runs, with labels merged into its rows' `point` (e.g. the horizon of a trainTasks sweep). */
export interface PlannedExperiment {
  spec: ExperimentSpecInput;
  labels?: Record<string, number | string>;
  /**
   * Specs evaluated in the same unit with what `spec` trained at that point (sft's adapter, the
   * DPT): out-of-distribution tests, random support at test time. Their sweeps are their own;
   * their policies are `spec`'s.
   */
  transfer?: { spec: ExperimentSpecInput; labels?: Record<string, number | string> }[];
}

/** How a figure's chart is drawn from its rows. */
export interface ChartSpec {
  /** the point field on the x axis. */
  x: string;
  xTitle: string;
  /** log scale on x (training tasks). */
  logX?: boolean;
  /** a point field (or `experiment`) that splits the chart into panels. */
  facet?: string;
  /** y: the gap (default) or the mean return (darkroom). */
  y?: 'gap' | 'return';
}

export interface FigurePlan {
  experiments: PlannedExperiment[];
  /** one paragraph: the scale in words (tasks, episodes, training), shown in results.md. */
  scaleNote: string;
}

/** An experiment figure: rows from the pipeline. */
export interface ExperimentFigure {
  kind: 'experiment';
  name: string;
  title: string;
  /** what the paper reports for this figure, in one or two sentences. */
  paper: string;
  chart: ChartSpec;
  plan(scale: Scale): FigurePlan;
  /** set when the figure cannot run yet, with the reason. */
  notRunnable?: string;
}

/** A figure computed without the pipeline's tasks (the theory of §1) or by a search (the fit). */
export interface ComputedFigure {
  kind: 'theory' | 'fit';
  name: string;
  title: string;
  paper: string;
  chart: ChartSpec;
  scaleNote(scale: Scale): string;
}

export type Figure = ExperimentFigure | ComputedFigure;

export interface MachineInfo {
  os: string;
  cpu: string;
  cores: number;
  node: string;
}

/** One stored row: the pipeline's row, which unit produced it and at which scale. */
export interface StoredRow extends ResultRow {
  unit: string;
  scale: Scale;
  /** extra numbers a computed figure stores (theory: the bound's terms). */
  extra?: Record<string, number>;
}

/** The completion marker of a unit: written after its rows, in the same append. */
export interface UnitRecord {
  unit: string;
  scale: Scale;
  label: string;
  seconds: number;
  machine: MachineInfo;
  finished: string;
  /** the machine's 1-minute load average when the unit finished (other jobs slow a unit down). */
  load?: number;
  /** work measures of the unit, for cost estimates (simulated steps, LM decisions, training examples). */
  work: UnitWork;
}

export interface UnitWork {
  /** env of the unit ('linear-mdp' for theory). */
  env: string;
  group: PolicyGroup | 'computed';
  /** Σ testTasks · episodes · models · horizon over the unit's specs and points. */
  evalSteps: number;
  /** Σ trainTasks · epochs · horizon for the unit's trained policy (0 for untrained groups). */
  trainSteps: number;
}

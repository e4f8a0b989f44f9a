/**
 * The address bar and the store, kept in step: a link opened restores its state (over the saved
 * settings), and every change a person makes is written back into the address (debounced,
 * `history.replaceState`, so the Back button is not filled with every keystroke).
 *
 * Opening is a navigation to an address with a fragment, or a fragment pasted into the address
 * bar of an open lab (`hashchange`). A reload is not opening a link: the saved settings are
 * written at once and the address up to WRITE_DELAY_MS later, so after a reload the saved
 * settings are the newer copy (and a person who reset them in the error box gets the reset).
 */
import { useLab } from '../store.ts';
import { errorMessage, solverApi } from '../worker-client.ts';
import { labLink } from './lab-link.ts';
import { sameJson } from './link.ts';

/** Long enough to coalesce typing, short enough that a link copied from the address bar is current. */
export const WRITE_DELAY_MS = 300;

/** The address that opens the lab as it is now. */
export function currentLink(): string {
  return `${location.origin}${location.pathname}${location.search}#${labLink.write(useLab.getState())}`;
}

/** Applies a link's fragment to the store, says what it could not use, and computes its task and episode again. */
export function applyLink(fragment: string): void {
  const s = useLab.getState();
  const { patch, problems } = labLink.read(fragment, s);
  // A link replacing one still being computed takes over its busy flags.
  const overtaken = s.linkRestore !== null ? { taskBusy: false, episodeBusy: false } : {};
  useLab.setState({ ...overtaken, ...patch, linkProblems: problems.length > 0 ? problems : null, linkGeneration: s.linkGeneration + 1 });
  void restoreShown();
}

/** Samples the link's task and runs its episode, as the panels' buttons would, then shows its step. */
async function restoreShown(): Promise<void> {
  const r = useLab.getState().linkRestore;
  if (!r) return;
  // A later link or a person's own action replaces this one: its results are then dropped.
  const current = () => useLab.getState().linkRestore === r;
  const { set } = useLab.getState();
  let phase: 'task' | 'episode' | null = null;
  try {
    const have = useLab.getState().task;
    if (!have || !sameJson(have.spec, r.task)) {
      phase = 'task';
      set({ taskBusy: true, taskError: null });
      const task = await solverApi().sampleTask(r.task);
      if (!current()) return;
      set({ task, taskBusy: false, episode: null, step: 0 });
    }
    if (r.run) {
      phase = 'episode';
      set({ episodeBusy: true, episodeError: null });
      const episode = await solverApi().runEpisode(r.run);
      if (!current()) return;
      const last = episode.steps.length - 1;
      const problems = r.step > last ? [`step: must be a whole number from 0 to ${last} for this episode, got ${r.step}`] : [];
      set({ episode, episodeBusy: false, step: Math.min(r.step, Math.max(0, last)) });
      if (problems.length > 0) set({ linkProblems: [...(useLab.getState().linkProblems ?? []), ...problems] });
    }
  } catch (e) {
    if (current()) set(phase === 'task' ? { taskError: errorMessage(e) } : { episodeError: errorMessage(e) });
  } finally {
    if (current()) set({ linkRestore: null, taskBusy: false, episodeBusy: false });
    // Overtaken by the person sampling a task (the one button its episode phase leaves enabled):
    // the episode flag is still this restore's. A newer link clears the flags itself (applyLink).
    else if (phase === 'episode' && useLab.getState().linkRestore === null) set({ episodeBusy: false });
  }
}

function openedAsLink(): boolean {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  return nav?.type !== 'reload' && nav?.type !== 'back_forward';
}

/** Starts once, before the first render, after the saved settings were read (the store's creation). */
export function startLinkSync(): void {
  if (location.hash.length > 1 && openedAsLink()) applyLink(location.hash);
  let written = '';
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    written = `#${labLink.write(useLab.getState())}`;
    if (written !== location.hash) history.replaceState(history.state, '', written);
  };
  write();
  // Not reset by every change: a sweep's progress changes the store several times a second, and
  // the address must still follow a setting changed meanwhile.
  useLab.subscribe(() => {
    timer ??= setTimeout(write, WRITE_DELAY_MS);
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === written) return;
    applyLink(location.hash);
    write();
  });
}

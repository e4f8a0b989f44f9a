import { useRef, type ComponentType, type KeyboardEvent } from 'react';
import type { SliceName } from './persist/settings-recovery.ts';
import { useLab, type Tab } from './store.ts';
import { ErrorBoundary } from './common/ErrorBoundary.tsx';
import { StorageNotices } from './common/StorageNotices.tsx';
import { EnvPanel } from './env/EnvPanel.tsx';
import { EpisodePanel } from './episode/EpisodePanel.tsx';
import { SweepPanel } from './sweep/SweepPanel.tsx';
import { BenchPanel } from './bench/BenchPanel.tsx';
import { ModelPanel } from './model/ModelPanel.tsx';
import { CopyLink } from './share/CopyLink.tsx';
import { ComparePanel } from './compare/ComparePanel.tsx';
import { TrainPanel } from './train/TrainPanel.tsx';
import { TheoryPanel } from './theory/TheoryPanel.tsx';

const TABS: { id: Tab; label: string }[] = [
  { id: 'episode', label: '1 · Task & episode' },
  { id: 'sweep', label: '2 · Sweep experiment' },
  { id: 'train', label: '3 · Train' },
  { id: 'compare', label: '4 · Compare policies' },
  { id: 'model', label: '5 · Model' },
  { id: 'theory', label: '6 · Theory' },
  { id: 'bench', label: '7 · Engine bench' },
];

/** What each tab shows: its panels, each inside an error boundary that names it and can reset its settings slice. */
const PANELS: Record<Tab, { where: string; slice?: SliceName; Panel: ComponentType }[]> = {
  episode: [
    { where: 'the environment panel', slice: 'episode', Panel: EnvPanel },
    { where: 'the episode stepper', slice: 'episode', Panel: EpisodePanel },
  ],
  sweep: [{ where: 'the sweep panel', slice: 'sweep', Panel: SweepPanel }],
  train: [{ where: 'the train panel', slice: 'train', Panel: TrainPanel }],
  compare: [{ where: 'the compare panel', slice: 'compare', Panel: ComparePanel }],
  model: [{ where: 'the model panel', slice: 'model', Panel: ModelPanel }],
  theory: [{ where: 'the theory explorer', slice: 'theory', Panel: TheoryPanel }],
  bench: [{ where: 'the engine bench', Panel: BenchPanel }],
};

export function App() {
  const tab = useLab((s) => s.tab);
  const set = useLab((s) => s.set);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  // WAI-ARIA tabs pattern: arrow keys move between tabs, Tab moves into the panel.
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -2;
    if (next === -2) return;
    e.preventDefault();
    e.stopPropagation();
    const t = TABS[(next + TABS.length) % TABS.length]!;
    set({ tab: t.id });
    refs.current[t.id]?.focus();
  };

  return (
    <div className="app">
      <header className="header">
        <h1>Decision Lab</h1>
        <p className="tagline">Set up a decision problem, watch a policy act step by step, and measure how far it is from optimal.</p>
        <nav role="tablist" aria-label="Lab sections" onKeyDown={onKey} className="tabs">
          {TABS.map((t) => (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[t.id] = el;
              }}
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => set({ tab: t.id })}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <CopyLink />
      </header>
      <StorageNotices />
      <main>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className={tab === 'episode' ? 'layout' : undefined}>
          {PANELS[tab].map(({ where, slice, Panel }) => (
            <ErrorBoundary key={where} where={where} {...(slice ? { slice } : {})}>
              <Panel />
            </ErrorBoundary>
          ))}
        </div>
      </main>
    </div>
  );
}

import { useRef, type KeyboardEvent } from 'react';
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
        {tab === 'episode' ? (
          <div role="tabpanel" id="panel-episode" aria-labelledby="tab-episode" className="layout">
            <ErrorBoundary where="the environment panel" slice="episode">
              <EnvPanel />
            </ErrorBoundary>
            <ErrorBoundary where="the episode stepper" slice="episode">
              <EpisodePanel />
            </ErrorBoundary>
          </div>
        ) : tab === 'sweep' ? (
          <div role="tabpanel" id="panel-sweep" aria-labelledby="tab-sweep">
            <ErrorBoundary where="the sweep panel" slice="sweep">
              <SweepPanel />
            </ErrorBoundary>
          </div>
        ) : tab === 'train' ? (
          <div role="tabpanel" id="panel-train" aria-labelledby="tab-train">
            <ErrorBoundary where="the train panel" slice="train">
              <TrainPanel />
            </ErrorBoundary>
          </div>
        ) : tab === 'compare' ? (
          <div role="tabpanel" id="panel-compare" aria-labelledby="tab-compare">
            <ErrorBoundary where="the compare panel" slice="compare">
              <ComparePanel />
            </ErrorBoundary>
          </div>
        ) : tab === 'theory' ? (
          <div role="tabpanel" id="panel-theory" aria-labelledby="tab-theory">
            <ErrorBoundary where="the theory explorer" slice="theory">
              <TheoryPanel />
            </ErrorBoundary>
          </div>
        ) : tab === 'model' ? (
          <div role="tabpanel" id="panel-model" aria-labelledby="tab-model">
            <ErrorBoundary where="the model panel" slice="model">
              <ModelPanel />
            </ErrorBoundary>
          </div>
        ) : (
          <div role="tabpanel" id="panel-bench" aria-labelledby="tab-bench">
            <ErrorBoundary where="the engine bench">
              <BenchPanel />
            </ErrorBoundary>
          </div>
        )}
      </main>
    </div>
  );
}

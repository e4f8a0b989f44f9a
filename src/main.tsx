import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.tsx';
import { ErrorBoundary } from './ui/common/ErrorBoundary.tsx';
import { loadSaved } from './ui/store.ts';
import { startLinkSync } from './ui/share/url-sync.ts';
import './ui/styles.css';

void loadSaved();
// Before the first render, so a shared link's state is what the page first shows.
startLinkSync();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ErrorBoundary where="the lab">
      <App />
    </ErrorBoundary>
  </StrictMode>,
);

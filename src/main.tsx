import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.tsx';
import { ErrorBoundary } from './ui/common/ErrorBoundary.tsx';
import { loadSaved } from './ui/store.ts';
import './ui/styles.css';

void loadSaved();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ErrorBoundary where="the lab">
      <App />
    </ErrorBoundary>
  </StrictMode>,
);

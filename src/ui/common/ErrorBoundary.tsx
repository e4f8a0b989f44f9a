import { Component, type ErrorInfo, type ReactNode } from 'react';
import type { SliceName } from '../persist/settings-recovery.ts';
import { sliceLabel, useLab } from '../store.ts';

interface Props {
  /** what this boundary protects, for the message ("the sweep panel"). */
  where: string;
  /** the saved settings this panel reads: offered for a reset that leaves the other panels alone. */
  slice?: SliceName;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** A render error becomes a message with a way out, never a blank page. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`Error in ${this.props.where}:`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="error-box">
        <strong>Something went wrong in {this.props.where}.</strong>
        <pre>{error.message}</pre>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>{' '}
        {this.props.slice && (
          <>
            <button
              type="button"
              onClick={() => {
                useLab.getState().resetSlice(this.props.slice!);
                this.setState({ error: null });
              }}
            >
              Reset the saved settings of {sliceLabel(this.props.slice)}
            </button>{' '}
          </>
        )}
        <button
          type="button"
          onClick={() => {
            // Saved settings are the most likely culprit after an upgrade: offer a clean start.
            // Runs and trained artifacts live in IndexedDB and are kept.
            localStorage.removeItem('decision-lab');
            location.reload();
          }}
        >
          Reset all saved settings and reload
        </button>
      </div>
    );
  }
}

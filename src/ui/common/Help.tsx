import type { ReactNode } from 'react';

/** A short explanation shown beside a control, linked to it with aria-describedby. */
export function Help({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="help">
      {children}
    </p>
  );
}

/** An inline term with its definition: a student can read it without leaving the page. */
export function Term({ term, children }: { term: string; children: ReactNode }) {
  return (
    <details className="term">
      <summary>What is “{term}”?</summary>
      <p>{children}</p>
    </details>
  );
}

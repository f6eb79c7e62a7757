import type { ReactNode } from 'react';

/** One labelled fact inside a `<dl className="facts">`: the wrapper keeps label and value together when the grid wraps. */
export function Fact({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

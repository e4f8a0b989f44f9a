import type { Step } from '../../core/types.ts';

interface Props {
  size: number;
  goal: [number, number];
  steps: Step[];
  /** the step being shown: the agent is drawn where it stood before acting at this step. */
  upTo: number;
}

/** The room as a grid, y growing upwards (as in the environment's coordinates). */
export function DarkroomGrid({ size, goal, steps, upTo }: Props) {
  const visited = new Set<string>();
  for (let i = 0; i <= upTo && i < steps.length; i++) visited.add(`${steps[i]!.obs[0]},${steps[i]!.obs[1]}`);
  const here = steps[upTo]?.obs ?? [0, 0];
  const cell = Math.max(14, Math.min(30, Math.floor(320 / size)));
  const rows = Array.from({ length: size }, (_, r) => size - 1 - r);
  return (
    <figure className="darkroom" aria-label={`Grid: agent at (${here[0]}, ${here[1]}), goal at (${goal[0]}, ${goal[1]})`}>
      <figcaption>
        <span className="legend">
          <span className="swatch agent-swatch" /> agent <span className="swatch path-swatch" /> path so far <span className="swatch goal-swatch" /> goal (hidden
          from the agent)
        </span>
      </figcaption>
      <div className="grid" style={{ gridTemplateColumns: `auto repeat(${size}, ${cell}px)` }} role="presentation">
        {rows.map((y) => (
          <div key={y} style={{ display: 'contents' }}>
            <span className="axis">{y}</span>
            {Array.from({ length: size }, (_, x) => {
              const isAgent = here[0] === x && here[1] === y;
              const isGoal = goal[0] === x && goal[1] === y;
              const cls = ['cell', visited.has(`${x},${y}`) ? 'path' : '', isGoal ? 'goal' : '', isAgent ? 'agent' : ''].join(' ');
              return (
                <span key={x} className={cls} style={{ width: cell, height: cell }} data-testid={isAgent ? 'agent-cell' : undefined}>
                  {isAgent ? '●' : isGoal ? '★' : ''}
                </span>
              );
            })}
          </div>
        ))}
        <span />
        {Array.from({ length: size }, (_, x) => (
          <span key={x} className="axis">
            {x}
          </span>
        ))}
      </div>
    </figure>
  );
}

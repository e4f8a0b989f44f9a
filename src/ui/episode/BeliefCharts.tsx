import { Bar, BarChart, CartesianGrid, Cell, XAxis, YAxis } from 'recharts';

interface Props {
  /** beliefs[m][s]; null where the history is impossible under model m. */
  beliefs: (number[] | null)[];
  latent: number;
  observed: number;
  /** the model that generated the episode (highlighted when there are several). */
  highlightModel: number;
}

const TRUE_COLOR = '#d9480f';
const BAR_COLOR = '#4263eb';

function argmax(b: number[]): number {
  let best = 0;
  for (let i = 1; i < b.length; i++) if (b[i]! > b[best]!) best = i;
  return best;
}

/** The agent's belief over the battery level, one small chart per ambiguity model. */
export function BeliefCharts({ beliefs, latent, observed, highlightModel }: Props) {
  const many = beliefs.length > 1;
  // Sized so that two models fit side by side next to the step details at 1280 px; more wrap.
  const width = many ? (beliefs.length === 2 ? 200 : 165) : 380;
  return (
    <figure className="beliefs" aria-label="Belief over the battery level">
      <figcaption>
        <strong>Belief</strong>: the probability the agent gives each battery level after seeing this step's observation
        {many ? ', computed separately under each model of the ambiguity set' : ''}.{' '}
        <span className="legend">
          <span className="swatch" style={{ background: TRUE_COLOR }} /> true level <span className="swatch outline" /> observed level
        </span>
      </figcaption>
      <div className="belief-row">
        {beliefs.map((b, m) => {
          const title = many ? `Model ${m + 1}${m === highlightModel ? ' (generates this episode)' : ''}` : 'Belief';
          if (!b) {
            return (
              <div key={m} className="belief-chart">
                <p className="chart-title">{title}</p>
                <p className="note">This history is impossible under model {m + 1}.</p>
              </div>
            );
          }
          const top = argmax(b);
          const data = b.map((p, level) => ({ level, p }));
          return (
            <div key={m} className={`belief-chart${many && m === highlightModel ? ' highlighted' : ''}`} data-testid="belief-chart" data-belief={b.map((p) => p.toFixed(4)).join(',')}>
              <p className="chart-title">{title}</p>
              <div role="img" aria-label={`${title}: most likely level ${top} with probability ${(b[top]! * 100).toFixed(0)} %`}>
                <BarChart width={width} height={150} data={data} margin={{ top: 4, right: 4, bottom: 14, left: -18 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="level" tick={{ fontSize: 11 }} label={{ value: 'level', position: 'insideBottom', offset: -8, fontSize: 11 }} />
                  <YAxis domain={[0, 1]} ticks={[0, 0.5, 1]} tick={{ fontSize: 11 }} />
                  <Bar dataKey="p" isAnimationActive={false}>
                    {data.map((d) => (
                      <Cell
                        key={d.level}
                        fill={d.level === latent ? TRUE_COLOR : BAR_COLOR}
                        stroke={d.level === observed ? '#111' : 'none'}
                        strokeWidth={d.level === observed ? 2 : 0}
                      />
                    ))}
                  </Bar>
                </BarChart>
              </div>
              <p className="chart-caption" data-testid="belief-summary">
                most likely: level {top} ({(b[top]! * 100).toFixed(0)} %)
              </p>
            </div>
          );
        })}
      </div>
    </figure>
  );
}

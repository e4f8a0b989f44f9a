import type { SweepSpec } from './sweep-spec.ts';
import { ValuesField } from './ValuesField.tsx';

interface Props {
  /** the current series, if any. */
  series: { param: string; values: (number | string)[] } | undefined;
  /** params the series may use: the env's sweepable ones but the x axis's. */
  params: readonly string[];
  onChange: (series: SweepSpec['series']) => void;
}

/**
 * The optional second swept parameter: one line per value on the same chart (K × α for the
 * APOMDP: K on the x axis, one line per attitude α). Every combination is evaluated.
 */
export function SeriesFields({ series, params, onChange }: Props) {
  return (
    <div className="field-row">
      <div className="field narrow">
        <label htmlFor="series-param">Lines by</label>
        <select
          id="series-param"
          value={series?.param ?? ''}
          aria-describedby="series-param-help"
          onChange={(e) => onChange(e.target.value === '' ? undefined : { param: e.target.value, values: series?.values ?? [] })}
        >
          <option value="">(one line per policy)</option>
          {params.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <p id="series-param-help" className="help">
          A second parameter: one line per policy and value, every combination run. For K × α: x axis K, lines by alpha.
        </p>
      </div>
      {series && (
        <ValuesField
          id="series-values"
          label="Line values"
          values={series.values}
          help="Comma-separated, e.g. 0, 0.5, 1 (alpha: 1 pessimistic, 0 optimistic)."
          onChange={(values) => onChange({ param: series.param, values })}
        />
      )}
    </div>
  );
}

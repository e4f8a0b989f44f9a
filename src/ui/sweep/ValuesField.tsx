import { type ReactNode, useState } from 'react';
import { parseValues } from './sweep-spec.ts';

interface Props {
  id: string;
  label: string;
  values: readonly (number | string)[];
  help: ReactNode;
  onChange: (values: (number | string)[]) => void;
}

/**
 * A comma-separated list of values (the swept parameter's, the series'). The box keeps what was
 * typed ("5, 10,") even while it does not parse yet; remount it (a new `key`) when the values are
 * replaced from elsewhere, so it re-reads them.
 */
export function ValuesField({ id, label, values, help, onChange }: Props) {
  const [text, setText] = useState(values.join(', '));
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={text}
        aria-describedby={`${id}-help`}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parseValues(e.target.value));
        }}
      />
      <p id={`${id}-help`} className="help">
        {help}
      </p>
    </div>
  );
}

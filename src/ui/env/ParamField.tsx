import { PARAM_HELP } from '../../core/spec/task-spec.ts';
import { PARAM_LABELS } from './param-form.ts';

interface Props {
  name: string;
  value: string;
  errors: string[] | undefined;
  onChange: (value: string) => void;
}

/** One parameter: label, its one-line explanation, the input, and the spec error naming it. */
export function ParamField({ name, value, errors, onChange }: Props) {
  const id = `param-${name}`;
  const invalid = errors !== undefined && errors.length > 0;
  const describedBy = [`${id}-help`, invalid ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        {PARAM_LABELS[name] ?? name} <code className="param-name">{name}</code>
      </label>
      <input
        id={id}
        name={name}
        type="text"
        inputMode={name === 'init' || name === 'goal' ? 'text' : 'decimal'}
        autoComplete="off"
        spellCheck={false}
        value={value}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
      />
      <p id={`${id}-help`} className="help">
        {PARAM_HELP[name] ?? ''}
      </p>
      {invalid && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}

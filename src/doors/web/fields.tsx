/**
 * An action's fields as form inputs, and a posted form back to the action's payload: shared by
 * the dashboard's action buttons and the signed-link page.
 */
import type { FC } from 'hono/jsx';
import { ACTION_FIELDS, type FieldSpec } from '../../domain/actions';
import type { ActionName } from '../../domain/vocabulary';

/** One field of an action: a labelled input of its type (a list is typed comma-separated), with a value sent before. */
export const Field: FC<{ action: string; f: FieldSpec; value?: string | undefined }> = ({ action, f, value }) => {
  const id = `f-${action}-${f.name}`;
  const label = (
    <label for={id}>
      {f.name}
      {f.required ? ' *' : ''}
    </label>
  );
  const input =
    f.type === 'enum' ? (
      <select id={id} name={f.name}>
        {(f.values ?? []).map((v) => (
          <option selected={v === value}>{v}</option>
        ))}
      </select>
    ) : f.type === 'boolean' ? (
      <input id={id} type="checkbox" name={f.name} value="true" checked={value === 'true'} />
    ) : f.type === 'records' ? (
      <textarea id={id} name={f.name} required={f.required} rows={4} placeholder={`JSON: ${f.description}`}>
        {value}
      </textarea>
    ) : f.type === 'date' ? (
      <input id={id} type="date" name={f.name} required={f.required} value={value} />
    ) : (
      <input
        id={id}
        name={f.name}
        placeholder={f.type === 'string[]' ? 'comma-separated' : f.description}
        required={f.required}
        value={value}
      />
    );
  return (
    <div>
      {label} {input}
    </div>
  );
};

/** A list typed as JSON; text that is not JSON goes on as it is, for the action's schema to refuse with its message. */
function jsonOrText(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Form fields to an action payload: empty fields are left out, lists split on commas. */
export function payloadFromForm(action: ActionName, form: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ACTION_FIELDS[action]) {
    const v = form.get(f.name);
    if (v === null || v.trim() === '') continue;
    out[f.name] =
      f.type === 'string[]'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : f.type === 'boolean'
          ? v === 'true'
          : f.type === 'records'
            ? jsonOrText(v)
            : v.trim();
  }
  // Unknown fields go along, so the action's schema refuses them rather than this page ignoring them.
  for (const key of form.keys()) {
    if (key !== '_csrf' && key !== 'do' && !ACTION_FIELDS[action].some((f) => f.name === key)) out[key] = form.get(key);
  }
  return out;
}

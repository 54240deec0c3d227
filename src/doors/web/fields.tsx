/**
 * An action's fields as form inputs, and a posted form back to the action's payload: shared by
 * the dashboard's action buttons and the signed-link page. Progress per recommendation is a row per
 * recommendation of the visit (a status and the steps taken); other lists of objects are typed as JSON.
 */
import type { FC } from 'hono/jsx';
import { ACTION_FIELDS, type FieldSpec } from '../../domain/actions';
import { REPORTED_STATUSES } from '../../domain/recommendations/model';
import type { ActionName } from '../../domain/vocabulary';
import { PROGRESS_FIELDS } from '../../services/links';
import { Option } from './layout';
import { useWords } from './words';

/**
 * The words of an action's form in another language, for the page a signed link opens: labels,
 * help under each field and the names of choices (their values stay the codes). Without them the
 * form speaks the dashboard's English: field names, descriptions as placeholders, choices as codes.
 */
export interface FormWords {
  label(f: FieldSpec): string;
  help(f: FieldSpec): string | undefined;
  /** The name of a choice of a field: `option('scope', 'partial')`, `option('status', 'in-progress')`. */
  option(field: string, value: string): string;
  progress: {
    legend: string;
    hint: string;
    recommendation: string;
    before: string;
    status: string;
    steps: string;
    none: string;
    priority: string;
    notReported: string;
    noReport: string;
    theme(theme: string): string;
    taNeed(need: string): string;
    reported(status: string, at: string): string;
    assessed(status: string, at: string): string;
    statusOf(id: string): string;
    stepsOn(id: string): string;
  };
}

/** One field of an action: a labelled input of its type (a list is typed comma-separated), with a value sent before. */
export const Field: FC<{ action: string; f: FieldSpec; value?: string | undefined; words?: FormWords | undefined }> = ({
  action,
  f,
  value,
  words,
}) => {
  const { t, term, lang } = useWords();
  const id = `f-${action}-${f.name}`;
  // On the dashboard: the action's own description in English; in French, the catalogue's words for the field.
  const hint = lang === 'en' ? f.description : term('fieldHint', f.name);
  const help = words?.help(f);
  const described = help ? `${id}-help` : undefined;
  const label = (
    <label for={id}>
      {words ? words.label(f) : term('field', f.name)}
      {f.required ? ' *' : ''}
    </label>
  );
  const input =
    f.type === 'enum' ? (
      <select id={id} name={f.name} aria-describedby={described}>
        {(f.values ?? []).map((v) =>
          words ? (
            <option value={v} selected={v === value}>
              {words.option(f.name, v)}
            </option>
          ) : (
            <Option value={v} label={term('value', v)} selected={v === value} />
          ),
        )}
      </select>
    ) : f.type === 'boolean' ? (
      <input
        id={id}
        type="checkbox"
        name={f.name}
        value="true"
        checked={value === 'true'}
        aria-describedby={described}
      />
    ) : f.type === 'records' ? (
      <textarea
        id={id}
        name={f.name}
        required={f.required}
        rows={4}
        placeholder={words ? undefined : `JSON: ${hint}`}
        aria-describedby={described}
      >
        {value}
      </textarea>
    ) : f.type === 'date' ? (
      <input id={id} type="date" name={f.name} required={f.required} value={value} aria-describedby={described} />
    ) : (
      <input
        id={id}
        name={f.name}
        placeholder={words ? undefined : f.type === 'string[]' ? t('field.commaSeparated') : hint}
        required={f.required}
        value={value}
        aria-describedby={described}
      />
    );
  return (
    <div>
      {label} {input}
      {help ? (
        <div class="muted" id={described}>
          {help}
        </div>
      ) : null}
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

/** A recommendation the State may report progress on, as its view (or CTED's) of the visit shows it. */
export interface ProgressTarget {
  id: string;
  text: string;
  theme: string;
  priority: boolean;
  taNeed?: string | undefined;
  reported?: { status: string; at: string; text?: string | undefined } | undefined;
  assessed?: { status: string; at: string } | undefined;
}

/** The form names of one recommendation's progress: `items[166-POL/R1].status` and `.text`. */
const itemName = (field: string, id: string, part: 'status' | 'text') => `${field}[${id}].${part}`;
const ITEM_NAME = /^(\w+)\[([^\]]+)\]\.(status|text)$/;

const ProgressRow: FC<{
  field: string;
  r: ProgressTarget;
  sent?: URLSearchParams | undefined;
  words?: FormWords | undefined;
}> = ({ field, r, sent, words }) => {
  const { t, term, day } = useWords();
  const status = sent?.get(itemName(field, r.id, 'status')) ?? '';
  const w = words?.progress;
  return (
    <tr data-recommendation={r.id}>
      <td>
        <strong>{r.id}</strong>
        {r.priority ? <span class="muted"> {w ? w.priority : t('progressItems.priority')}</span> : null}
        <div>{r.text}</div>
        <div class="muted">
          {w ? w.theme(r.theme) : term('theme', r.theme)}
          {r.taNeed ? ` · ${w ? w.taNeed(r.taNeed) : t('progressItems.taNeed', { need: r.taNeed })}` : ''}
        </div>
      </td>
      <td class="muted">
        {r.reported
          ? w
            ? w.reported(r.reported.status, r.reported.at)
            : t('progressItems.status', { status: term('reported', r.reported.status), date: day(r.reported.at) })
          : (w?.notReported ?? t('progressItems.notReported'))}
        {r.assessed ? (
          <div>
            {w
              ? w.assessed(r.assessed.status, r.assessed.at)
              : t('progressItems.assessed', { status: term('assessed', r.assessed.status), date: day(r.assessed.at) })}
          </div>
        ) : null}
      </td>
      <td>
        <select
          name={itemName(field, r.id, 'status')}
          aria-label={w ? w.statusOf(r.id) : t('progressItems.statusOf', { id: r.id })}
        >
          <option value="">{w?.noReport ?? t('progressItems.noReport')}</option>
          {REPORTED_STATUSES.map((v) =>
            words ? (
              <option value={v} selected={v === status}>
                {words.option('status', v)}
              </option>
            ) : (
              <Option value={v} label={term('reported', v)} selected={v === status} />
            ),
          )}
        </select>
      </td>
      <td>
        <textarea
          name={itemName(field, r.id, 'text')}
          rows={2}
          aria-label={w ? w.stepsOn(r.id) : t('progressItems.stepsOn', { id: r.id })}
        >
          {sent?.get(itemName(field, r.id, 'text')) ?? ''}
        </textarea>
      </td>
    </tr>
  );
};

/** Progress per recommendation: a row for each of the visit's recommendations, with a status and the steps taken. */
export const ProgressItemsField: FC<{
  f: FieldSpec;
  recommendations: readonly ProgressTarget[];
  sent?: URLSearchParams | undefined;
  words?: FormWords | undefined;
}> = ({ f, recommendations, sent, words }) => {
  const { t } = useWords();
  const w = words?.progress;
  return (
    <fieldset class="progress-items" data-field={f.name}>
      <legend>
        {w?.legend ?? t('progressItems.legend')}
        {f.required ? ' *' : ''} <span class="muted">{w ? w.hint : t('progressItems.help')}</span>
      </legend>
      {recommendations.length ? (
        <table>
          <thead>
            <tr>
              <th>{w?.recommendation ?? t('column.recommendation')}</th>
              <th>{w?.before ?? t('column.reportedBefore')}</th>
              <th>{w?.status ?? t('column.statusNow')}</th>
              <th>{w?.steps ?? t('column.stepsTaken')}</th>
            </tr>
          </thead>
          <tbody>
            {recommendations.map((r) => (
              <ProgressRow field={f.name} r={r} sent={sent} words={words} />
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">{w?.none ?? t('progressItems.none')}</p>
      )}
    </fieldset>
  );
};

/** An action's field, or the rows of progress per recommendation when the action carries it. */
export const ActionField: FC<{
  action: ActionName;
  f: FieldSpec;
  recommendations: readonly ProgressTarget[];
  sent?: URLSearchParams | undefined;
  words?: FormWords | undefined;
}> = ({ action, f, recommendations, sent, words }) =>
  PROGRESS_FIELDS[action] === f.name ? (
    <ProgressItemsField f={f} recommendations={recommendations} sent={sent} words={words} />
  ) : (
    <Field action={action} f={f} value={sent?.get(f.name) ?? undefined} words={words} />
  );

/** The progress items a form's rows give for `field` (in the form's order), or undefined when none was filled in. */
function itemsFromForm(field: string, form: URLSearchParams): Record<string, string>[] | undefined {
  const items = new Map<string, Record<string, string>>();
  for (const [key, raw] of form) {
    const m = ITEM_NAME.exec(key);
    const v = raw.trim();
    if (!m || m[1] !== field || v === '') continue;
    const item = items.get(m[2]!) ?? { recommendation: m[2]! };
    item[m[3]!] = v;
    items.set(m[2]!, item);
  }
  // Steps typed without a status go along, so the action's schema says what is missing.
  return items.size ? [...items.values()] : undefined;
}

/**
 * Form fields to an action payload: empty fields are left out, lists split on commas, progress
 * per recommendation gathered from its rows, other lists of objects read as JSON. `separator` splits
 * the lists (the link page also takes the Arabic and Chinese commas).
 */
export function payloadFromForm(
  action: ActionName,
  form: URLSearchParams,
  separator: string | RegExp = ',',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ACTION_FIELDS[action]) {
    const items = f.type === 'records' ? itemsFromForm(f.name, form) : undefined;
    if (items) {
      out[f.name] = items;
      continue;
    }
    const v = form.get(f.name);
    if (v === null || v.trim() === '') continue;
    out[f.name] =
      f.type === 'string[]'
        ? v
            .split(separator)
            .map((s) => s.trim())
            .filter(Boolean)
        : f.type === 'boolean'
          ? v === 'true'
          : f.type === 'records'
            ? jsonOrText(v)
            : v.trim();
  }
  // Unknown fields go along, so the action's schema refuses them rather than this page ignoring them.
  const known = (key: string) =>
    ACTION_FIELDS[action].some((f) => f.name === key || (f.type === 'records' && ITEM_NAME.exec(key)?.[1] === f.name));
  for (const key of form.keys()) {
    if (key !== '_csrf' && key !== 'do' && !known(key)) out[key] = form.get(key);
  }
  return out;
}

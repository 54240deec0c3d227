/**
 * A State's register of recommendations (`/states/{ISO3}`): every recommendation of every visit of
 * the State as the caller may see it, with the State's reported status, CTED's assessed status,
 * the TA need and its history (collapsed), filtered by the query string. Rendered from records
 * the recommendation service has already projected for the caller: it shows what it is given.
 */
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { VisitId } from '../../contract';
import type { StateRecommendationView, WholeRecommendationView } from '../../domain/recommendations/views';
import { compareRecommendationIds, registerCounts } from '../../domain/recommendations/progress';
import { Option, Rows } from './layout';
import { useWords, type Words } from './words';

/** The register page's filters (empty values mean "all" and are dropped before parsing). */
export const RegisterQuery = z
  .object({
    status: z.enum(['open', 'closed']).optional(),
    priority: z.enum(['true', 'false']).optional(),
    visit: VisitId.optional(),
  })
  .strict();
export type RegisterQuery = z.infer<typeof RegisterQuery>;

/** A record as the caller may see it on a register page (every role's view but a partner's). */
export type RegisterRecord = WholeRecommendationView | StateRecommendationView;

/** The records a register page's filters keep, in the register's order. */
export function filterRegister(records: readonly RegisterRecord[], q: RegisterQuery): RegisterRecord[] {
  return records
    .filter((r) => !q.status || r.status === q.status)
    .filter((r) => !q.priority || r.priority === (q.priority === 'true'))
    .filter((r) => !q.visit || r.visit === q.visit)
    .sort((a, b) => compareRecommendationIds(a.id, b.id));
}

type Event = RegisterRecord['history'][number];

/** Who did it: the person, and for whom when recorded on someone's behalf. */
const attribution = (
  w: Words,
  a: {
    at: string;
    by?: string | undefined;
    onBehalfOf?: string | undefined;
    reference?: string | undefined;
  },
) =>
  `${a.by ? ` ${w.t('register.by', { by: a.by })}` : ''}${a.onBehalfOf ? ` ${w.t('register.onBehalfOf', { state: a.onBehalfOf })}` : ''}${a.reference ? ` (${a.reference})` : ''}`;

const detailText = (detail: Event['detail']) =>
  Object.entries(detail ?? {})
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');

const History: FC<{ events: Event[] }> = ({ events }) => {
  const w = useWords();
  return (
    <details class="history">
      <summary>{w.t('register.changes', { count: events.length })}</summary>
      <ol>
        {events.map((e) => (
          <li>
            {w.day(e.at)} <strong>{w.term('event', e.type)}</strong>
            {attribution(w, e)}
            {e.detail && Object.keys(e.detail).length ? <span class="muted"> — {detailText(e.detail)}</span> : null}
          </li>
        ))}
      </ol>
    </details>
  );
};

const Reported: FC<{ s: RegisterRecord['reportedStatus'] }> = ({ s }) => {
  const { t, term, day } = useWords();
  return s ? (
    <>
      <span class="reported">{term('reported', s.status)}</span> <span class="muted">{day(s.at)}</span>
      {s.text ? <div class="muted">{s.text}</div> : null}
    </>
  ) : (
    <span class="muted">{t('register.notReported')}</span>
  );
};

const Ta: FC<{ r: RegisterRecord }> = ({ r }) => {
  const { t, term } = useWords();
  return r.taNeed ? (
    <>
      {r.taNeed}
      {r.ta ? (
        <div class="muted">
          <span class="ta-status">{term('ta', r.ta.status)}</span>
          {r.ta.partners.length
            ? t('register.partners', {
                partners: r.ta.partners.map((p) => `${p.partner} ${term('partnerStatus', p.status)}`).join(', '),
              })
            : ''}
        </div>
      ) : null}
    </>
  ) : (
    '—'
  );
};

const Row: FC<{ r: RegisterRecord }> = ({ r }) => {
  const { t, term, day } = useWords();
  return (
    <tr data-recommendation={r.id} data-status={r.status}>
      <td>
        <strong>{r.id}</strong>
        <div>{r.text}</div>
      </td>
      <td>{term('theme', r.theme)}</td>
      <td>{r.priority ? t('register.priority') : '—'}</td>
      <td>
        <Ta r={r} />
      </td>
      <td>
        <Reported s={r.reportedStatus} />
      </td>
      <td>
        <span class="assessed">{term('assessed', r.assessedStatus.status)}</span>{' '}
        <span class="muted">{day(r.assessedStatus.at)}</span>
        {'note' in r.assessedStatus && r.assessedStatus.note ? <div class="muted">{r.assessedStatus.note}</div> : null}
      </td>
      <td class={r.status === 'open' ? 'open' : 'muted'}>
        {t(`filter.status.${r.status}`)}
        {r.supersededBy ? <div class="superseded">{t('register.supersededBy', { id: r.supersededBy })}</div> : null}
        {r.supersedes.length ? (
          <div class="muted">{t('register.supersedes', { ids: r.supersedes.join(', ') })}</div>
        ) : null}
      </td>
      <td>
        <History events={r.history} />
      </td>
    </tr>
  );
};

/** A filter: its values are the page's query's; `show` says how each is displayed. */
const Select: FC<{
  name: string;
  values: readonly string[];
  current: string | undefined;
  show?: (v: string) => string;
}> = (p) => {
  const { t } = useWords();
  const show = p.show ?? ((v: string) => v);
  return (
    <label>
      {t(`filter.${p.name}`)}{' '}
      <select name={p.name}>
        <option value="">{t('filter.all')}</option>
        {p.values.map((v) => (
          <Option value={v} label={show(v)} selected={v === p.current} />
        ))}
      </select>
    </label>
  );
};

/** The register's CSV export with the page's filters (the API takes the same names and values). */
export const csvHref = (state: string, q: RegisterQuery) =>
  `/api/recommendations.csv?${new URLSearchParams({ state, ...q }).toString()}`;

export interface RegisterPageProps {
  state: string;
  /** Every record of the State the caller may see (the filters are applied here). */
  records: readonly RegisterRecord[];
  q: RegisterQuery;
}

/** The register's counts in a sentence: open (priority), closed (superseded), TA needs by status. */
const Summary: FC<{ records: readonly RegisterRecord[] }> = ({ records }) => {
  const { t, term } = useWords();
  const c = registerCounts(records)[0];
  if (!c) return <p class="counts">{t('register.empty')}</p>;
  const ta = Object.entries(c.ta).filter(([, n]) => n);
  return (
    <p class="counts" id="register-counts">
      <span>{t('register.total', { total: c.total })}</span>
      <span>{t('register.open', { open: c.open, priority: c.priorityOpen })}</span>
      <span>{t('register.closed', { closed: c.closed, superseded: c.superseded })}</span>
      {ta.length ? (
        <span>{t('register.taNeeds', { needs: ta.map(([s, n]) => `${term('ta', s)} ${n}`).join(', ') })}</span>
      ) : null}
    </p>
  );
};

export const RegisterPage: FC<RegisterPageProps> = ({ state, records, q }) => {
  const { t } = useWords();
  const visits = [...new Set(records.map((r) => r.visit))].sort(
    (a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b),
  );
  const shown = filterRegister(records, q);
  return (
    <>
      <Summary records={records} />
      <form class="filters" method="get" action={`/states/${state}`}>
        <Select name="status" values={['open', 'closed']} current={q.status} show={(v) => t(`filter.status.${v}`)} />
        <Select
          name="priority"
          values={['true', 'false']}
          current={q.priority}
          show={(v) => t(`filter.priority.${v}`)}
        />
        <Select name="visit" values={visits} current={q.visit} />
        <button>{t('overview.filter')}</button> <a href={csvHref(state, q)}>{t('overview.export')}</a>
      </form>
      <table id="register">
        <thead>
          <tr>
            {['recommendation', 'theme', 'priority', 'taNeed', 'reported', 'assessed', 'openClosed', 'history'].map(
              (h) => (
                <th>{t(`register.column.${h}`)}</th>
              ),
            )}
          </tr>
        </thead>
        <Rows
          cols={8}
          empty={records.length ? t('register.noMatch') : t('register.empty')}
          rows={shown.map((r) => (
            <Row r={r} />
          ))}
        />
      </table>
    </>
  );
};

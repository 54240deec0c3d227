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
import { day, Rows } from './layout';

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
const attribution = (a: {
  at: string;
  by?: string | undefined;
  onBehalfOf?: string | undefined;
  reference?: string | undefined;
}) =>
  `${a.by ? ` by ${a.by}` : ''}${a.onBehalfOf ? ` on behalf of ${a.onBehalfOf}` : ''}${a.reference ? ` (${a.reference})` : ''}`;

const detailText = (detail: Event['detail']) =>
  Object.entries(detail ?? {})
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');

const History: FC<{ events: Event[] }> = ({ events }) => (
  <details class="history">
    <summary>
      {events.length} change{events.length === 1 ? '' : 's'}
    </summary>
    <ol>
      {events.map((e) => (
        <li>
          {day(e.at)} <strong>{e.type}</strong>
          {attribution(e)}
          {e.detail && Object.keys(e.detail).length ? <span class="muted"> — {detailText(e.detail)}</span> : null}
        </li>
      ))}
    </ol>
  </details>
);

const Reported: FC<{ s: RegisterRecord['reportedStatus'] }> = ({ s }) =>
  s ? (
    <>
      <span class="reported">{s.status}</span> <span class="muted">{day(s.at)}</span>
      {s.text ? <div class="muted">{s.text}</div> : null}
    </>
  ) : (
    <span class="muted">not reported</span>
  );

const Ta: FC<{ r: RegisterRecord }> = ({ r }) =>
  r.taNeed ? (
    <>
      {r.taNeed}
      {r.ta ? (
        <div class="muted">
          <span class="ta-status">{r.ta.status}</span>
          {r.ta.partners.length ? `: ${r.ta.partners.map((p) => `${p.partner} ${p.status}`).join(', ')}` : ''}
        </div>
      ) : null}
    </>
  ) : (
    '—'
  );

const Row: FC<{ r: RegisterRecord }> = ({ r }) => (
  <tr data-recommendation={r.id} data-status={r.status}>
    <td>
      <strong>{r.id}</strong>
      <div>{r.text}</div>
    </td>
    <td>{r.theme}</td>
    <td>{r.priority ? 'priority' : '—'}</td>
    <td>
      <Ta r={r} />
    </td>
    <td>
      <Reported s={r.reportedStatus} />
    </td>
    <td>
      <span class="assessed">{r.assessedStatus.status}</span> <span class="muted">{day(r.assessedStatus.at)}</span>
      {'note' in r.assessedStatus && r.assessedStatus.note ? <div class="muted">{r.assessedStatus.note}</div> : null}
    </td>
    <td class={r.status === 'open' ? 'open' : 'muted'}>
      {r.status}
      {r.supersededBy ? <div class="superseded">superseded by {r.supersededBy}</div> : null}
      {r.supersedes.length ? <div class="muted">supersedes {r.supersedes.join(', ')}</div> : null}
    </td>
    <td>
      <History events={r.history} />
    </td>
  </tr>
);

const Select: FC<{ name: string; label: string; values: readonly string[]; current: string | undefined }> = (p) => (
  <label>
    {p.label}{' '}
    <select name={p.name}>
      <option value="">all</option>
      {p.values.map((v) => (
        <option selected={v === p.current}>{v}</option>
      ))}
    </select>
  </label>
);

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
  const c = registerCounts(records)[0];
  if (!c) return <p class="counts">No recommendations recorded yet.</p>;
  const ta = Object.entries(c.ta).filter(([, n]) => n);
  return (
    <p class="counts" id="register-counts">
      <span>{c.total} recommendation(s)</span>
      <span>
        open: {c.open} ({c.priorityOpen} priority)
      </span>
      <span>
        closed: {c.closed} ({c.superseded} superseded)
      </span>
      {ta.length ? <span>TA needs: {ta.map(([s, n]) => `${s} ${n}`).join(', ')}</span> : null}
    </p>
  );
};

export const RegisterPage: FC<RegisterPageProps> = ({ state, records, q }) => {
  const visits = [...new Set(records.map((r) => r.visit))].sort(
    (a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b),
  );
  const shown = filterRegister(records, q);
  return (
    <>
      <Summary records={records} />
      <form class="filters" method="get" action={`/states/${state}`}>
        <Select name="status" label="status" values={['open', 'closed']} current={q.status} />
        <Select name="priority" label="priority" values={['true', 'false']} current={q.priority} />
        <Select name="visit" label="visit" values={visits} current={q.visit} />
        <button>Filter</button> <a href={csvHref(state, q)}>Export CSV</a>
      </form>
      <table id="register">
        <thead>
          <tr>
            {['Recommendation', 'Theme', 'Priority', 'TA need', 'Reported by the State', 'Assessed by CTED'].map(
              (h) => (
                <th>{h}</th>
              ),
            )}
            <th>Open / closed</th>
            <th>History</th>
          </tr>
        </thead>
        <Rows
          cols={8}
          empty={records.length ? 'No recommendations match.' : 'No recommendations recorded yet.'}
          rows={shown.map((r) => (
            <Row r={r} />
          ))}
        />
      </table>
    </>
  );
};

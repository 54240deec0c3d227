/** Guideline compliance (days each step took against its target) and the annual reporting status. */
import type { FC } from 'hono/jsx';
import {
  nonZero,
  recommendationsLine,
  type AnnualRow,
  type AnnualStateProgress,
  type ComplianceCell,
} from '../../domain/monitoring';
import { ASSESSED_STATUSES, TA_STATUSES } from '../../domain/recommendations/model';
import { day, Rows } from './layout';

const num = (n: number) => (Number.isNaN(n) ? '—' : String(n));

const Bars: FC<{ c: ComplianceCell; max: number }> = ({ c, max }) => {
  const w = 220;
  const x = (d: number) => (Number.isNaN(d) ? 0 : Math.round((d / max) * w));
  return (
    <svg
      width={w + 10}
      height="22"
      role="img"
      aria-label={`median ${c.medianDays} days, 90th percentile ${c.p90Days} days, target ${c.targetDays} days`}
    >
      <rect class="bar" x="0" y="4" height="14" width={x(c.medianDays)}></rect>
      <rect class="p90" x="0" y="9" height="4" width={x(c.p90Days)}></rect>
      <line class="target" x1={x(c.targetDays || 0)} x2={x(c.targetDays || 0)} y1="0" y2="22"></line>
    </svg>
  );
};

export const Compliance: FC<{ cells: ComplianceCell[] }> = ({ cells }) => {
  const max = Math.max(1, ...cells.flatMap((c) => [c.p90Days || 0, c.targetDays || 0]));
  return (
    <>
      <p class="muted">
        Days each step took, per year it started: bar = median, thin bar = 90th percentile, red line = the guideline's
        target.
      </p>
      <table id="compliance">
        <thead>
          <tr>
            {['Year', 'Step', 'Done', 'Median days', '90th percentile', 'Target', '', 'Exceeded'].map((h) => (
              <th>{h}</th>
            ))}
          </tr>
        </thead>
        <Rows
          cols={8}
          empty="No steps recorded yet."
          rows={cells.map((c) => (
            <tr data-item={c.item} data-year={c.year}>
              <td>{c.year}</td>
              <td>{c.item}</td>
              <td>{c.count}</td>
              <td>{num(c.medianDays)}</td>
              <td>{num(c.p90Days)}</td>
              <td>{num(c.targetDays)}</td>
              <td>
                <Bars c={c} max={max} />
              </td>
              <td>
                {c.exceeded.length
                  ? c.exceeded.map((e, i) => (
                      <>
                        {i ? ', ' : ''}
                        <a href={`/visits/${e.id}`}>{e.id}</a> ({e.days} d)
                      </>
                    ))
                  : '—'}
              </td>
            </tr>
          ))}
        />
      </table>
    </>
  );
};

export const AnnualTable: FC<{ rows: AnnualRow[] }> = ({ rows }) => (
  <table id="annual">
    <thead>
      <tr>
        {['State', 'Visit', 'Visit year', 'Report', 'Due', 'Submitted', 'Recommendations', 'TA needs'].map((h) => (
          <th>{h}</th>
        ))}
      </tr>
    </thead>
    <tbody>
      {rows.map((r) => (
        <tr>
          <td>{r.stateName}</td>
          <td>{r.id}</td>
          <td>{r.visitYear}</td>
          <td class={r.status === 'overdue' || r.status === 'late' ? 'overdue' : ''}>{r.status}</td>
          <td>{day(r.due)}</td>
          <td>{day(r.submitted)}</td>
          <td>{r.recommendations ? recommendationsLine(r.recommendations) : '—'}</td>
          <td>{(r.recommendations && nonZero(TA_STATUSES, r.recommendations.ta)) || '—'}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** Each listed State's whole register: recommendations by CTED's assessed status, TA needs by status. */
export const AnnualProgress: FC<{ states: AnnualStateProgress[] }> = ({ states }) => (
  <>
    <h2>Recommendations and technical assistance, per State</h2>
    <table id="annual-progress">
      <thead>
        <tr>
          {['State', 'Recommendations', 'Open', 'Priority open', 'Closed', ...ASSESSED_STATUSES, 'TA needs'].map(
            (h) => (
              <th>{h}</th>
            ),
          )}
        </tr>
      </thead>
      <Rows
        cols={6 + ASSESSED_STATUSES.length}
        empty="No visited State."
        rows={states.map((p) => (
          <tr data-state={p.state}>
            <td>{p.stateName}</td>
            <td>{p.total}</td>
            <td>{p.open}</td>
            <td>{p.priorityOpen}</td>
            <td>{p.closed}</td>
            {ASSESSED_STATUSES.map((s) => (
              <td>{p.byAssessed[s]}</td>
            ))}
            <td>{nonZero(TA_STATUSES, p.ta) || '—'}</td>
          </tr>
        ))}
      />
    </table>
  </>
);

export const AnnualFilter: FC<{ year: number | undefined; search: string }> = ({ year, search }) => (
  <form method="get" action="/annual">
    <label>
      Visits of <input name="year" size={5} value={year === undefined ? '' : String(year)} />
    </label>{' '}
    <button>Show</button> <a href={`/annual/print${search}`}>Printable page</a>{' '}
    <a href={`/api/annual.csv${search}`}>Export CSV</a>
  </form>
);

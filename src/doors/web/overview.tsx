/** The overview: every visit as a row, with filters, sorting, counts per stage and a CSV export. */
import type { FC } from 'hono/jsx';
import { REGIONS, type Monitored, type OverviewRow } from '../../domain/monitoring';
import type { PartnerView } from '../../domain/views';
import { VISIT_TYPES } from '../../domain/vocabulary';
import type { z } from 'zod';
import type { OverviewPageQuery } from '../api/exports';
import { day, Rows } from './layout';

/** The overview's query, as the page was asked for it. */
export type OverviewQueryValues = z.infer<typeof OverviewPageQuery>;

/** Rows the overview shows on one page: the counts cover every visit, the table a page of them. */
export const OVERVIEW_PAGE_ROWS = 200;

const Select: FC<{ name: string; values: readonly (string | number)[]; current: string | number | undefined }> = ({
  name,
  values,
  current,
}) => (
  <label>
    {name}{' '}
    <select name={name}>
      <option value="">all</option>
      {values.map((v) => (
        <option selected={String(v) === String(current ?? '')}>{v}</option>
      ))}
    </select>
  </label>
);

const SortHeading: FC<{ params: URLSearchParams; q: OverviewQueryValues; sortKey: string; label: string }> = ({
  params,
  q,
  sortKey,
  label,
}) => {
  const u = new URLSearchParams(params);
  u.set('sort', sortKey);
  if (q.sort === sortKey && q.desc !== '1') u.set('desc', '1');
  else u.delete('desc');
  const arrow = q.sort === sortKey ? (q.desc === '1' ? ' ▼' : ' ▲') : '';
  return (
    <th>
      <a href={`/?${u.toString()}`}>
        {label}
        {arrow}
      </a>
    </th>
  );
};

const Row: FC<{ r: OverviewRow }> = ({ r }) => (
  <tr data-visit={r.id} class={r.overdue ? 'is-overdue' : undefined}>
    <td>
      <a href={`/visits/${r.id}`}>{r.id}</a>
    </td>
    <td>{r.stateName}</td>
    <td>{r.region}</td>
    <td>{r.type}</td>
    <td>{r.stage}</td>
    <td>
      {r.nextItem ?? '—'} {day(r.nextDeadline)}
    </td>
    <td class={r.daysLeft !== null && r.daysLeft < 0 ? 'overdue' : 'ok'}>
      {r.daysLeft === null ? '—' : r.daysLeft < 0 ? `${-r.daysLeft} days overdue` : `${r.daysLeft} days left`}
    </td>
    <td>
      {r.overdueItems.length ? <span class="overdue">overdue: {r.overdueItems.join(', ')}</span> : ''}{' '}
      <span class="muted">{r.openItems.join(', ')}</span>
    </td>
  </tr>
);

const HEADINGS: [string, string][] = [
  ['number', 'Visit'],
  ['state', 'State'],
  ['region', 'Region'],
  ['type', 'Type'],
  ['stage', 'Stage'],
  ['nextDeadline', 'Next deadline'],
  ['daysLeft', 'Days'],
];

export interface OverviewProps {
  q: OverviewQueryValues;
  params: URLSearchParams;
  rows: OverviewRow[];
  total: number;
  countsByStage: Record<string, number>;
  /** The visits the signed-in role may see, as its views. */
  visits: readonly Monitored[];
  /** The stages in the signed-in role's words (a State has its own), in order. */
  stages: readonly string[];
}

export const Overview: FC<OverviewProps> = ({ q, params, rows, total, countsByStage, visits, stages }) => {
  const years = [...new Set(visits.map((s) => Number(s.end.slice(0, 4))))].sort();
  const exportParams = new URLSearchParams([...params].filter(([k]) => !['sort', 'desc', 'page'].includes(k)));
  const pages = Math.max(1, Math.ceil(rows.length / OVERVIEW_PAGE_ROWS));
  const page = Math.min(q.page || 1, pages);
  const shown = rows.slice((page - 1) * OVERVIEW_PAGE_ROWS, page * OVERVIEW_PAGE_ROWS);
  const pageLink = (n: number) => {
    const u = new URLSearchParams(params);
    u.set('page', String(n));
    return `/?${u.toString()}`;
  };
  return (
    <>
      <form class="filters" method="get" action="/">
        <Select name="year" values={years} current={q.year} />
        <Select name="region" values={[...new Set(Object.values(REGIONS)), 'Other']} current={q.region} />
        <Select name="type" values={VISIT_TYPES} current={q.type} />
        <Select name="stage" values={stages} current={q.stage} />
        <Select name="overdue" values={['true', 'false']} current={q.overdue} />
        <button>Filter</button> <a href={`/api/visits.csv?${exportParams.toString()}`}>Export CSV</a>
      </form>
      <p class="counts">
        {total} visit(s):{' '}
        {stages
          .filter((s) => countsByStage[s])
          .map((s) => (
            <span>
              {s}: {countsByStage[s]}
            </span>
          ))}
      </p>
      <table>
        <thead>
          <tr>
            {HEADINGS.map(([key, label]) => (
              <SortHeading params={params} q={q} sortKey={key} label={label} />
            ))}
            <th>Open items</th>
          </tr>
        </thead>
        <Rows
          cols={8}
          empty="No visits match."
          rows={shown.map((r) => (
            <Row r={r} />
          ))}
        />
      </table>
      {pages > 1 ? (
        <nav class="pages" aria-label="Pages of visits">
          {page > 1 ? (
            <a rel="prev" href={pageLink(page - 1)}>
              Previous
            </a>
          ) : null}{' '}
          rows {(page - 1) * OVERVIEW_PAGE_ROWS + 1} to {(page - 1) * OVERVIEW_PAGE_ROWS + shown.length} of{' '}
          {rows.length}, page {page} of {pages}{' '}
          {page < pages ? (
            <a rel="next" href={pageLink(page + 1)}>
              Next
            </a>
          ) : null}
        </nav>
      ) : null}
    </>
  );
};

/** A partner's overview: only the reports States chose to share with UN partners, and their scope. */
export const SharedReports: FC<{ shared: PartnerView[] }> = ({ shared }) => (
  <table>
    <thead>
      <tr>
        <th>Visit</th>
        <th>State</th>
        <th>Type</th>
        <th>Adopted</th>
        <th>Consent</th>
      </tr>
    </thead>
    <Rows
      cols={5}
      empty="No State has shared a report with you yet."
      rows={shared.map((s) => (
        <tr data-visit={s.id}>
          <td>{s.id}</td>
          <td>{s.stateName ?? s.state}</td>
          <td>{s.type}</td>
          <td>{day(s.adoptedAt)}</td>
          <td>
            {s.consent ? s.consent.scope : 'not shared: TA needs referred to you only'}
            {s.consent?.sections.length ? `: ${s.consent.sections.join(', ')}` : ''}
            {s.consent?.priorityTaNeedsOnly ? ' (priority TA needs only)' : ''}
          </td>
        </tr>
      ))}
    />
  </table>
);

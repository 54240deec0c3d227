/** The overview: every visit as a row, with filters, sorting, counts per stage and a CSV export. */
import type { FC } from 'hono/jsx';
import { REGIONS, type Monitored, type OverviewRow } from '../../domain/monitoring';
import type { PartnerView } from '../../domain/views';
import { VISIT_TYPES } from '../../domain/vocabulary';
import type { z } from 'zod';
import type { OverviewPageQuery } from '../api/exports';
import { Option, Rows } from './layout';
import { useWords } from './words';

/** The overview's query, as the page was asked for it. */
export type OverviewQueryValues = z.infer<typeof OverviewPageQuery>;

/** Rows the overview shows on one page: the counts cover every visit, the table a page of them. */
export const OVERVIEW_PAGE_ROWS = 200;

/** The key of a region's name in the catalogue. */
const REGION_KEYS: Record<string, string> = {
  'African States': 'african',
  'Asia-Pacific States': 'asiaPacific',
  'Eastern European States': 'easternEuropean',
  'Latin American and Caribbean States': 'latinAmerican',
  'Western European and other States': 'westernEuropean',
  Other: 'other',
};
/** A region as displayed (the value itself is the API's, in English). */
export const useRegion = () => {
  const { t } = useWords();
  return (region: string) => (REGION_KEYS[region] ? t(`region.${REGION_KEYS[region]}`) : region);
};

/** A filter: its values are the API's; what the option shows is `show(value)`. */
const Select: FC<{
  name: string;
  values: readonly (string | number)[];
  current: string | number | undefined;
  show?: (v: string) => string;
}> = ({ name, values, current, show = (v) => v }) => {
  const { t } = useWords();
  return (
    <label>
      {t(`filter.${name}`)}{' '}
      <select name={name}>
        <option value="">{t('filter.all')}</option>
        {values.map((v) => (
          <Option value={String(v)} label={show(String(v))} selected={String(v) === String(current ?? '')} />
        ))}
      </select>
    </label>
  );
};

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

const Row: FC<{ r: OverviewRow }> = ({ r }) => {
  const { t, term, day } = useWords();
  const region = useRegion();
  const items = (list: string[]) => list.map((i) => term('item', i)).join(', ');
  return (
    <tr data-visit={r.id} class={r.overdue ? 'is-overdue' : undefined}>
      <td>
        <a href={`/visits/${r.id}`}>{r.id}</a>
      </td>
      <td>{r.stateName}</td>
      <td>{region(r.region)}</td>
      <td>{term('type', r.type)}</td>
      <td>{term('stage', r.stage)}</td>
      <td>
        {r.nextItem ? term('item', r.nextItem) : '—'} {day(r.nextDeadline)}
      </td>
      <td class={r.daysLeft !== null && r.daysLeft < 0 ? 'overdue' : 'ok'}>
        {r.daysLeft === null
          ? '—'
          : r.daysLeft < 0
            ? t('overview.daysOverdue', { days: -r.daysLeft })
            : t('overview.daysLeft', { days: r.daysLeft })}
      </td>
      <td>
        {r.overdueItems.length ? (
          <span class="overdue">{t('overview.overdueItems', { items: items(r.overdueItems) })}</span>
        ) : (
          ''
        )}{' '}
        <span class="muted">{items(r.openItems)}</span>
      </td>
    </tr>
  );
};

/** The sortable columns: the sort key and the column's key in the catalogue. */
const HEADINGS: [string, string][] = [
  ['number', 'column.visit'],
  ['state', 'column.state'],
  ['region', 'column.region'],
  ['type', 'column.type'],
  ['stage', 'column.stage'],
  ['nextDeadline', 'column.nextDeadline'],
  ['daysLeft', 'column.days'],
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
  const { t, term } = useWords();
  const region = useRegion();
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
        <Select name="region" values={[...new Set(Object.values(REGIONS)), 'Other']} current={q.region} show={region} />
        <Select name="type" values={VISIT_TYPES} current={q.type} show={(v) => term('type', v)} />
        <Select name="stage" values={stages} current={q.stage} show={(v) => term('stage', v)} />
        <Select name="overdue" values={['true', 'false']} current={q.overdue} show={(v) => t(`filter.overdue.${v}`)} />
        <button>{t('overview.filter')}</button>{' '}
        <a href={`/api/visits.csv?${exportParams.toString()}`}>{t('overview.export')}</a>
      </form>
      <p class="counts">
        {t('overview.total', { total })}{' '}
        {stages
          .filter((s) => countsByStage[s])
          .map((s) => (
            <span>{t('overview.stageCount', { stage: term('stage', s), count: countsByStage[s] })}</span>
          ))}
      </p>
      <table>
        <thead>
          <tr>
            {HEADINGS.map(([key, label]) => (
              <SortHeading params={params} q={q} sortKey={key} label={t(label)} />
            ))}
            <th>{t('column.openItems')}</th>
          </tr>
        </thead>
        <Rows
          cols={8}
          empty={t('overview.empty')}
          rows={shown.map((r) => (
            <Row r={r} />
          ))}
        />
      </table>
      {pages > 1 ? (
        <nav class="pages" aria-label={t('pages.label')}>
          {page > 1 ? (
            <a rel="prev" href={pageLink(page - 1)}>
              {t('pages.previous')}
            </a>
          ) : null}{' '}
          {t('pages.rows', {
            from: (page - 1) * OVERVIEW_PAGE_ROWS + 1,
            to: (page - 1) * OVERVIEW_PAGE_ROWS + shown.length,
            total: rows.length,
            page,
            pages,
          })}{' '}
          {page < pages ? (
            <a rel="next" href={pageLink(page + 1)}>
              {t('pages.next')}
            </a>
          ) : null}
        </nav>
      ) : null}
    </>
  );
};

/** A partner's overview: only the reports States chose to share with UN partners, and their scope. */
export const SharedReports: FC<{ shared: PartnerView[] }> = ({ shared }) => {
  const { t, term, day } = useWords();
  return (
    <table>
      <thead>
        <tr>
          <th>{t('column.visit')}</th>
          <th>{t('column.state')}</th>
          <th>{t('column.type')}</th>
          <th>{t('column.adopted')}</th>
          <th>{t('column.consent')}</th>
        </tr>
      </thead>
      <Rows
        cols={5}
        empty={t('shared.empty')}
        rows={shared.map((s) => (
          <tr data-visit={s.id}>
            <td>{s.id}</td>
            <td>{s.stateName ?? s.state}</td>
            <td>{term('type', s.type)}</td>
            <td>{day(s.adoptedAt)}</td>
            <td>
              {!s.consent
                ? t('shared.notShared')
                : s.consent.sections.length
                  ? t('shared.sections', {
                      scope: term('consent', s.consent.scope),
                      sections: s.consent.sections.join(', '),
                    })
                  : term('consent', s.consent.scope)}
              {s.consent?.priorityTaNeedsOnly ? ` ${t('shared.priorityOnly')}` : ''}
            </td>
          </tr>
        ))}
      />
    </table>
  );
};

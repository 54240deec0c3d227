/** Guideline compliance (days each step took against its target) and the annual reporting status. */
import type { FC } from 'hono/jsx';
import type { AnnualRow, AnnualStateProgress, ComplianceCell, RecommendationCounts } from '../../domain/monitoring';
import { ASSESSED_STATUSES, TA_STATUSES } from '../../domain/recommendations/model';
import { Rows } from './layout';
import { useWords, type Words } from './words';

const num = (n: number) => (Number.isNaN(n) ? '—' : String(n));

/** Counts by status, the non-zero ones: `referred 2, delivered 1`. */
export function nonZeroIn<K extends string>(w: Words, kind: string, order: readonly K[], counts: Record<K, number>) {
  return order
    .filter((k) => counts[k] > 0)
    .map((k) => `${w.term(kind, k)} ${counts[k]}`)
    .join(', ');
}

/** One line of recommendations counted: `12 recommendations: 9 open (3 priority), 3 closed`. */
const recommendationsIn = (w: Words, c: RecommendationCounts) =>
  c.total
    ? w.t('annual.recommendations', { total: c.total, open: c.open, priority: c.priorityOpen, closed: c.closed })
    : w.t('annual.noRecommendations');

const Bars: FC<{ c: ComplianceCell; max: number }> = ({ c, max }) => {
  const { t } = useWords();
  const w = 220;
  const x = (d: number) => (Number.isNaN(d) ? 0 : Math.round((d / max) * w));
  return (
    <svg
      width={w + 10}
      height="22"
      role="img"
      aria-label={t('compliance.bars', { median: num(c.medianDays), p90: num(c.p90Days), target: num(c.targetDays) })}
    >
      <rect class="bar" x="0" y="4" height="14" width={x(c.medianDays)}></rect>
      <rect class="p90" x="0" y="9" height="4" width={x(c.p90Days)}></rect>
      <line class="target" x1={x(c.targetDays || 0)} x2={x(c.targetDays || 0)} y1="0" y2="22"></line>
    </svg>
  );
};

export const Compliance: FC<{ cells: ComplianceCell[] }> = ({ cells }) => {
  const { t, term } = useWords();
  const max = Math.max(1, ...cells.flatMap((c) => [c.p90Days || 0, c.targetDays || 0]));
  return (
    <>
      <p class="muted">{t('compliance.help')}</p>
      <table id="compliance">
        <thead>
          <tr>
            {['year', 'step', 'done', 'median', 'p90', 'target', '', 'exceeded'].map((h) => (
              <th>{h ? t(`compliance.column.${h}`) : ''}</th>
            ))}
          </tr>
        </thead>
        <Rows
          cols={8}
          empty={t('compliance.empty')}
          rows={cells.map((c) => (
            <tr data-item={c.item} data-year={c.year}>
              <td>{c.year}</td>
              <td>{term('item', c.item)}</td>
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
                        <a href={`/visits/${e.id}`}>{e.id}</a> ({t('compliance.days', { days: e.days })})
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

export const AnnualTable: FC<{ rows: AnnualRow[] }> = ({ rows }) => {
  const w = useWords();
  const { t, term, day } = w;
  return (
    <table id="annual">
      <thead>
        <tr>
          {['state', 'visit', 'visitYear', 'report', 'due', 'submitted', 'recommendations', 'taNeeds'].map((h) => (
            <th>{t(`annual.column.${h}`)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>{r.stateName}</td>
            <td>{r.id}</td>
            <td>{r.visitYear}</td>
            <td class={r.status === 'overdue' || r.status === 'late' ? 'overdue' : ''}>
              {term('reporting', r.status.replace(/ /g, '-'))}
            </td>
            <td>{day(r.due)}</td>
            <td>{day(r.submitted)}</td>
            <td>{r.recommendations ? recommendationsIn(w, r.recommendations) : '—'}</td>
            <td>{(r.recommendations && nonZeroIn(w, 'ta', TA_STATUSES, r.recommendations.ta)) || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

/** Each listed State's whole register: recommendations by CTED's assessed status, TA needs by status. */
export const AnnualProgress: FC<{ states: AnnualStateProgress[] }> = ({ states }) => {
  const w = useWords();
  const { t, term } = w;
  const headings = [
    ...['state', 'recommendations', 'open', 'priorityOpen', 'closed'].map((h) => t(`annual.column.${h}`)),
    ...ASSESSED_STATUSES.map((s) => term('assessed', s)),
    t('annual.column.taNeeds'),
  ];
  return (
    <>
      <h2>{t('annual.perState')}</h2>
      <table id="annual-progress">
        <thead>
          <tr>
            {headings.map((h) => (
              <th>{h}</th>
            ))}
          </tr>
        </thead>
        <Rows
          cols={6 + ASSESSED_STATUSES.length}
          empty={t('annual.noState')}
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
              <td>{nonZeroIn(w, 'ta', TA_STATUSES, p.ta) || '—'}</td>
            </tr>
          ))}
        />
      </table>
    </>
  );
};

export const AnnualFilter: FC<{ year: number | undefined; search: string }> = ({ year, search }) => {
  const { t } = useWords();
  return (
    <form method="get" action="/annual">
      <label>
        {t('annual.visitsOf')} <input name="year" size={5} value={year === undefined ? '' : String(year)} />
      </label>{' '}
      <button>{t('annual.show')}</button> <a href={`/annual/print${search}`}>{t('annual.print')}</a>{' '}
      <a href={`/api/annual.csv${search}`}>{t('overview.export')}</a>
    </form>
  );
};

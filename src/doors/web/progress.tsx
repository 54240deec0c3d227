/**
 * Implementation progress (`/recommendations`): per theme and per year of visit, the share of
 * recommendations implemented / partly / not / unknown as CTED assessed them, drawn as inline SVG
 * stacked bars (no script: the CSP forbids it), each bar with a <title>, a legend, and a table
 * with the same numbers; then the recommendations counted per State, each linking to its register.
 */
import type { FC } from 'hono/jsx';
import {
  percentages,
  progressByTheme,
  progressByYear,
  PROGRESS_PARTS,
  registerCounts,
  type CountedRecord,
  type Progress,
  type ProgressPart,
} from '../../domain/recommendations/progress';
import { Rows } from './layout';
import { useWords, WORDS, type Words } from './words';

/** What each part of a bar means, in the legend, titles and tables. */
export const partLabel = (w: Words, part: ProgressPart) => w.t(`progress.part.${part}`);

/** The chart's geometry, in SVG user units. */
export const CHART = { label: 230, bar: 400, right: 120, row: 26, height: 18 } as const;

const round2 = (n: number) => Math.round(n * 100) / 100;

export interface Segment {
  part: ProgressPart;
  share: number;
  x: number;
  width: number;
}

/** A bar's segments, left to right, each as wide as its share of the bar (empty parts left out). */
export function segmentsOf(p: Progress): Segment[] {
  let at = 0;
  return PROGRESS_PARTS.flatMap((part) => {
    const share = p.shares[part];
    const x = round2(CHART.label + at * CHART.bar);
    at += share;
    return share > 0 ? [{ part, share, x, width: round2(share * CHART.bar) }] : [];
  });
}

export interface ChartRow {
  /** The row's key (a theme, a year), in data attributes. */
  key: string;
  label: string;
  p: Progress;
}

/** One bar in words: what the <title> says and a screen reader reads. */
export function barText(r: ChartRow, w: Words = WORDS.en): string {
  if (!r.p.counted) return w.t('progress.barEmpty', { label: r.label });
  const pct = percentages(r.p.shares);
  const parts = PROGRESS_PARTS.map((k) =>
    w.t('progress.barPart', { part: partLabel(w, k), count: r.p[k], pct: pct[k] }),
  ).join(', ');
  return w.t('progress.bar', { label: r.label, counted: r.p.counted, parts });
}

const Bar: FC<{ r: ChartRow; i: number }> = ({ r, i }) => {
  const w = useWords();
  return (
    <g class="progress-row" data-row={r.key} transform={`translate(0,${i * CHART.row})`}>
      <title>{barText(r, w)}</title>
      <text x="0" y="13" class="label">
        {r.label}
      </text>
      <rect class="track" x={CHART.label} y="0" width={CHART.bar} height={CHART.height}></rect>
      {segmentsOf(r.p).map((s) => (
        <rect
          class={`part part-${s.part}`}
          data-part={s.part}
          data-share={String(Number(s.share.toFixed(4)))}
          x={s.x}
          y="0"
          width={s.width}
          height={CHART.height}
        >
          <title>
            {w.t('progress.segment', {
              label: r.label,
              part: partLabel(w, s.part),
              count: r.p[s.part],
              counted: r.p.counted,
            })}
          </title>
        </rect>
      ))}
      <text x={CHART.label + CHART.bar + 8} y="13" class="muted">
        {r.p.counted ? w.t('progress.counted', { counted: r.p.counted }) : w.t('progress.none')}
      </text>
    </g>
  );
};

const Legend: FC = () => {
  const w = useWords();
  return (
    <ul class="legend">
      {PROGRESS_PARTS.map((k) => (
        <li>
          <svg width="12" height="12" aria-hidden="true">
            <rect class={`part-${k}`} width="12" height="12"></rect>
          </svg>{' '}
          {partLabel(w, k)}
        </li>
      ))}
    </ul>
  );
};

const NumbersTable: FC<{ id: string; heading: string; rows: ChartRow[] }> = ({ id, heading, rows }) => {
  const w = useWords();
  const { t } = w;
  return (
    <table id={`${id}-table`} class="progress-table">
      <thead>
        <tr>
          <th>{heading}</th>
          <th>{t('progress.column.counted')}</th>
          {PROGRESS_PARTS.map((k) => (
            <th>{partLabel(w, k)}</th>
          ))}
          <th>{t('progress.column.noLongerRelevant')}</th>
          <th>{t('progress.column.superseded')}</th>
        </tr>
      </thead>
      <Rows
        cols={8}
        empty={t('progress.noRecommendations')}
        rows={rows.map((r) => {
          const pct = percentages(r.p.shares);
          return (
            <tr data-row={r.key}>
              <td>{r.label}</td>
              <td>{r.p.counted}</td>
              {PROGRESS_PARTS.map((k) => (
                <td data-part={k}>{r.p.counted ? `${r.p[k]} (${pct[k]}%)` : '—'}</td>
              ))}
              <td>{r.p.noLongerRelevant}</td>
              <td>{r.p.superseded}</td>
            </tr>
          );
        })}
      />
    </table>
  );
};

/** A stacked-bar chart with its legend and the table of the same numbers. */
export const ProgressChart: FC<{ id: string; caption: string; heading: string; rows: ChartRow[] }> = (p) => {
  const height = Math.max(1, p.rows.length) * CHART.row;
  const width = CHART.label + CHART.bar + CHART.right;
  return (
    <figure class="chart" id={p.id}>
      <figcaption>{p.caption}</figcaption>
      <svg
        role="img"
        aria-labelledby={`${p.id}-title`}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
      >
        <title id={`${p.id}-title`}>{p.caption}</title>
        {p.rows.map((r, i) => (
          <Bar r={r} i={i} />
        ))}
      </svg>
      <Legend />
      <NumbersTable id={p.id} heading={p.heading} rows={p.rows} />
    </figure>
  );
};

const StatesTable: FC<{ records: readonly CountedRecord[] }> = ({ records }) => {
  const w = useWords();
  const { t } = w;
  const headings = ['state', 'recommendations', 'open', 'priorityOpen', 'closed', 'superseded', 'taNeeds'];
  return (
    <table id="states">
      <thead>
        <tr>
          {headings.map((h) => (
            <th>{t(h === 'superseded' ? 'progress.column.superseded' : `annual.column.${h}`)}</th>
          ))}
        </tr>
      </thead>
      <Rows
        cols={7}
        empty={t('register.empty')}
        rows={registerCounts(records).map((c) => (
          <tr data-state={c.state}>
            <td>
              <a href={`/states/${c.state}`}>{c.state}</a>
            </td>
            <td>{c.total}</td>
            <td>{c.open}</td>
            <td>{c.priorityOpen}</td>
            <td>{c.closed}</td>
            <td>{c.superseded}</td>
            <td>
              {Object.entries(c.ta)
                .filter(([, n]) => n)
                .map(([s, n]) => `${w.term('ta', s)} ${n}`)
                .join(', ') || '—'}
            </td>
          </tr>
        ))}
      />
    </table>
  );
};

/** The progress page, from the records the caller may see. */
export const ProgressPage: FC<{ records: readonly CountedRecord[] }> = ({ records }) => {
  const { t, term } = useWords();
  const themes = progressByTheme(records).map((x) => ({ key: x.theme, label: term('theme', x.theme), p: x }));
  const years = progressByYear(records).map((y) => ({ key: String(y.year), label: String(y.year), p: y }));
  return (
    <>
      <p class="muted">{t('progress.help')}</p>
      <h2>{t('progress.perTheme')}</h2>
      <ProgressChart
        id="by-theme"
        caption={t('progress.captionTheme')}
        heading={t('progress.column.theme')}
        rows={themes}
      />
      <h2>{t('progress.perYear')}</h2>
      <ProgressChart
        id="by-year"
        caption={t('progress.captionYear')}
        heading={t('progress.column.year')}
        rows={years}
      />
      <h2>{t('progress.perState')}</h2>
      <StatesTable records={records} />
    </>
  );
};

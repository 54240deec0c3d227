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

/** What each part of a bar means, in the legend, titles and tables. */
export const PART_LABELS: Record<ProgressPart, string> = {
  implemented: 'implemented',
  partly: 'partly implemented',
  not: 'not implemented',
  unknown: 'unknown (insufficient information)',
};

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
export function barText(r: ChartRow): string {
  if (!r.p.counted) return `${r.label}: no recommendations counted`;
  const pct = percentages(r.p.shares);
  const parts = PROGRESS_PARTS.map((k) => `${PART_LABELS[k]} ${r.p[k]} (${pct[k]}%)`).join(', ');
  return `${r.label}: ${r.p.counted} recommendation(s): ${parts}`;
}

const Bar: FC<{ r: ChartRow; i: number }> = ({ r, i }) => (
  <g class="progress-row" data-row={r.key} transform={`translate(0,${i * CHART.row})`}>
    <title>{barText(r)}</title>
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
        <title>{`${r.label}: ${PART_LABELS[s.part]} ${r.p[s.part]} of ${r.p.counted}`}</title>
      </rect>
    ))}
    <text x={CHART.label + CHART.bar + 8} y="13" class="muted">
      {r.p.counted ? `${r.p.counted} counted` : 'none'}
    </text>
  </g>
);

const Legend: FC = () => (
  <ul class="legend">
    {PROGRESS_PARTS.map((k) => (
      <li>
        <svg width="12" height="12" aria-hidden="true">
          <rect class={`part-${k}`} width="12" height="12"></rect>
        </svg>{' '}
        {PART_LABELS[k]}
      </li>
    ))}
  </ul>
);

const NumbersTable: FC<{ id: string; heading: string; rows: ChartRow[] }> = ({ id, heading, rows }) => (
  <table id={`${id}-table`} class="progress-table">
    <thead>
      <tr>
        <th>{heading}</th>
        <th>Counted</th>
        {PROGRESS_PARTS.map((k) => (
          <th>{PART_LABELS[k]}</th>
        ))}
        <th>No longer relevant</th>
        <th>Superseded</th>
      </tr>
    </thead>
    <Rows
      cols={8}
      empty="No recommendations."
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

const StatesTable: FC<{ records: readonly CountedRecord[] }> = ({ records }) => (
  <table id="states">
    <thead>
      <tr>
        {['State', 'Recommendations', 'Open', 'Priority open', 'Closed', 'Superseded', 'TA needs'].map((h) => (
          <th>{h}</th>
        ))}
      </tr>
    </thead>
    <Rows
      cols={7}
      empty="No recommendations recorded yet."
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
              .map(([s, n]) => `${s} ${n}`)
              .join(', ') || '—'}
          </td>
        </tr>
      ))}
    />
  </table>
);

/** The progress page, from the records the caller may see. */
export const ProgressPage: FC<{ records: readonly CountedRecord[] }> = ({ records }) => {
  const themes = progressByTheme(records).map((t) => ({ key: t.theme, label: t.theme, p: t }));
  const years = progressByYear(records).map((y) => ({ key: String(y.year), label: String(y.year), p: y }));
  return (
    <>
      <p class="muted">
        Shares of the recommendations as CTED assessed them. Recommendations closed as no longer relevant, and those
        superseded by a later recommendation, are counted beside the shares, not in them; a recommendation not yet
        assessed counts as unknown.
      </p>
      <h2>Per theme</h2>
      <ProgressChart id="by-theme" caption="Implementation progress per theme" heading="Theme" rows={themes} />
      <h2>Per year of visit</h2>
      <ProgressChart id="by-year" caption="Implementation progress per year of visit" heading="Year" rows={years} />
      <h2>Per State</h2>
      <StatesTable records={records} />
    </>
  );
};

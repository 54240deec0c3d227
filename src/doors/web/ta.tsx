/**
 * The technical-assistance pipeline (`/ta`): per partner, the needs referred to it and what each
 * waits on (the partner's answer, by when, marked once overdue; its delivery), then the needs
 * waiting on the State to agree them and on CTED to refer them. Rendered from records the
 * recommendation service has already projected for the caller (a partner: only its referrals).
 */
import type { FC } from 'hono/jsx';
import { TA_PARTNER_STATUSES } from '../../domain/recommendations/model';
import type {
  PartnerNeedEntry,
  PartnerPipeline,
  TaNeedEntry,
  TaPipeline,
  Waiting,
  WaitingNeed,
} from '../../domain/recommendations/progress';
import { day, Rows } from './layout';

/** Whom a need waits on, and for what, in words. */
export function waitingText(w: Waiting | null, partner?: string): string {
  if (!w) return 'nothing';
  if (w.on === 'state') return 'the State, to agree the need';
  if (w.on === 'cted') return 'CTED, to refer it to a partner';
  return `${partner ?? 'the partner'}, to ${w.for === 'answer' ? 'answer' : 'deliver'}`;
}

const Need: FC<{ n: TaNeedEntry }> = ({ n }) => (
  <td>
    <strong>{n.recommendation}</strong>
    {n.priority ? <span class="muted"> (priority)</span> : null}
    <div>{n.taNeed}</div>
  </td>
);

/** The State, linked to its register for those who may open it (not partners). */
const State: FC<{ state: string; link: boolean }> = ({ state, link }) => (
  <td>{link ? <a href={`/states/${state}`}>{state}</a> : state}</td>
);

const PartnerRow: FC<{ n: PartnerNeedEntry; link: boolean }> = ({ n, link }) => (
  <tr
    data-recommendation={n.recommendation}
    data-partner-status={n.partnerStatus}
    class={n.overdue ? 'is-overdue' : undefined}
  >
    <Need n={n} />
    <State state={n.state} link={link} />
    <td>
      {n.partnerStatus} <span class="muted">since {day(n.since)}</span>
      {n.text ? <div class="muted">{n.text}</div> : null}
    </td>
    <td class="waiting">{waitingText(n.waiting, n.partner)}</td>
    <td class={n.overdue ? 'overdue' : undefined}>
      {n.answerBy ? `${day(n.answerBy)}${n.overdue ? ' (overdue)' : ''}` : '—'}
    </td>
  </tr>
);

const PartnerSection: FC<{ p: PartnerPipeline; link: boolean }> = ({ p, link }) => (
  <section class="partner" data-partner={p.partner}>
    <h2>{p.partner}</h2>
    <p class="counts">
      {TA_PARTNER_STATUSES.filter((s) => p.counts[s]).map((s) => (
        <span>
          {s}: {p.counts[s]}
        </span>
      ))}
      {p.overdue ? <span class="overdue">answers overdue: {p.overdue}</span> : null}
    </p>
    <table class="pipeline">
      <thead>
        <tr>
          {['TA need', 'State', "Partner's status", 'Waiting on', 'Answer due'].map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.needs.map((n) => (
          <PartnerRow n={n} link={link} />
        ))}
      </tbody>
    </table>
  </section>
);

const WaitingTable: FC<{ id: string; needs: WaitingNeed[]; empty: string }> = ({ id, needs, empty }) => (
  <table id={id} class="pipeline">
    <thead>
      <tr>
        {['TA need', 'State', 'Status', 'Since', 'Waiting on'].map((h) => (
          <th>{h}</th>
        ))}
      </tr>
    </thead>
    <Rows
      cols={5}
      empty={empty}
      rows={needs.map((n) => (
        <tr data-recommendation={n.recommendation}>
          <Need n={n} />
          <State state={n.state} link />
          <td>{n.status}</td>
          <td>{day(n.since)}</td>
          <td class="waiting">{waitingText(n.waiting)}</td>
        </tr>
      ))}
    />
  </table>
);

export interface TaPageProps {
  pipeline: TaPipeline;
  /** The needs not (or no longer) referred: not for partners, who see only what is referred to them. */
  showUnreferred: boolean;
}

export const TaPage: FC<TaPageProps> = ({ pipeline, showUnreferred }) => (
  <>
    {pipeline.partners.length ? (
      pipeline.partners.map((p) => <PartnerSection p={p} link={showUnreferred} />)
    ) : (
      <p class="muted" id="no-referrals">
        No TA need has been referred{showUnreferred ? ' yet' : ' to you yet'}.
      </p>
    )}
    {showUnreferred ? (
      <>
        <h2>Waiting on the State</h2>
        <WaitingTable id="waiting-state" needs={pipeline.waitingOnState} empty="No TA need waits on a State." />
        <h2>Waiting on CTED</h2>
        <WaitingTable id="waiting-cted" needs={pipeline.waitingOnCted} empty="No TA need waits on CTED." />
      </>
    ) : null}
  </>
);

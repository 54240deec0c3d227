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
import { Rows } from './layout';
import { useWords, WORDS, type Words } from './words';

/** Whom a need waits on, and for what, in words. */
export function waitingText(w: Waiting | null, partner?: string, words: Words = WORDS.en): string {
  const { t } = words;
  if (!w) return t('ta.waiting.nothing');
  if (w.on === 'state') return t('ta.waiting.state');
  if (w.on === 'cted') return t('ta.waiting.cted');
  const who = partner ?? t('ta.waiting.thePartner');
  return t(w.for === 'answer' ? 'ta.waiting.answer' : 'ta.waiting.deliver', { partner: who });
}

const Need: FC<{ n: TaNeedEntry }> = ({ n }) => {
  const { t } = useWords();
  return (
    <td>
      <strong>{n.recommendation}</strong>
      {n.priority ? <span class="muted"> {t('progressItems.priority')}</span> : null}
      <div>{n.taNeed}</div>
    </td>
  );
};

/** The State, linked to its register for those who may open it (not partners). */
const State: FC<{ state: string; link: boolean }> = ({ state, link }) => (
  <td>{link ? <a href={`/states/${state}`}>{state}</a> : state}</td>
);

const PartnerRow: FC<{ n: PartnerNeedEntry; link: boolean }> = ({ n, link }) => {
  const w = useWords();
  const { t, term, day } = w;
  return (
    <tr
      data-recommendation={n.recommendation}
      data-partner-status={n.partnerStatus}
      class={n.overdue ? 'is-overdue' : undefined}
    >
      <Need n={n} />
      <State state={n.state} link={link} />
      <td>
        {term('partnerStatus', n.partnerStatus)} <span class="muted">{t('ta.since', { date: day(n.since) })}</span>
        {n.text ? <div class="muted">{n.text}</div> : null}
      </td>
      <td class="waiting">{waitingText(n.waiting, n.partner, w)}</td>
      <td class={n.overdue ? 'overdue' : undefined}>
        {n.answerBy ? `${day(n.answerBy)}${n.overdue ? ` ${t('ta.overdue')}` : ''}` : '—'}
      </td>
    </tr>
  );
};

const PartnerSection: FC<{ p: PartnerPipeline; link: boolean }> = ({ p, link }) => {
  const { t, term } = useWords();
  return (
    <section class="partner" data-partner={p.partner}>
      <h2>{p.partner}</h2>
      <p class="counts">
        {TA_PARTNER_STATUSES.filter((s) => p.counts[s]).map((s) => (
          <span>{t('overview.stageCount', { stage: term('partnerStatus', s), count: p.counts[s] })}</span>
        ))}
        {p.overdue ? <span class="overdue">{t('ta.answersOverdue', { count: p.overdue })}</span> : null}
      </p>
      <table class="pipeline">
        <thead>
          <tr>
            {['taNeed', 'state', 'partnerStatus', 'waitingOn', 'answerDue'].map((h) => (
              <th>{t(`ta.column.${h}`)}</th>
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
};

const WaitingTable: FC<{ id: string; needs: WaitingNeed[]; empty: string }> = ({ id, needs, empty }) => {
  const w = useWords();
  const { t, term, day } = w;
  return (
    <table id={id} class="pipeline">
      <thead>
        <tr>
          {['taNeed', 'state', 'status', 'since', 'waitingOn'].map((h) => (
            <th>{t(`ta.column.${h}`)}</th>
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
            <td>{term('ta', n.status)}</td>
            <td>{day(n.since)}</td>
            <td class="waiting">{waitingText(n.waiting, undefined, w)}</td>
          </tr>
        ))}
      />
    </table>
  );
};

export interface TaPageProps {
  pipeline: TaPipeline;
  /** The needs not (or no longer) referred: not for partners, who see only what is referred to them. */
  showUnreferred: boolean;
}

export const TaPage: FC<TaPageProps> = ({ pipeline, showUnreferred }) => {
  const { t } = useWords();
  return (
    <>
      {pipeline.partners.length ? (
        pipeline.partners.map((p) => <PartnerSection p={p} link={showUnreferred} />)
      ) : (
        <p class="muted" id="no-referrals">
          {t(showUnreferred ? 'ta.noReferrals' : 'ta.noReferralsToYou')}
        </p>
      )}
      {showUnreferred ? (
        <>
          <h2>{t('ta.waitingOnState')}</h2>
          <WaitingTable id="waiting-state" needs={pipeline.waitingOnState} empty={t('ta.noneOnState')} />
          <h2>{t('ta.waitingOnCted')}</h2>
          <WaitingTable id="waiting-cted" needs={pipeline.waitingOnCted} empty={t('ta.noneOnCted')} />
        </>
      ) : null}
    </>
  );
};

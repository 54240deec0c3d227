/**
 * A visit's page, rendered from the signed-in role's view of it (src/domain/views.ts): its stage
 * and consent, the actions the role may take now, the timeline and the messages the role may see.
 * A State's page is built from the State's view, so it can show nothing the view leaves out.
 */
import type { FC } from 'hono/jsx';
import type { FieldSpec } from '../../domain/actions';
import type { ActionName } from '../../domain/vocabulary';
import {
  isStateView,
  type ActionView,
  type InternalView,
  type MessageView,
  type StateReply,
  type StateView,
} from '../../domain/views';
import { ActionField, type ProgressTarget } from './fields';
import { FormToken, Rows } from './layout';
import { useWords, WORDS, type Words } from './words';

const ActionForm: FC<{
  visitId: string;
  action: ActionName;
  fields: readonly FieldSpec[];
  formToken: string;
  /** The visit's recommendations, for the rows of progress per recommendation. */
  recommendations: readonly ProgressTarget[];
}> = (p) => {
  const { term } = useWords();
  return (
    <form method="post" action={`/visits/${p.visitId}/act/${p.action}`} class="action">
      <fieldset>
        <legend>{term('action', p.action)}</legend>
        {p.fields.map((f) => (
          <ActionField action={p.action} f={f} recommendations={p.recommendations} />
        ))}
        <FormToken token={p.formToken} />
        <button name="do" value={p.action}>
          {term('action', p.action)}
        </button>
      </fieldset>
    </form>
  );
};

interface TimelineEntry {
  at: string;
  text: string;
  kind: 'event' | 'done' | 'late' | 'overdue' | 'planned';
}

type Items = Pick<StateView | InternalView, 'openItems' | 'closedItems'>;

/** Steps done (planned against actual) and deadlines ahead. */
function itemEntries(v: Items, nowMs: number, w: Words): TimelineEntry[] {
  const { t, term, day } = w;
  return [
    ...v.closedItems.map((c) => ({
      at: c.closedAt,
      text: t('timeline.done', {
        item: term('item', c.item),
        outcome: term('outcome', c.outcome),
        planned: day(c.deadline),
        actual: day(c.closedAt),
      }),
      kind: c.deadline && c.closedAt > c.deadline ? ('late' as const) : ('done' as const),
    })),
    ...v.openItems.map((o) => ({
      at: o.deadline ?? o.openedAt,
      text: t('timeline.due', {
        item: term('item', o.item),
        deadline: day(o.deadline),
        paused: 'paused' in o && o.paused ? 'yes' : 'no',
      }),
      kind: o.deadline && Date.parse(o.deadline) < nowMs ? ('overdue' as const) : ('planned' as const),
    })),
  ];
}

const byTime = (entries: TimelineEntry[]) => entries.sort((a, b) => a.at.localeCompare(b.at));

/** An event of the visit's history as displayed: the engine's events, and the actions people took. */
const eventText = (type: string, w: Words) =>
  w.term('event', type) !== type ? w.term('event', type) : w.term('action', type);

/** Events, steps done (planned against actual) and deadlines ahead, in time order. */
export function timelineOf(v: InternalView, nowMs: number, w: Words = WORDS.en): TimelineEntry[] {
  return byTime([
    ...(v.history ?? []).map((e) => ({
      at: e.at,
      text: e.actor ? w.t('timeline.eventBy', { event: eventText(e.type, w), actor: e.actor }) : eventText(e.type, w),
      kind: 'event' as const,
    })),
    ...itemEntries(v, nowMs, w),
  ]);
}

function replyText(r: StateReply, w: Words): string {
  const action = w.term('action', r.action);
  if (!r.onBehalf) return r.by ? w.t('timeline.eventBy', { event: action, actor: r.by }) : action;
  return w.t('timeline.onBehalf', {
    action,
    recorder: r.recordedBy ?? 'none',
    reference: r.reference ?? '',
    hasReference: r.reference ? 'yes' : 'no',
    received: r.receivedOn ? w.date(r.receivedOn) : '',
    hasReceived: r.receivedOn ? 'yes' : 'no',
  });
}

/** The State's timeline: the documents sent to it, its replies, adoption, and its own deadlines. */
export function stateTimelineOf(v: StateView, nowMs: number, w: Words = WORDS.en): TimelineEntry[] {
  return byTime([
    ...(v.documents ?? []).map((d) => ({
      at: d.sentAt,
      text: w.t(d.document === 'draft' ? 'timeline.draftSent' : 'timeline.reportSent', {
        ref: d.documentRef ?? '',
        hasRef: d.documentRef ? 'yes' : 'no',
      }),
      kind: 'event' as const,
    })),
    ...(v.replies ?? []).map((r) => ({ at: r.at, text: replyText(r, w), kind: 'event' as const })),
    ...(v.adoptedAt ? [{ at: v.adoptedAt, text: w.t('timeline.adopted'), kind: 'event' as const }] : []),
    ...itemEntries(v, nowMs, w),
  ]);
}

const Consent: FC<{ v: StateView | InternalView }> = ({ v }) => {
  const { t, term, day } = useWords();
  const by = 'decidedBy' in v.consent ? v.consent.decidedBy : undefined;
  return (
    <p>
      {t('visit.consent')} <strong id="consent">{term('consent', v.consent.scope)}</strong>
      {v.consent.sections.length ? ` (${v.consent.sections.join(', ')})` : ''}
      {v.consent.priorityTaNeedsOnly ? ` ${t('visit.priorityOnly')}` : ''}
      {v.consent.decidedAt ? (
        <>
          {' '}
          <span class="muted">
            {by
              ? t('visit.decidedBy', { by, date: day(v.consent.decidedAt) })
              : t('visit.decided', { date: day(v.consent.decidedAt) })}
          </span>
        </>
      ) : null}
    </p>
  );
};

const Actions: FC<{
  id: string;
  actions: ActionView[];
  formToken: string;
  recommendations: readonly ProgressTarget[];
}> = ({ id, actions, formToken, recommendations }) =>
  actions.length ? (
    <>
      {actions.map((a) => (
        <ActionForm
          visitId={id}
          action={a.action}
          fields={a.fields}
          formToken={formToken}
          recommendations={recommendations}
        />
      ))}
    </>
  ) : (
    <NothingToDo />
  );

const NothingToDo: FC = () => <p class="muted">{useWords().t('visit.nothingToDo')}</p>;

const Timeline: FC<{ entries: TimelineEntry[] }> = ({ entries }) => {
  const { t, day } = useWords();
  return (
    <table id="timeline">
      <thead>
        <tr>
          <th>{t('column.date')}</th>
          <th>{t('column.what')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr class={e.kind}>
            <td>{day(e.at)}</td>
            <td class={e.kind === 'overdue' || e.kind === 'late' ? 'overdue' : ''}>{e.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

const Messages: FC<{ messages: MessageView[] }> = ({ messages }) => {
  const { t, day } = useWords();
  return (
    <table id="messages">
      <thead>
        <tr>
          <th>{t('column.sent')}</th>
          <th>{t('column.to')}</th>
          <th>{t('column.subject')}</th>
        </tr>
      </thead>
      <Rows
        cols={3}
        empty={t('visit.noMessages')}
        rows={messages.map((m) => (
          <tr>
            <td>{day(m.sentAt)}</td>
            <td>{m.to}</td>
            <td>{m.subject}</td>
          </tr>
        ))}
      />
    </table>
  );
};

export interface VisitPageProps {
  /** The signed-in role's view of the visit, with the messages it may see. */
  v: StateView | InternalView;
  flash: string | undefined;
  formToken: string;
  nowMs: number;
}

export const VisitPage: FC<VisitPageProps> = ({ v, flash, formToken, nowMs }) => {
  const w = useWords();
  const { t, term } = w;
  return (
    <>
      {flash ? (
        <p class="overdue" role="alert">
          {flash}
        </p>
      ) : null}
      <p>
        {t('visit.summary', { type: term('type', v.type), start: w.date(v.start), end: w.date(v.end) })}{' '}
        {t('visit.stage')} <strong id="stage">{term('stage', v.stage)}</strong>
        {isStateView(v) ? <span class="muted"> ({t(`stateStage.${v.stage}`)})</span> : null}.
      </p>
      <Consent v={v} />
      <h2>{t('visit.actions')}</h2>
      <Actions id={v.id} actions={v.allowedActions} formToken={formToken} recommendations={v.recommendations ?? []} />
      <h2>{t('visit.timeline')}</h2>
      <Timeline entries={isStateView(v) ? stateTimelineOf(v, nowMs, w) : timelineOf(v, nowMs, w)} />
      <h2>{isStateView(v) ? t('visit.messagesToYou') : t('visit.messagesSent')}</h2>
      <Messages messages={v.messages ?? []} />
    </>
  );
};

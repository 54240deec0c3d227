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
  type StateStage,
  type StateView,
} from '../../domain/views';
import { ActionField, type ProgressTarget } from './fields';
import { day, FormToken, Rows } from './layout';

const ActionForm: FC<{
  visitId: string;
  action: ActionName;
  fields: readonly FieldSpec[];
  formToken: string;
  /** The visit's recommendations, for the rows of progress per recommendation. */
  recommendations: readonly ProgressTarget[];
}> = (p) => (
  <form method="post" action={`/visits/${p.visitId}/act/${p.action}`} class="action">
    <fieldset>
      <legend>{p.action}</legend>
      {p.fields.map((f) => (
        <ActionField action={p.action} f={f} recommendations={p.recommendations} />
      ))}
      <FormToken token={p.formToken} />
      <button name="do" value={p.action}>
        {p.action}
      </button>
    </fieldset>
  </form>
);

interface TimelineEntry {
  at: string;
  text: string;
  kind: 'event' | 'done' | 'late' | 'overdue' | 'planned';
}

type Items = Pick<StateView | InternalView, 'openItems' | 'closedItems'>;

/** Steps done (planned against actual) and deadlines ahead. */
function itemEntries(v: Items, nowMs: number): TimelineEntry[] {
  return [
    ...v.closedItems.map((c) => ({
      at: c.closedAt,
      text: `${c.item} done (${c.outcome}); planned ${day(c.deadline)}, actual ${day(c.closedAt)}`,
      kind: c.deadline && c.closedAt > c.deadline ? ('late' as const) : ('done' as const),
    })),
    ...v.openItems.map((o) => ({
      at: o.deadline ?? o.openedAt,
      text: `${o.item} due ${day(o.deadline)}${'paused' in o && o.paused ? ' (clock stopped)' : ''}`,
      kind: o.deadline && Date.parse(o.deadline) < nowMs ? ('overdue' as const) : ('planned' as const),
    })),
  ];
}

const byTime = (entries: TimelineEntry[]) => entries.sort((a, b) => a.at.localeCompare(b.at));

/** Events, steps done (planned against actual) and deadlines ahead, in time order. */
export function timelineOf(v: InternalView, nowMs: number): TimelineEntry[] {
  return byTime([
    ...(v.history ?? []).map((e) => ({
      at: e.at,
      text: `${e.type}${e.actor ? ` by ${e.actor}` : ''}`,
      kind: 'event' as const,
    })),
    ...itemEntries(v, nowMs),
  ]);
}

const RECORDERS = { cted: 'CTED', secretariat: 'the Committee secretariat' } as const;

function replyText(r: StateReply): string {
  if (!r.onBehalf) return `${r.action}${r.by ? ` by ${r.by}` : ''}`;
  const who = r.recordedBy ? ` by ${RECORDERS[r.recordedBy]}` : '';
  const note = r.reference ? `, note verbale ${r.reference}` : '';
  const received = r.receivedOn ? ` received ${r.receivedOn}` : '';
  return `${r.action} recorded on your behalf${who}${note}${received}`;
}

/** The State's timeline: the documents sent to it, its replies, adoption, and its own deadlines. */
export function stateTimelineOf(v: StateView, nowMs: number): TimelineEntry[] {
  const ref = (documentRef: string | undefined) => (documentRef ? ` (${documentRef})` : '');
  return byTime([
    ...(v.documents ?? []).map((d) => ({
      at: d.sentAt,
      text:
        d.document === 'draft'
          ? `draft report sent to you for comments${ref(d.documentRef)}`
          : `adopted report transmitted to you${ref(d.documentRef)}`,
      kind: 'event' as const,
    })),
    ...(v.replies ?? []).map((r) => ({ at: r.at, text: replyText(r), kind: 'event' as const })),
    ...(v.adoptedAt ? [{ at: v.adoptedAt, text: 'report adopted by the Committee', kind: 'event' as const }] : []),
    ...itemEntries(v, nowMs),
  ]);
}

/** What each of a State's stages means to it. */
const STATE_STAGE_TEXT: Record<StateStage, string> = {
  drafting: 'CTED is drafting the report of the visit',
  'draft-with-you': 'the draft report is with you for your factual comments',
  'final-draft': 'CTED is finalizing the report',
  'committee-review': 'under consideration by the Committee',
  adopted: 'adopted by the Committee, to be transmitted to you',
  transmitted: 'the adopted report has been transmitted to you',
  implementing: 'implementing the recommendations',
  closed: 'the follow-up of the visit is closed',
  withdrawn: 'the follow-up of the visit was withdrawn',
};

const Consent: FC<{ v: StateView | InternalView }> = ({ v }) => {
  const by = 'decidedBy' in v.consent ? v.consent.decidedBy : undefined;
  return (
    <p>
      Sharing consent: <strong id="consent">{v.consent.scope}</strong>
      {v.consent.sections.length ? ` (${v.consent.sections.join(', ')})` : ''}
      {v.consent.priorityTaNeedsOnly ? ' — priority TA needs only' : ''}
      {v.consent.decidedAt ? (
        <>
          {' '}
          <span class="muted">
            decided{by ? ` by ${by}` : ''} on {day(v.consent.decidedAt)}
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
    <p class="muted">Nothing for you to do on this visit now.</p>
  );

const Timeline: FC<{ entries: TimelineEntry[] }> = ({ entries }) => (
  <table id="timeline">
    <thead>
      <tr>
        <th>Date</th>
        <th>What</th>
      </tr>
    </thead>
    <tbody>
      {entries.map((t) => (
        <tr class={t.kind}>
          <td>{day(t.at)}</td>
          <td class={t.kind === 'overdue' || t.kind === 'late' ? 'overdue' : ''}>{t.text}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const Messages: FC<{ messages: MessageView[] }> = ({ messages }) => (
  <table id="messages">
    <thead>
      <tr>
        <th>Sent</th>
        <th>To</th>
        <th>Subject</th>
      </tr>
    </thead>
    <Rows
      cols={3}
      empty="None yet."
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

export interface VisitPageProps {
  /** The signed-in role's view of the visit, with the messages it may see. */
  v: StateView | InternalView;
  flash: string | undefined;
  formToken: string;
  nowMs: number;
}

export const VisitPage: FC<VisitPageProps> = ({ v, flash, formToken, nowMs }) => (
  <>
    {flash ? (
      <p class="overdue" role="alert">
        {flash}
      </p>
    ) : null}
    <p>
      {v.type} visit, {v.start} to {v.end}. Stage: <strong id="stage">{v.stage}</strong>
      {isStateView(v) ? <span class="muted"> ({STATE_STAGE_TEXT[v.stage]})</span> : null}.
    </p>
    <Consent v={v} />
    <h2>Actions</h2>
    <Actions id={v.id} actions={v.allowedActions} formToken={formToken} recommendations={v.recommendations ?? []} />
    <h2>Timeline</h2>
    <Timeline entries={isStateView(v) ? stateTimelineOf(v, nowMs) : timelineOf(v, nowMs)} />
    <h2>{isStateView(v) ? 'Messages sent to you' : 'Reminders and notices sent'}</h2>
    <Messages messages={v.messages ?? []} />
  </>
);

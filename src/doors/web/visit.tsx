/** A visit's page: its stage and consent, the actions the signed-in role may take now, the timeline and the mail sent. */
import type { FC } from 'hono/jsx';
import type { FieldSpec } from '../../domain/actions';
import type { VisitStatus } from '../../domain/visit';
import { Field } from './fields';
import { day, FormToken, Rows } from './layout';

interface SentMessage {
  sentAt: string;
  recipient: string;
  subject: string;
}

const ActionForm: FC<{ visitId: string; action: string; fields: readonly FieldSpec[]; formToken: string }> = (p) => (
  <form method="post" action={`/visits/${p.visitId}/act/${p.action}`} class="action">
    <fieldset>
      <legend>{p.action}</legend>
      {p.fields.map((f) => (
        <Field action={p.action} f={f} />
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

/** Events, steps done (planned against actual) and deadlines ahead, in time order. */
export function timelineOf(s: VisitStatus, nowMs: number): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...s.history.map((e) => ({
      at: e.at,
      text: `${e.type}${e.actor ? ` by ${e.actor}` : ''}`,
      kind: 'event' as const,
    })),
    ...s.closedItems.map((c) => ({
      at: c.closedAt,
      text: `${c.item} done (${c.outcome}); planned ${day(c.deadline)}, actual ${day(c.closedAt)}`,
      kind: c.deadline && c.closedAt > c.deadline ? ('late' as const) : ('done' as const),
    })),
    ...s.openItems.map((o) => ({
      at: o.deadline ?? o.openedAt,
      text: `${o.item} due ${day(o.deadline)}${o.paused ? ' (clock stopped)' : ''}`,
      kind: o.deadline && Date.parse(o.deadline) < nowMs ? ('overdue' as const) : ('planned' as const),
    })),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

export interface VisitPageProps {
  s: VisitStatus;
  /** The actions the signed-in role may take now. */
  mine: VisitStatus['allowedActions'];
  flash: string | undefined;
  formToken: string;
  sent: SentMessage[];
  nowMs: number;
}

export const VisitPage: FC<VisitPageProps> = ({ s, mine, flash, formToken, sent, nowMs }) => (
  <>
    {flash ? (
      <p class="overdue" role="alert">
        {flash}
      </p>
    ) : null}
    <p>
      {s.type} visit, {s.start} to {s.end}. Stage: <strong id="stage">{s.stage}</strong>.
    </p>
    <p>
      Sharing consent: <strong id="consent">{s.consent.scope}</strong>
      {s.consent.sections.length ? ` (${s.consent.sections.join(', ')})` : ''}
      {s.consent.priorityTaNeedsOnly ? ' — priority TA needs only' : ''}
      {s.consent.decidedBy ? (
        <>
          {' '}
          <span class="muted">
            decided by {s.consent.decidedBy} on {day(s.consent.decidedAt)}
          </span>
        </>
      ) : null}
    </p>
    <h2>Actions</h2>
    {mine.length ? (
      mine.map((a) => <ActionForm visitId={s.id} action={a.action} fields={a.fields} formToken={formToken} />)
    ) : (
      <p class="muted">Nothing for you to do on this visit now.</p>
    )}
    <h2>Timeline</h2>
    <table id="timeline">
      <thead>
        <tr>
          <th>Date</th>
          <th>What</th>
        </tr>
      </thead>
      <tbody>
        {timelineOf(s, nowMs).map((t) => (
          <tr class={t.kind}>
            <td>{day(t.at)}</td>
            <td class={t.kind === 'overdue' || t.kind === 'late' ? 'overdue' : ''}>{t.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <h2>Reminders and notices sent</h2>
    <table>
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
        rows={sent.map((m) => (
          <tr>
            <td>{day(m.sentAt)}</td>
            <td>{m.recipient}</td>
            <td>{m.subject}</td>
          </tr>
        ))}
      />
    </table>
  </>
);

/**
 * The follow-up of one visit for one Member State as a pure state machine: which items are open
 * with which deadlines, what each action does, which clocks expire on their own, and which
 * reminders fall due. The workflow holds a VisitState and calls these functions; they do no I/O
 * and read the time only from their arguments, so they are deterministic and tested directly.
 */
export { allowedActions, allowedActionsWithFields, refusal } from './allowed';
export {
  applyCalendar,
  applyExpiries,
  countsDays,
  deadlineAfter,
  initialState,
  isOpen,
  nextWakeAt,
  takesReminders,
  visitEndInstant,
  type MovedDeadline,
} from './clocks';
export {
  dueReminders,
  noteReminderDelivered,
  plannedReminders,
  reminderNotice,
  skipDueClosedBy,
  takeDueReminders,
} from './reminders';
export {
  Consent,
  Door,
  Hold,
  Objection,
  ReminderKind,
  ReminderRecord,
  VisitContacts,
  VisitEvent,
  VisitRecommendation,
  EarlierView,
  isTerminal,
  workflowEnds,
  type Rules,
  type ActionCommand,
  type Actor,
  type Effects,
  type ItemState,
  type Notice,
  type PlannedReminder,
  type UncheckedCommand,
  type VisitState,
  type VisitSummary,
} from './state';
export {
  AllowedAction,
  ClosedItemView,
  OpenItemView,
  VisitSnapshot,
  VisitStatus,
  openItems,
  snapshotOf,
  statusOf,
} from './status';
export { applyAction } from './transitions';
export { pendingTaPartners, trackOf, type Track } from './recommendations';

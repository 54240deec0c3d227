/** Register records for unit tests: a valid record (parsed with the model's schema) with what a test changes. */
import {
  RecommendationRecord,
  type AssessedStatus,
  type ReportedStatus,
  type TaPartnerStatus,
  type TaStatus,
  type Theme,
} from '../src/domain/recommendations/model';

export interface RecordOptions {
  theme?: Theme;
  priority?: boolean;
  text?: string;
  taNeed?: string;
  adoptedAt?: string;
  visitEnd?: string;
  reported?: ReportedStatus;
  assessed?: AssessedStatus;
  supersededBy?: string;
  ta?: { status: TaStatus; partners?: [string, TaPartnerStatus, string?][]; answerBy?: string };
}

/** The record `<visit>/R<n>` (e.g. `rec('166-POL', 3, {...})`), open unless assessed implemented or no longer relevant, or superseded. */
export function rec(visit: string, n: number, o: RecordOptions = {}): RecommendationRecord {
  const adoptedAt = o.adoptedAt ?? '2020-03-02T15:00:00.000Z';
  const by = 'cted@un.example.org';
  const assessed = o.assessed ?? 'insufficient-information';
  const closed = o.supersededBy !== undefined || assessed === 'implemented' || assessed === 'no-longer-relevant';
  return RecommendationRecord.parse({
    id: `${visit}/R${n}`,
    visit,
    state: visit.slice(visit.indexOf('-') + 1),
    number: n,
    text: o.text ?? `Recommendation ${n} of visit ${visit}`,
    theme: o.theme ?? 'legislation',
    priority: o.priority ?? false,
    taNeed: o.taNeed ?? (o.ta ? `Assistance for R${n}` : null),
    adoptedAt,
    ...(o.visitEnd ? { visitEnd: o.visitEnd } : {}),
    reportedStatus: o.reported
      ? {
          status: o.reported,
          text: `Steps taken on R${n}`,
          at: '2020-09-01T12:00:00.000Z',
          by: 'focal@mission.example',
        }
      : null,
    assessedStatus: o.assessed
      ? { status: assessed, at: '2021-03-01T12:00:00.000Z', by }
      : { status: assessed, at: adoptedAt, by },
    status: closed ? 'closed' : 'open',
    supersededBy: o.supersededBy ?? null,
    supersedes: [],
    ta: o.ta
      ? {
          status: o.ta.status,
          partners: (o.ta.partners ?? []).map(([partner, status, at]) => ({
            partner,
            status,
            at: at ?? '2020-04-01T12:00:00.000Z',
          })),
          answerBy: o.ta.answerBy ?? null,
        }
      : null,
    history: [{ type: 'recommendations-adopted', at: adoptedAt, by }],
  });
}

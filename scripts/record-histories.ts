/**
 * Records the JSON histories that test/replay replays: real runs on the time-skipping server
 * through whole visit lifecycles. Run once per workflow change that is meant to be compatible, with
 * a new suffix: `npm run record-histories -- -2` writes `visit-full-2.json` and so on. Committed
 * histories are never rewritten: each stands for visits started under the code of its day.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actUpdate, publishCalendarUpdate, statusQuery, workflowIdOf, type ActRequest } from '../src/contract';
import { resolvePolicy } from '../src/infra/policy/loader';
import { registerSearchAttributes } from '../src/infra/temporal/search-attributes';
import { temporalTestServerPath } from '../src/infra/temporal/binaries';
import { workflowsPath } from '../src/worker';
import { recordingActivities, visitRequest } from '../test/helpers';

type Step =
  ['act', ActRequest['action'], Record<string, unknown>?, string?] | ['sleep', string] | ['publish-calendar', string];

const FOCAL = 'focal.point@mission.example.org';
const SECRETARIAT = 'secretariat@un.example.org';
const MEMBER = 'member@committee.example.org';

const SCENARIOS: Record<string, Step[]> = {
  // Silence everywhere: no comments, adoption by silence, receipt deemed, both reports late.
  'visit-silence': [
    ['act', 'submit-draft'],
    ['act', 'dispatch-draft'],
    ['sleep', '31 days'],
    ['act', 'submit-final-draft'],
    ['sleep', '10 days'],
    ['act', 'transmit-report'],
    ['sleep', '10 days'],
    ['sleep', '215 days'],
    ['act', 'submit-implementation-report', {}, 'focal.point@mission.example.org'],
    ['act', 'submit-follow-up-report'],
    // Rules 2: a closed visit still takes consent.
    ['sleep', '30 days'],
    ['act', 'record-consent', { scope: 'full' }, FOCAL],
  ],
  // Every kind of step: PAO, TA referral, extension, hold, objection, meeting, consent, briefing.
  'visit-full': [
    ['act', 'record-pao', { documentRef: 'PAO/166' }],
    ['act', 'refer-ta', { partners: ['UNODC'], needs: 'Border management training', agreedOn: '2026-11-20' }],
    ['act', 'submit-draft'],
    ['act', 'dispatch-draft'],
    ['sleep', '20 days'],
    ['act', 'request-extension', { reason: 'Consultations' }, 'focal.point@mission.example.org'],
    ['act', 'grant-extension', {}, 'secretariat@un.example.org'],
    ['sleep', '20 days'],
    ['act', 'record-comments', { summary: 'Two corrections' }, 'focal.point@mission.example.org'],
    ['act', 'submit-final-draft'],
    ['act', 'place-hold', { reason: 'Capital review' }, 'member@committee.example.org'],
    ['sleep', '3 days'],
    ['act', 'lift-hold', {}, 'member@committee.example.org'],
    ['act', 'object', { reason: 'Paragraph 12' }, 'member@committee.example.org'],
    ['act', 'record-adoption', { meetingDate: '2027-02-01' }, 'chair@committee.example.org'],
    ['act', 'transmit-report'],
    ['act', 'confirm-receipt', {}, 'focal.point@mission.example.org'],
    ['act', 'record-consent', { scope: 'partial', sections: ['Border security'] }, 'focal.point@mission.example.org'],
    ['act', 'invite-briefing', { date: '2027-06-01' }, 'secretariat@un.example.org'],
    ['sleep', '40 days'],
    ['act', 'record-briefing', { date: '2027-06-01' }, 'secretariat@un.example.org'],
    ['act', 'withdraw', { reason: 'Recorded for replay' }, 'secretariat@un.example.org'],
  ],
  // Rules 2 (recorded from -3 on): replies by note verbale, a pending extension over the 30th day
  // refused, a hold lifted on the member's behalf, a corrected calendar, a corrected receipt, consent
  // after closure.
  'visit-diplomatic': [
    ['act', 'record-pao', { documentRef: 'PAO/166' }],
    ['act', 'refer-ta', { partners: ['UNODC'], agreedOn: '2026-11-20' }],
    ['act', 'submit-draft'],
    ['act', 'dispatch-draft'],
    ['sleep', '25 days'],
    ['act', 'request-extension', { onBehalfOf: 'POL', reference: 'NV/2026/1' }, SECRETARIAT],
    ['sleep', '10 days'],
    ['act', 'refuse-extension', { reason: 'The Committee meets soon' }, SECRETARIAT],
    ['act', 'submit-final-draft'],
    ['act', 'place-hold', { reason: 'Capital review' }, MEMBER],
    ['sleep', '2 days'],
    ['publish-calendar', 'recorded-1'],
    ['act', 'lift-hold', { onBehalfOf: MEMBER }, SECRETARIAT],
    ['sleep', '10 days'],
    ['act', 'transmit-report'],
    ['sleep', '10 days'],
    ['act', 'confirm-receipt', { onBehalfOf: 'POL', reference: 'NV/2026/2' }, SECRETARIAT],
    ['act', 'record-consent', { scope: 'partial', priorityTaNeedsOnly: true, partners: ['UNOCT'] }, FOCAL],
    ['act', 'submit-implementation-report', { onBehalfOf: 'POL', reference: 'NV/2027/3' }, 'officer@cted.example.org'],
    ['act', 'submit-follow-up-report'],
    ['sleep', '400 days'],
    ['act', 'record-consent', { scope: 'none', onBehalfOf: 'POL', reference: 'NV/2028/4' }, SECRETARIAT],
  ],
  // Rules 3 (recorded from -4 on): recommendations with the final draft, adoption by silence, TA
  // agreed and referred to two partners (one declines, one is reminded, accepts and delivers),
  // progress reported with the implementation report, assessments, the follow-up report naming the
  // recommendation it leaves unassessed.
  'visit-recommendations': [
    ['act', 'submit-draft'],
    ['act', 'dispatch-draft'],
    ['act', 'record-comments', {}, FOCAL],
    [
      'act',
      'record-recommendations',
      {
        recommendations: [
          { number: 1, text: 'Screen passengers', theme: 'border-management', priority: true, taNeed: 'API/PNR' },
          { number: 2, text: 'Amend the law', theme: 'legislation', priority: false },
          { number: 3, text: 'Train prosecutors', theme: 'criminal-justice', priority: false },
        ],
      },
    ],
    ['act', 'submit-final-draft'],
    ['sleep', '10 days'],
    ['act', 'transmit-report'],
    ['act', 'confirm-receipt', {}, FOCAL],
    ['act', 'agree-ta-needs', { recommendations: ['166-POL/R1'] }, FOCAL],
    ['act', 'refer-ta', { partners: ['UNODC', 'UNDP'], recommendations: ['166-POL/R1'] }],
    ['act', 'record-ta-response', { recommendation: '166-POL/R1', partner: 'UNDP', response: 'declined' }],
    ['sleep', '35 days'],
    ['act', 'record-ta-response', { recommendation: '166-POL/R1', partner: 'UNODC', response: 'accepted' }],
    ['act', 'record-ta-delivery', { recommendation: '166-POL/R1', partner: 'UNODC', status: 'delivered' }],
    ['act', 'report-progress', { items: [{ recommendation: '166-POL/R1', status: 'in-progress' }] }, FOCAL],
    [
      'act',
      'submit-implementation-report',
      { progress: [{ recommendation: '166-POL/R2', status: 'implemented' }] },
      FOCAL,
    ],
    [
      'act',
      'assess-recommendation',
      {
        items: [
          { recommendation: '166-POL/R1', status: 'partially-implemented' },
          { recommendation: '166-POL/R2', status: 'implemented' },
        ],
      },
    ],
    ['act', 'submit-follow-up-report', { unassessed: ['166-POL/R3'], note: 'No information on R3' }],
    // Closed, it still feeds the register what the last steps changed.
    ['sleep', '1 day'],
  ],
};

const suffix = process.argv[2] ?? '';

async function main() {
  if (!/^(-[a-z0-9]+)?$/.test(suffix)) throw new Error(`suffix must look like -2, got ${suffix}`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  await registerSearchAttributes(env.connection, 'default');
  const rec = recordingActivities();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'record',
    workflowsPath: workflowsPath(),
    activities: rec.activities,
  });
  await worker.runUntil(async () => {
    // RECORD_ONLY=visit-diplomatic records one scenario (to add a new one beside those recorded).
    const only = process.env.RECORD_ONLY;
    for (const [name, steps] of Object.entries(SCENARIOS).filter(([n]) => !only || n === only)) {
      const handle = await env.client.workflow.start('visitFollowUp', {
        taskQueue: 'record',
        workflowId: workflowIdOf(`166-POL-${name}`),
        args: [{ request: visitRequest(), policy: resolvePolicy() }],
      });
      for (const step of steps) {
        if (process.env.RECORD_TRACE) console.log(name, JSON.stringify(step));
        if (step[0] === 'sleep') await env.sleep(step[1]);
        else if (step[0] === 'publish-calendar') {
          const { calendar } = resolvePolicy();
          await handle.executeUpdate(publishCalendarUpdate, {
            args: [{ calendar, publishedBy: 'operator', version: step[1] }],
          });
        } else {
          const [, action, payload = {}, actor = 'officer@cted.example.org'] = step;
          await handle.executeUpdate(actUpdate, { args: [{ action, payload, actor: { email: actor }, door: 'cli' }] });
        }
      }
      const status = await handle.query(statusQuery);
      // Rules 2: a closed visit keeps listening for consent; end the recording there.
      if (status.stage === 'closed') await handle.terminate('recorded for replay');
      else await handle.result();
      const history = await handle.fetchHistory();
      const file = join(__dirname, '..', 'test', 'histories', `${name}${suffix}.json`);
      writeFileSync(file, historyToJSON(history));
      console.log(`${file}: ${history.events?.length} events, stage ${status.stage}`);
    }
  });
  await env.teardown();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * A whole visit driven only through the HTTP API, by the right role at each step, against the real
 * dev server: from draft to adoption and consent, with a signed link for the State's comments, and
 * an intact audit trail at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers';
import { startApiHarness, apiVisit, USERS, type Harness, type UserName } from '../api-harness';

let h: Harness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the full lifecycle through the API', () => {
  it('moves a visit from draft to adoption, transmission, consent and reports, each step by its role', async () => {
    expect((await h.request('POST', '/api/visits', { as: 'cted', body: apiVisit(700, 'NOR') })).status).toBe(201);
    const step = async (as: UserName, action: string, body: unknown = {}) => {
      const r = await h.request('POST', `/api/visits/700-NOR/actions/${action}`, { as, body });
      expect(r.status, `${action} by ${String(as)}: ${r.text}`).toBe(200);
      return r.body;
    };
    await step('cted', 'record-pao', { documentRef: 'PAO/700' });
    await step('cted', 'refer-ta', { partners: ['UNODC'], needs: 'Border management', agreedOn: '2026-11-02' });
    await step('cted', 'submit-draft', { documentRef: 'DRAFT/700' });
    const dispatched = await step('cted', 'dispatch-draft');
    expect(dispatched.stage).toBe('state-review');

    // The State replies through the link in its e-mail: no account needed.
    const mail = await eventually(
      () => h.smtp.received.find((m) => m.visitId === '700-NOR' && m.topic === 'draft-dispatched'),
      'the draft e-mail',
    );
    expect(mail.to).toEqual([USERS.stateNOR.email]);
    // The e-mailed link opens a page (/links/{token}); programs use the same token at /api/links/{token}.
    const link = /http:\/\/api\.invalid\/(?:api\/)?links\/([A-Za-z0-9_.=-]+)/.exec(mail.raw.replace(/=\r?\n/g, ''));
    expect(link).not.toBeNull();
    const linkPath = `/api/links/${link![1]!.replace(/=3D/g, '=')}`;
    const described = await h.request('GET', linkPath);
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ visitId: '700-NOR', email: USERS.stateNOR.email });
    const commentLink = described.body.action === 'record-comments' ? linkPath : undefined;
    expect(commentLink).toBeDefined();
    const viaLink = await h.request('POST', commentLink!, { body: { summary: 'Two factual corrections' } });
    expect(viaLink.status).toBe(200);
    // The link's answer is the State's own view: its stage as it lives it (CTED is finalizing the report).
    expect(viaLink.body.stage).toBe('final-draft');
    expect((await h.request('POST', commentLink!, { body: { summary: 'again' } })).status).toBe(409); // replayed

    await step('cted', 'submit-final-draft');
    await step('committee', 'place-hold', { reason: 'Capital review' });
    await step('committee', 'lift-hold');
    await step('committee', 'object', { reason: 'Paragraph 12' });
    const adopted = await step('chair', 'record-adoption', { meetingDate: '2026-12-01' });
    expect(adopted.stage).toBe('transmitting');
    await step('chair', 'transmit-report');
    const received = await step('stateNOR', 'confirm-receipt');
    expect(received.stage).toBe('implementing');
    const consent = await step('stateNOR', 'record-consent', { scope: 'partial', sections: ['Border security'] });
    expect(consent.consent).toMatchObject({
      scope: 'partial',
      sections: ['Border security'],
      decidedBy: USERS.stateNOR.email,
    });

    // The partner now sees the consented part, and only that.
    const partnerView = await h.request('GET', '/api/visits/700-NOR', { as: 'partner' });
    expect(partnerView.status).toBe(200);
    expect(partnerView.body).toEqual({
      id: '700-NOR',
      state: 'NOR',
      type: 'comprehensive',
      adoptedAt: adopted.adoptedAt,
      consent: { scope: 'partial', sections: ['Border security'], priorityTaNeedsOnly: false },
    });

    await step('stateNOR', 'submit-implementation-report', { summary: 'Steps taken' });
    const closed = await step('cted', 'submit-follow-up-report', { documentRef: 'FU/700' });
    expect(closed.stage).toBe('closed');

    // Every step is in the audit trail, attributed, with its door, and the chain is intact.
    const audit = (await h.store.audit()).filter((e) => e.visitId === '700-NOR');
    expect(audit.map((e) => [e.action, e.role, e.door, e.outcome])).toEqual([
      ['start-visit', 'cted', 'api', 'accepted'],
      ['record-pao', 'cted', 'api', 'accepted'],
      ['refer-ta', 'cted', 'api', 'accepted'],
      ['submit-draft', 'cted', 'api', 'accepted'],
      ['dispatch-draft', 'cted', 'api', 'accepted'],
      ['record-comments', 'state', 'link', 'accepted'],
      ['submit-final-draft', 'cted', 'api', 'accepted'],
      ['place-hold', 'committee', 'api', 'accepted'],
      ['lift-hold', 'committee', 'api', 'accepted'],
      ['object', 'committee', 'api', 'accepted'],
      ['record-adoption', 'chair', 'api', 'accepted'],
      ['transmit-report', 'chair', 'api', 'accepted'],
      ['confirm-receipt', 'state', 'api', 'accepted'],
      ['record-consent', 'state', 'api', 'accepted'],
      ['submit-implementation-report', 'state', 'api', 'accepted'],
      ['submit-follow-up-report', 'cted', 'api', 'accepted'],
    ]);
    expect(await h.store.verifyAudit()).toEqual({ ok: true, entries: (await h.store.audit()).length });
  }, 120_000);
});

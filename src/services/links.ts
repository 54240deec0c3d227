/**
 * Signed links: a State focal point acts without an account through the link in its e-mail.
 * Issued by CTED or the secretariat; each works once, until it expires. Once is decided by the
 * store: a request claims the link before acting, and only one claim can exist.
 */
import { z, ZodError } from 'zod';
import { ACTION_FIELDS, ACTION_PAYLOADS, ActionNameSchema } from '../domain/actions';
import { mayAct, type Principal } from '../domain/permissions';
import { isStateView, project, type StateView } from '../domain/views';
import { LANGUAGES, type ActionName, type Language } from '../domain/vocabulary';
import { stateName } from '../i18n/states';
import { linkLabel, signLink, verifyLink, type LinkClaims } from '../infra/links';
import type { Caller, ServiceDeps } from './context';
import { AppError, parseOr } from './errors';
import { requireOperation, type VisitService } from './visits';

export const LinkRequest = z
  .object({
    action: ActionNameSchema,
    email: z.email(),
    /** Days the link stays valid (default 45: the comment period and one extension). */
    days: z.number().int().min(1).max(120).default(45),
    /** The language of the page the link opens (default: the visit's). */
    language: z.enum(LANGUAGES).optional(),
  })
  .strict();

export interface IssuedLink {
  url: string;
  token: string;
  expiresAt: string;
}

/** Where a link takes a person: the page with the action's form (programs use /api/links/{token}). */
export const linkPageUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/$/, '')}/links/${token}`;

/** Fields only CTED or the secretariat fill in, recording a note verbale on the State's behalf: a State using its own link leaves them out. */
export const RECORDER_FIELDS: ReadonlySet<string> = new Set(['onBehalfOf', 'reference']);

/**
 * The field of an action that carries the State's progress per recommendation: its form lists the
 * visit's recommendations, each with a status and the steps taken, rather than asking for JSON.
 */
export const PROGRESS_FIELDS: Partial<Record<ActionName, string>> = {
  'report-progress': 'items',
  'submit-implementation-report': 'progress',
};

export class LinkService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly visits: VisitService,
    private readonly now: () => number = deps.now ?? Date.now,
  ) {}

  /** A link's verified claims and the person it speaks for; 401 when forged or expired, 409 once used. */
  private async open(token: string): Promise<{ claims: LinkClaims; id: string; principal: Principal }> {
    const check = verifyLink(token, this.deps.linkSecret, this.now());
    if (!check.ok) {
      if (check.reason === 'expired') {
        throw new AppError('link-expired', 'this link has expired; ask the secretariat for a new one');
      }
      throw new AppError('link-invalid', 'this link is not valid');
    }
    if (await this.deps.store().linkUsed(check.id)) throw new AppError('link-used', 'this link has already been used');
    const { e, r, s, o } = check.claims;
    const principal: Principal = { email: e, role: r, ...(s ? { state: s } : {}), ...(o ? { organisation: o } : {}) };
    return { claims: check.claims, id: check.id, principal };
  }

  /** A new link for a State focal point to take one of the State's actions on a visit. */
  async issue(caller: Caller, visitId: string, body: unknown): Promise<IssuedLink> {
    requireOperation(caller, 'issue-link');
    const req = parseOr(LinkRequest, body, 'link');
    const status = await this.visits.readable(caller, visitId);
    if (!mayAct({ email: req.email, role: 'state', state: status.state }, req.action, status)) {
      throw new AppError(
        'invalid-request',
        `a link lets a State focal point act; ${req.action} is not a State's action`,
      );
    }
    const expiresAt = Math.floor(this.now() / 1000) + req.days * 86_400;
    const l = req.language ?? status.language;
    const claims = { v: visitId, a: req.action, e: req.email, r: 'state' as const, s: status.state, x: expiresAt, l };
    const token = signLink(claims, this.deps.linkSecret);
    const payload = { action: req.action, email: req.email };
    await this.visits.audit.record({ caller, door: 'api', visitId, action: 'issue-link', payload }, 'accepted');
    return {
      url: linkPageUrl(this.deps.publicUrl, token),
      token,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }

  /** What a link allows, for the form that uses it. */
  async describe(token: string) {
    const { claims } = await this.open(token);
    return {
      visitId: claims.v,
      action: claims.a,
      email: claims.e,
      fields: ACTION_FIELDS[claims.a],
      expiresAt: new Date(claims.x * 1000).toISOString(),
    };
  }

  /**
   * What a link allows and what its e-mail called it, for the page a person opens (the State's own
   * fields), in the link's language (a link without one: the visit's); the State's name as the UN
   * writes it in that language; for progress, the visit's recommendations as the State's own view
   * of the visit shows them.
   */
  async page(token: string) {
    const { claims, principal } = await this.open(token);
    const link = await this.describe(token);
    const fields = link.fields.filter((f) => !RECORDER_FIELDS.has(f.name));
    const status = await this.visits.status(link.visitId);
    const language: Language = claims.l ?? status.language ?? 'en';
    let recommendations: NonNullable<StateView['recommendations']> = [];
    if (PROGRESS_FIELDS[link.action]) {
      const view = project(principal, status);
      recommendations = isStateView(view) ? (view.recommendations ?? []) : [];
    }
    return {
      ...link,
      fields,
      language,
      state: status.state,
      stateName: stateName(status.state, language, status.stateName),
      label: linkLabel(link.action, language),
      recommendations,
    };
  }

  /**
   * The language of the page refusing a link: the one it carries, else its visit's, for a link
   * signed here (expired or used); undefined for a link that is not (or whose visit is gone).
   */
  async languageOf(token: string): Promise<Language | undefined> {
    const check = verifyLink(token, this.deps.linkSecret, 0); // the signature only: an expired link says its language too
    if (!check.ok) return undefined;
    if (check.claims.l) return check.claims.l;
    try {
      return (await this.visits.status(check.claims.v)).language;
    } catch {
      return undefined;
    }
  }

  /** Verifies a link before its body is read: 401 forged or expired, 409 used. */
  async verify(token: string): Promise<void> {
    await this.open(token);
  }

  /** The 400 (audited) for a body that is no action's payload, with the link's action's own issues and fields. */
  async refusePayload(token: string, body: unknown): Promise<AppError> {
    const { claims, principal } = await this.open(token);
    const parsed = ACTION_PAYLOADS[claims.a].safeParse(body);
    const error = parsed.success ? new ZodError([]) : parsed.error;
    return this.visits.refusePayload(principal, 'link', await this.visits.status(claims.v), claims.a, body, error);
  }

  /**
   * Acts through a link, once. The link is claimed in the store first, so of two requests racing
   * with it only one acts (the other is refused 409). A refused action (bad payload, wrong moment,
   * not allowed) releases the claim so the link can be used again; a link whose action was done,
   * or whose outcome is unknown (Temporal failed mid-way), stays spent.
   */
  async act(token: string, body: unknown) {
    const { claims, id, principal } = await this.open(token);
    const store = this.deps.store();
    if ((await store.claimLink(id, claims.v, claims.a, new Date(this.now()))) !== 'claimed') {
      throw new AppError('link-used', 'this link has already been used');
    }
    // Released unless the action was done, or may have been (a failure while the workflow was asked).
    let keep = false;
    let asked = false;
    try {
      const status = await this.visits.status(claims.v);
      asked = true;
      const result = await this.visits.act(principal, 'link', status, claims.a, body);
      keep = true;
      await store.useLink(id, claims.v, claims.a, new Date(this.now()));
      return result;
    } catch (e) {
      keep ||= asked && !(e instanceof AppError && e.status < 500);
      throw e;
    } finally {
      if (!keep) await store.releaseLink(id);
    }
  }
}

/**
 * The pages a signed link opens in the browser (`/links/{token}`): the link's action as a form, and
 * the confirmation of what was recorded, or the refusal, on the page. No account and no session:
 * the token in the address is the secret; posts from another origin are refused as on the
 * dashboard. Programs use `/api/links/{token}` (JSON) instead.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Child, FC } from 'hono/jsx';
import { AppError, type Services } from '../../services';
import { isLinkFailure, type Authentication } from '../http/auth';
import { bodyText, limitBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { ActionField, payloadFromForm } from './fields';
import { day, documentOf, Layout } from './layout';

type LinkInfo = Awaited<ReturnType<Services['links']['page']>>;

/** The link's action as a form posting back to the link; after a refusal, with the reason and the values sent. */
export const LinkForm: FC<{ token: string; link: LinkInfo; refusal?: string; sent?: URLSearchParams }> = ({
  token,
  link,
  refusal,
  sent,
}) => (
  <Layout title={link.label} principal={null}>
    <p>
      Visit <strong id="visit">{link.visitId}</strong>, for <strong>{link.email}</strong>. This link can be used once,
      until {day(link.expiresAt)}.
    </p>
    {refusal ? (
      <p class="overdue" role="alert">
        {refusal}
      </p>
    ) : null}
    <form method="post" action={`/links/${token}`} class="action">
      <fieldset>
        <legend>{link.action}</legend>
        {link.fields.map((f) => (
          <ActionField action={link.action} f={f} recommendations={link.recommendations} sent={sent} />
        ))}
        <button>{link.label}</button>
      </fieldset>
    </form>
  </Layout>
);

/** A progress item (or any other object in a list) in words: `166-POL/R1: implemented (Law adopted)`. */
const itemText = (x: unknown): string => {
  if (typeof x !== 'object' || x === null) return String(x);
  const o = x as Record<string, unknown>;
  const words = Object.entries(o)
    .filter(([k]) => k !== 'recommendation' && k !== 'status')
    .map(([, w]) => String(w));
  const head = 'recommendation' in o ? `${String(o.recommendation)}: ${String(o.status ?? '')}` : JSON.stringify(o);
  return words.length ? `${head} (${words.join('; ')})` : head;
};

const shown = (v: unknown) =>
  Array.isArray(v) ? (
    v.some((x) => typeof x === 'object' && x !== null) ? (
      <ul>
        {v.map((x) => (
          <li>{itemText(x)}</li>
        ))}
      </ul>
    ) : (
      v.join(', ')
    )
  ) : typeof v === 'boolean' ? (
    v ? (
      'yes'
    ) : (
      'no'
    )
  ) : (
    String(v)
  );

/** What was recorded through the link. */
export const LinkDone: FC<{ link: LinkInfo; payload: Record<string, unknown>; at: string }> = ({
  link,
  payload,
  at,
}) => (
  <Layout title="Recorded" principal={null}>
    <p role="status">
      <strong id="done">{link.action}</strong> was recorded on visit {link.visitId} on {day(at)}, for {link.email}.
    </p>
    {Object.keys(payload).length ? (
      <dl>
        {Object.entries(payload).map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{shown(v)}</dd>
          </>
        ))}
      </dl>
    ) : null}
    <p class="muted">This link has now been used. To change anything, ask the Committee secretariat for a new link.</p>
  </Layout>
);

/** A link that cannot be used (invalid, expired, used), without the dashboard's sign-in wording. */
export const LinkRefused: FC<{ message: string }> = ({ message }) => (
  <Layout title="This link cannot be used" principal={null}>
    <p class="overdue" role="alert">
      {message}
    </p>
    <p>Ask the Committee secretariat or your CTED contact for a new link.</p>
  </Layout>
);

/** `attachment` with the file's name in UTF-8 (RFC 6266, RFC 8187). */
export const contentDisposition = (fileName: string) =>
  `attachment; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

export function linkPages(
  app: Hono<AppEnv>,
  services: Services,
  auth: Authentication,
  sameOrigin: MiddlewareHandler,
): void {
  const page = (c: Context, status: number, body: Child) => c.html(documentOf(body), status as 200);

  /** The link's description, or the refusal (counted against the address) the page shows instead. */
  const open = async (c: Context, token: string): Promise<{ link: LinkInfo } | { refused: AppError }> => {
    try {
      return { link: await services.links.page(token) };
    } catch (e) {
      if (!isLinkFailure(e)) throw e;
      auth.linkRefused(c, e);
      return { refused: e };
    }
  };
  const refusedPage = (c: Context, e: AppError) => page(c, e.status, <LinkRefused message={e.message} />);

  app.get('/links/:token', auth.linkLimit, async (c) => {
    const token = c.req.param('token');
    const opened = await open(c, token);
    if ('refused' in opened) return refusedPage(c, opened.refused);
    return page(c, 200, <LinkForm token={token} link={opened.link} />);
  });

  /** A document a message linked to: the file itself, as many times as asked, until the link expires. */
  app.get('/documents/:token', auth.linkLimit, async (c) => {
    let doc;
    try {
      doc = await services.documents.download(c.req.param('token'));
    } catch (e) {
      if (!(e instanceof AppError) || (e.code !== 'not-found' && e.code !== 'forbidden')) throw e;
      // A document link is a bearer secret too: its refusals count against the address.
      auth.linkRefused(c, new AppError('link-invalid', e.message));
      return page(c, e.status, <LinkRefused message={e.message} />);
    }
    return c.body(new Uint8Array(doc.content), 200, {
      'content-type': doc.mediaType,
      'content-disposition': contentDisposition(doc.fileName),
      'content-length': String(doc.size),
    });
  });

  app.post('/links/:token', sameOrigin, auth.linkLimit, limitBody, async (c) => {
    const token = c.req.param('token');
    const opened = await open(c, token);
    if ('refused' in opened) return refusedPage(c, opened.refused);
    const { link } = opened;
    if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new AppError('unsupported-media-type', 'send the form on this page');
    }
    const form = new URLSearchParams(await bodyText(c));
    const payload = payloadFromForm(link.action, form);
    try {
      await services.links.act(token, payload);
    } catch (e) {
      if (isLinkFailure(e)) {
        auth.linkRefused(c, e);
        return refusedPage(c, e);
      }
      // A refused action leaves the link usable: the form again, with the reason and what was typed.
      if (!(e instanceof AppError) || e.status >= 500 || e.code === 'rate-limited') throw e;
      return page(c, e.status, <LinkForm token={token} link={link} refusal={e.message} sent={form} />);
    }
    return page(
      c,
      200,
      <LinkDone link={link} payload={payload} at={new Date(services.monitoring.now()).toISOString()} />,
    );
  });
}

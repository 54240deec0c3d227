/**
 * The pages a signed link opens in the browser (`/links/{token}`): the link's action as a form, and
 * the confirmation of what was recorded, or the refusal, on the page. No account and no session:
 * the token in the address is the secret; posts from another origin are refused as on the
 * dashboard. Programs use `/api/links/{token}` (JSON) instead.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Child, FC } from 'hono/jsx';
import type { FieldSpec } from '../../domain/actions';
import { LANGUAGES, type ActionName, type Language } from '../../domain/vocabulary';
import { hasKey, translator, type Translate, type Values } from '../../i18n/catalogue';
import { AppError, type Services } from '../../services';
import { isLinkFailure, type Authentication } from '../http/auth';
import { bodyText, limitBody } from '../http/body';
import type { AppEnv } from '../http/env';
import { ActionField, payloadFromForm, type FormWords } from './fields';
import { documentOf, Layout } from './layout';

type LinkInfo = Awaited<ReturnType<Services['links']['page']>>;

/** A word of the catalogue if it has one (a field added since has none): else undefined. */
const optional = (t: Translate, key: string, values?: Values) => (hasKey('pages', key) ? t(key, values) : undefined);

/** The words of a link's form in its language, from the catalogue's `pages` part. */
export function formWords(action: ActionName, lang: Language): FormWords {
  const t = translator('pages', lang);
  const option = (field: string, value: string) => optional(t, `option.${field}.${value}`) ?? value;
  return {
    label: (f: FieldSpec) => optional(t, `field.${action}.${f.name}`) ?? f.name,
    help: (f: FieldSpec) => optional(t, `help.${action}.${f.name}`),
    option,
    progress: {
      legend: t('progress.legend'),
      hint: t('progress.hint'),
      recommendation: t('progress.recommendation'),
      before: t('progress.before'),
      status: t('progress.status'),
      steps: t('progress.steps'),
      none: t('progress.none'),
      priority: t('progress.priority'),
      notReported: t('progress.notReported'),
      noReport: t('progress.noReport'),
      theme: (theme) => optional(t, `theme.${theme}`) ?? theme,
      taNeed: (need) => t('progress.taNeed', { need }),
      reported: (status, at) => t('progress.reported', { status: option('status', status), at: new Date(at) }),
      assessed: (status, at) =>
        t('progress.assessed', { status: optional(t, `assessed.${status}`) ?? status, at: new Date(at) }),
      statusOf: (id) => t('progress.statusOf', { id }),
      stepsOn: (id) => t('progress.stepsOn', { id }),
    },
  };
}

/** A sentence of the catalogue with one of its values set in an element: the visit's id in `<strong id="visit">`. */
function around(t: Translate, key: string, values: Values, name: string, element: (v: string) => Child): Child {
  const MARK = '\u0000';
  const [before = '', after = ''] = t(key, { ...values, [name]: MARK }).split(MARK);
  return (
    <>
      {before}
      {element(String(values[name]))}
      {after}
    </>
  );
}

/** The Layout of a link page: in the link's language, right to left in Arabic, without the dashboard's navigation. */
const LinkLayout: FC<{ title: string; lang: Language; children?: Child }> = ({ title, lang, children }) => (
  <Layout title={title} principal={null} lang={lang} site={translator('pages', lang)('page.site')}>
    {children}
  </Layout>
);

/** Messages of the payload checks the page says in its own words (others: the field in question). */
const KNOWN_ISSUES: Record<string, string> = {
  'partial consent names the sections or sets priorityTaNeedsOnly': 'error.consent-partial',
  'sections and priorityTaNeedsOnly apply only to partial consent': 'error.consent-not-partial',
};

/** A refused action in the link's language: a lead sentence and, for a refused payload, what to check. */
export function refusalWords(
  e: AppError,
  link: Pick<LinkInfo, 'action' | 'language'>,
): { lead: string; items: string[] } {
  const t = translator('pages', link.language);
  if (e.code === 'invalid-request') {
    const words = formWords(link.action, link.language);
    const issues = (e.extra.issues as { path: PropertyKey[]; message: string }[] | undefined) ?? [];
    const fields = (e.extra.fields as FieldSpec[] | undefined) ?? [];
    // A field's own words, or the field in question; an entry no field of the form has goes unnamed.
    const items = issues.flatMap((i) => {
      const known = KNOWN_ISSUES[i.message];
      if (known) return [t(known)];
      const spec = fields.find((f) => f.name === i.path[0]);
      if (!spec) return [];
      // The checks speak English: an English page gives their reason; others, the field in question.
      return [
        link.language === 'en' ? `${words.label(spec)}: ${i.message}` : t('error.field', { field: words.label(spec) }),
      ];
    });
    return { lead: t('error.invalid'), items: [...new Set(items)] };
  }
  const lead =
    e.code === 'forbidden'
      ? t('error.forbidden')
      : e.code === 'not-allowed-now' || e.code === 'refused' || e.code === 'exists'
        ? t('error.not-now')
        : t('error.other');
  return { lead, items: [] };
}

/** The link's action as a form posting back to the link; after a refusal, with the reason and the values sent. */
export const LinkForm: FC<{ token: string; link: LinkInfo; refusal?: AppError; sent?: URLSearchParams }> = ({
  token,
  link,
  refusal,
  sent,
}) => {
  const lang = link.language;
  const t = translator('pages', lang);
  const words = formWords(link.action, lang);
  const refused = refusal ? refusalWords(refusal, link) : undefined;
  return (
    <LinkLayout title={link.label} lang={lang}>
      <p>
        {around(t, 'form.visit', { visit: link.visitId, state: link.stateName }, 'visit', (v) => (
          <strong id="visit">{v}</strong>
        ))}
      </p>
      <p>{t('form.link', { email: link.email, expires: new Date(link.expiresAt) })}</p>
      {refused ? (
        <div class="overdue" role="alert">
          <p>{refused.lead}</p>
          {refused.items.length ? (
            <ul>
              {refused.items.map((i) => (
                <li>{i}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <form method="post" action={`/links/${token}`} class="action">
        <fieldset>
          <legend>{t(`legend.${link.action}`)}</legend>
          {link.fields.map((f) => (
            <ActionField action={link.action} f={f} recommendations={link.recommendations} sent={sent} words={words} />
          ))}
          <p class="muted">{t('form.required')}</p>
          <button>{t('form.submit')}</button>
        </fieldset>
      </form>
    </LinkLayout>
  );
};

/** Lists typed on the page: commas, and the Arabic and Chinese ones. */
export const LIST_SEPARATOR = /[,\u060c\uff0c\u3001]/;
/** How a list is written back in each language. */
const LIST_JOIN: Record<Language, string> = { ar: '\u060c ', zh: '\u3001', en: ', ', fr: ', ', ru: ', ', es: ', ' };

/** What was recorded through the link, in words: a progress item is `166-POL/R1: Implemented (Law adopted)`. */
function recorded(v: unknown, field: FieldSpec, words: FormWords, t: Translate, lang: Language): Child {
  const item = (x: unknown): string => {
    if (typeof x !== 'object' || x === null) return String(x);
    const o = x as Record<string, unknown>;
    const rest = Object.entries(o)
      .filter(([k]) => k !== 'recommendation' && k !== 'status')
      .map(([, w]) => String(w));
    const head =
      'recommendation' in o
        ? `${String(o.recommendation)}: ${o.status === undefined ? '' : words.option('status', String(o.status))}`
        : JSON.stringify(o);
    return rest.length ? `${head} (${rest.join('; ')})` : head;
  };
  if (Array.isArray(v))
    return v.some((x) => typeof x === 'object' && x !== null) ? (
      <ul>
        {v.map((x) => (
          <li>{item(x)}</li>
        ))}
      </ul>
    ) : (
      v.map(String).join(LIST_JOIN[lang])
    );
  if (typeof v === 'boolean') return v ? t('done.yes') : t('done.no');
  return field.type === 'enum' ? words.option(field.name, String(v)) : String(v);
}

/** What was recorded through the link. */
export const LinkDone: FC<{ link: LinkInfo; payload: Record<string, unknown>; at: string }> = ({
  link,
  payload,
  at,
}) => {
  const lang = link.language;
  const t = translator('pages', lang);
  const words = formWords(link.action, lang);
  const spec = (name: string): FieldSpec =>
    link.fields.find((f) => f.name === name) ?? { name, type: 'string', required: false, description: '' };
  return (
    <LinkLayout title={t('done.title')} lang={lang}>
      <p role="status">
        {around(
          t,
          'done.text',
          { action: link.label, visit: link.visitId, at: new Date(at), email: link.email },
          'action',
          (v) => (
            <strong id="done">{v}</strong>
          ),
        )}
      </p>
      {Object.keys(payload).length ? (
        <dl>
          {Object.entries(payload).map(([k, v]) => (
            <>
              <dt>{words.label(spec(k))}</dt>
              <dd>{recorded(v, spec(k), words, t, lang)}</dd>
            </>
          ))}
        </dl>
      ) : null}
      <p>{t('done.thanks')}</p>
      <p class="muted">{t('done.used')}</p>
    </LinkLayout>
  );
};

/** A link that cannot be used (invalid, expired, used), in its language, without the dashboard's sign-in wording. */
const REFUSAL_WORDS = {
  'link-invalid': 'refused.invalid',
  'link-expired': 'refused.expired',
  'link-used': 'refused.used',
  'document-withdrawn': 'refused.withdrawn',
} as const;

export const LinkRefused: FC<{
  code: 'link-invalid' | 'link-expired' | 'link-used' | 'document-withdrawn';
  lang: Language;
}> = ({ code, lang }) => {
  const t = translator('pages', lang);
  return (
    <LinkLayout title={t('refused.title')} lang={lang}>
      <p class="overdue" role="alert">
        {t(REFUSAL_WORDS[code])}
      </p>
      <p>{t('refused.ask')}</p>
    </LinkLayout>
  );
};

/** The first of the browser's languages that is one of the six (`Accept-Language: fr-CH, en;q=0.8`), else English. */
export function acceptedLanguage(header: string | undefined): Language {
  const asked = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((a) => a.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (asked.map((a) => a.lang).find((l) => (LANGUAGES as readonly string[]).includes(l)) as Language) ?? 'en';
}

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
  /** A link refused: in its language if it was signed here (expired, used), else in the browser's. */
  const refusedPage = async (c: Context, e: AppError, token: string, known?: Language) => {
    const lang = known ?? (await services.links.languageOf(token)) ?? acceptedLanguage(c.req.header('accept-language'));
    const code = e.code === 'link-expired' || e.code === 'link-used' ? e.code : 'link-invalid';
    return page(c, e.status, <LinkRefused code={code} lang={lang} />);
  };

  app.get('/links/:token', auth.linkLimit, async (c) => {
    const token = c.req.param('token');
    const opened = await open(c, token);
    if ('refused' in opened) return refusedPage(c, opened.refused, token);
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
      const code = e.extra.withdrawn ? 'document-withdrawn' : e.code === 'forbidden' ? 'link-expired' : 'link-invalid';
      return page(c, e.status, <LinkRefused code={code} lang={acceptedLanguage(c.req.header('accept-language'))} />);
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
    if ('refused' in opened) return refusedPage(c, opened.refused, token);
    const { link } = opened;
    if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new AppError('unsupported-media-type', 'send the form on this page');
    }
    const form = new URLSearchParams(await bodyText(c));
    const payload = payloadFromForm(link.action, form, LIST_SEPARATOR);
    try {
      await services.links.act(token, payload);
    } catch (e) {
      if (isLinkFailure(e)) {
        auth.linkRefused(c, e);
        return refusedPage(c, e, token, link.language);
      }
      // A refused action leaves the link usable: the form again, with the reason and what was typed.
      if (!(e instanceof AppError) || e.status >= 500 || e.code === 'rate-limited') throw e;
      return page(c, e.status, <LinkForm token={token} link={link} refusal={e} sent={form} />);
    }
    return page(
      c,
      200,
      <LinkDone link={link} payload={payload} at={new Date(services.monitoring.now()).toISOString()} />,
    );
  });
}

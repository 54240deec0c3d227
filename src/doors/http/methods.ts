/** Which methods a path answers, from the app's own route table: a 405 says them in `Allow`. */

const cache = new WeakMap<object, { method: string; pattern: RegExp; params: number }[]>();

/** A Hono route path (`/api/visits/:id`, `:file{regex}`, `*`) as a regular expression. */
export function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) =>
      segment === '*'
        ? '.*'
        : segment.replace(/:[A-Za-z0-9_]+(\{((?:[^{}]|\{[^{}]*\})+)\})?|[.*+?^${}()|[\]\\]/g, (m, _p, regex) =>
            m.startsWith(':') ? `(?:${regex ?? '[^/]+'})` : `\\${m}`,
          ),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/** The route table of a Hono app. */
interface Routed {
  routes: { method: string; path: string }[];
}

export function allowedMethods(app: Routed, path: string): string[] {
  let table = cache.get(app);
  if (!table) {
    table = app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, pattern: patternOf(r.path), params: (r.path.match(/:|\*/g) ?? []).length }));
    cache.set(app, table);
  }
  const matching = table.filter((r) => r.pattern.test(path));
  // The most specific routes speak for the path: /api/visits/import is not a visit id.
  const fewest = Math.min(...matching.map((r) => r.params));
  const methods = new Set(matching.filter((r) => r.params === fewest).map((r) => r.method));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

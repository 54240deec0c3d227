/** What the HTTP door's middleware hands to its handlers. */
import type { Principal } from '../../domain/permissions';
import type { VisitStatus } from '../../domain/visit';
import type { DashboardLanguage } from '../../i18n/catalogue';

export interface AppEnv {
  Variables: {
    /** The signed-in person (bearer token, session cookie or signed link). */
    principal: Principal;
    /** The dashboard session's id (never the API token), to bind form tokens to it. */
    session: string;
    /** The visit an action route acts on, read (and permission-checked) before its payload is validated. */
    visit: VisitStatus;
    /** The dashboard's language: `?lang=` or the `lang` cookie, else English (src/doors/web/words.ts). */
    lang: DashboardLanguage;
  };
}

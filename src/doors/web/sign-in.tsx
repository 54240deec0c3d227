/** Signing in with an access token (issued by `followup users add`). */
import type { FC } from 'hono/jsx';
import { Layout } from './layout';

export const SignInForm: FC<{ next: string }> = ({ next }) => (
  <Layout title="Sign in" principal={null}>
    <form method="post" action="/sign-in">
      <input type="hidden" name="next" value={next} />
      <p>
        <label for="token">Your access token</label>
        <br />
        <input id="token" name="token" type="password" size={50} autocomplete="current-password" required />
      </p>
      <p>
        <button>Sign in</button>
      </p>
      <p class="muted">
        Tokens are issued by the secretariat with <code>followup users add</code>.
      </p>
    </form>
  </Layout>
);

export const SignInRefused: FC = () => (
  <Layout title="Sign in" principal={null}>
    <p class="overdue">That token is not valid.</p>
    <p>
      <a href="/sign-in">Try again</a>
    </p>
  </Layout>
);

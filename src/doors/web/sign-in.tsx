/** Signing in with an access token (issued by `followup users add`). */
import type { FC } from 'hono/jsx';
import { Layout } from './layout';
import { around, useWords } from './words';

export const SignInForm: FC<{ next: string }> = ({ next }) => {
  const { t } = useWords();
  const [before, after] = around(t('signIn.help', { command: '\u0000' }));
  return (
    <Layout title={t('signIn.title')} principal={null}>
      <form method="post" action="/sign-in">
        <input type="hidden" name="next" value={next} />
        <p>
          <label for="token">{t('signIn.token')}</label>
          <br />
          <input id="token" name="token" type="password" size={50} autocomplete="current-password" required />
        </p>
        <p>
          <button>{t('signIn.button')}</button>
        </p>
        <p class="muted">
          {before}
          <code>followup users add</code>
          {after}
        </p>
      </form>
    </Layout>
  );
};

export const SignInRefused: FC = () => {
  const { t } = useWords();
  return (
    <Layout title={t('signIn.title')} principal={null}>
      <p class="overdue">{t('signIn.refused')}</p>
      <p>
        <a href="/sign-in">{t('signIn.again')}</a>
      </p>
    </Layout>
  );
};

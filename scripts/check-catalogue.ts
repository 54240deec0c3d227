/** The build-time check of the catalogue (`npm run check:catalogue`): refuses missing or extra keys and changed placeholders. */
import { catalogueProblems, CATALOGUE } from '../src/i18n/catalogue';

const problems = catalogueProblems();
if (problems.length) {
  console.error(`The catalogue has ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
const counts = Object.entries(CATALOGUE).map(
  ([part, langs]) =>
    `${part}: ${Object.keys((langs as { en: object }).en).length} messages in ${Object.keys(langs).join(' ')}`,
);
console.log(`Catalogue OK (${counts.join('; ')})`);

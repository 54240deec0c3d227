/** `followup export …`: the secretariat's lists for documents, as text, CSV or JSON. */
import type { Command } from 'commander';
import { z } from 'zod';
import { conductedText } from '../../domain/appendix';
import { annualText } from '../../domain/monitoring';
import { AppError, type Operator, type Services } from '../../services';
import { parseOr } from '../../services/errors';
import { print, type Io } from './output';

const Year = z.coerce.number().int().min(2000).max(2100);

interface ExportOptions {
  year?: string;
  csv?: boolean;
  json?: boolean;
}

/** `--year`, checked; `--csv` and `--json` are one or the other. */
function optionsOf(o: ExportOptions): { year: number | undefined } {
  if (o.csv && o.json) throw new AppError('usage', '--csv and --json are one or the other');
  return { year: o.year === undefined ? undefined : parseOr(Year, o.year, '--year') };
}

export function exportCommands(program: Command, services: Services, io: Io, operator: string): void {
  const as: Operator = { email: operator, role: 'operator' };
  const exports = program
    .command('export')
    .description("the secretariat's lists for documents (text, --csv or --json)");
  exports
    .command('visits-conducted')
    .description(
      'Appendix I of S/2020/99: the visits conducted, by number (State, type, ordinal, dates), with the adoption, transmission and consent dates',
    )
    .option('--year <YYYY>', 'only the visits that ended that year')
    .option('--csv', 'CSV, the columns of /api/visits-conducted.csv')
    .option('--json', 'JSON output')
    .action(async (o: ExportOptions) => {
      const { year } = optionsOf(o);
      const { monitoring } = services;
      if (o.csv) return io.out((await monitoring.visitsConductedCsv(as, year)).replace(/\r?\n$/, ''));
      const rows = await monitoring.visitsConducted(as, year);
      print(io, o.json, rows, () => conductedText(rows, monitoring.now()).replace(/\n$/, ''));
    });
  exports
    .command('annual')
    .description(
      "the annual list (as the December schedule mails it): each visit's reporting status with its recommendations and TA needs counted, and each State's register counted",
    )
    .option('--year <YYYY>', 'only the visits that ended that year')
    .option('--csv', 'CSV, the columns of /api/annual.csv (one row per visit)')
    .option('--json', 'JSON output: { rows, states }')
    .action(async (o: ExportOptions) => {
      const { year } = optionsOf(o);
      const { monitoring } = services;
      if (o.csv) return io.out((await monitoring.annualCsv(as, year)).replace(/\r?\n$/, ''));
      const list = await monitoring.annual(as, year);
      print(io, o.json, list, () => annualText(list.rows, monitoring.now(), list.states).replace(/\n$/, ''));
    });
}

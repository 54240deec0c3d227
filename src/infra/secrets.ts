/** The secret that signs links and calendar-feed URLs: from config, or generated once (mode 0600) in the data folder. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';

export function loadLinkSecret(config: Config): string {
  if (config.FOLLOWUP_LINK_SECRET) return config.FOLLOWUP_LINK_SECRET;
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'link-secret');
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/** Where people reach the server (links in e-mails, feed URLs). */
export function publicUrlOf(config: Config): string {
  return (config.FOLLOWUP_PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/$/, '');
}

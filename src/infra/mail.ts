/**
 * Mail transports built from config: SMTP when SMTP_URL is set, otherwise a local outbox of
 * `.eml` files a person can open.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';

export interface OutgoingMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers?: Record<string, string>;
  /** Files sent with the message: the deadline's `.ics`, a document the sender gave. */
  attachments?: MailAttachment[];
  /** The language the message is written in (a BCP 47 tag such as `fr` or `zh`): its Content-Language header. */
  language?: string;
}

/** A file attached to a message (nodemailer's attachment, the fields we use). */
export interface MailAttachment {
  filename: string;
  content: string | Buffer;
  contentType: string;
}

export interface Mailer {
  send(message: OutgoingMessage): Promise<void>;
  close(): void;
}

/** A stable Message-ID for an idempotency key, so a receiver can spot a duplicate. */
export function messageIdFor(key: string, domain = 'visit-follow-up.invalid'): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

/**
 * What nodemailer sends for a message: its fields, the attachments as given, and the language as
 * the Content-Language header (RFC 3282) next to the message's own headers.
 */
export function nodemailerOptions(m: OutgoingMessage): SendMailOptions {
  const { language, headers, attachments, ...rest } = m;
  const all = { ...headers, ...(language ? { 'Content-Language': language } : {}) };
  return {
    ...rest,
    ...(Object.keys(all).length ? { headers: all } : {}),
    ...(attachments?.length
      ? {
          attachments: attachments.map((a) => ({
            filename: a.filename,
            content: a.content,
            contentType: a.contentType,
          })),
        }
      : {}),
  };
}

export function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail(nodemailerOptions(m));
    },
    close: () => transport.close(),
  };
}

/** One `.eml` file per message, named so `ls` lists them in order; written atomically. */
export function outboxMailer(dir: string): Mailer {
  mkdirSync(dir, { recursive: true });
  let sequence = 0;
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = await transport.sendMail(nodemailerOptions(m));
      // The sequence keeps messages of the same millisecond in the order they were sent.
      sequence = (sequence + 1) % 1_000_000;
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(sequence).padStart(6, '0')}-${m.messageId.slice(1, 13)}.eml`;
      const tmp = join(dir, `.${name}.tmp`);
      writeFileSync(tmp, info.message as Buffer);
      renameSync(tmp, join(dir, name));
    },
    close: () => transport.close(),
  };
}

export interface OutboxEntry {
  file: string;
  to: string;
  subject: string;
  date: string;
  /** The Content-Language header (e.g. `fr`); empty when the message has none. */
  language: string;
}

/** Lists the outbox, oldest first, with the headers a person scans. */
export function listOutbox(dir: string): OutboxEntry[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
  } catch {
    return [];
  }
  return files.map((file) => {
    const head = readFileSync(join(dir, file), 'utf8').split('\n\n')[0] ?? '';
    const header = (name: string) =>
      new RegExp(`^${name}:[ \\t]*(.*(?:\\n[ \\t].*)*)`, 'mi')
        .exec(head)?.[1]
        ?.replace(/\n[ \t]/g, ' ')
        .trim() ?? '';
    return {
      file,
      to: header('To'),
      subject: decodeWords(header('Subject')),
      date: header('Date'),
      language: header('Content-Language'),
    };
  });
}

function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

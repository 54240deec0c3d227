/**
 * The document a message carries: the file CTED or the secretariat gave the engine for the step
 * the message tells of (the draft report, the adopted report, the PAO), attached when small and
 * otherwise a signed link to download it; when only a reference was given with the action, the
 * reference. Read from the store when the message is sent, so workflows and notices never change.
 */
import type { Role } from '../src/domain/permissions';
import type { Notice } from '../src/domain/visit';
import type { Recipient } from '../src/domain/vocabulary';
import type { DocumentLinkIssuer } from '../src/infra/links';
import type { MailAttachment } from '../src/infra/mail';
import { DOCUMENT_KIND, type DocumentLine } from '../src/i18n/correspondence';
import type { DocumentKind, Store, StoredDocument } from '../src/infra/store/store';

/** The largest document attached to a message; a bigger one goes as a signed link. */
export const ATTACH_MAX_BYTES = 2 * 1024 * 1024;

export interface DocumentDeps {
  store: Store;
  /** Signs the download links of documents too big to attach; without it such a document is named only. */
  documentLinks?: DocumentLinkIssuer;
  /** The clock links expire from (the issuer's own when not given). */
  now?: () => number;
  /** Attached up to this size (default ATTACH_MAX_BYTES). */
  attachMaxBytes?: number;
  /** The documents already read for this notice: one read however many recipients it has. */
  read?: Map<string, Promise<StoredDocument | undefined>>;
}

/** The document a notice's topic carries: one table, shared with the words that describe it. */
export const DOCUMENT_OF_TOPIC: Readonly<Record<string, DocumentKind>> = DOCUMENT_KIND;

/** The actions whose `documentRef` names a kind of document, when no file was given. */
const REFERENCE_ACTIONS: Readonly<Record<DocumentKind, readonly string[]>> = {
  pao: ['record-pao'],
  draft: ['submit-draft', 'dispatch-draft'],
  report: ['submit-final-draft', 'transmit-report'],
};

/**
 * Who receives documents, with the role their download is recorded under: the State (its focal point and its Mission: its own draft and report) and
 * the Committee's side (members, Chair, secretariat). Never partners: what they may see is the
 * State's consent's to decide, not a message's. CTED wrote the documents.
 */
export const DOCUMENT_RECIPIENTS: Readonly<Partial<Record<Recipient, Role>>> = {
  'state-contact': 'state',
  'permanent-mission': 'state',
  committee: 'committee',
  chair: 'chair',
  secretariat: 'secretariat',
};

/** The reference the latest action of a kind's step recorded (`documentRef`), from the store's events. */
async function referenceOf(store: Store, visitId: string, kind: DocumentKind): Promise<string | undefined> {
  const types = REFERENCE_ACTIONS[kind];
  let found: string | undefined;
  for (const e of await store.events(visitId)) {
    const ref = e.payload?.documentRef;
    if (types.includes(e.type) && typeof ref === 'string' && ref.trim()) found = ref;
  }
  return found;
}

/** The document a notice's step carries, for one recipient: attached when small (<= 2 MB), else a signed link; a reference when only a documentRef was given; nothing when neither. */
export async function documentFor(
  deps: DocumentDeps,
  notice: Notice,
  address: string,
  role: Recipient,
): Promise<{ line?: DocumentLine; attachments: MailAttachment[] }> {
  const kind = DOCUMENT_OF_TOPIC[notice.topic];
  const as = DOCUMENT_RECIPIENTS[role];
  if (!kind || !as) return { attachments: [] };
  const key = `${notice.visit.id}|${kind}`;
  let reading = deps.read?.get(key);
  if (!reading) {
    reading = deps.store.latestDocument(notice.visit.id, kind);
    deps.read?.set(key, reading);
  }
  // A withdrawn file is neither attached nor linked: the step's reference stands in until a new one is given.
  const latest = await reading;
  const doc = latest?.withdrawn ? undefined : latest;
  if (doc && doc.size <= (deps.attachMaxBytes ?? ATTACH_MAX_BYTES)) {
    return {
      line: { mode: 'attached', name: doc.fileName },
      attachments: [{ filename: doc.fileName, content: doc.content, contentType: doc.mediaType }],
    };
  }
  if (doc && deps.documentLinks) {
    const { url, expires } = deps.documentLinks.forDocument(doc.id, address, as, deps.now?.());
    return { line: { mode: 'link', name: doc.fileName, url, expires }, attachments: [] };
  }
  const reference = (await referenceOf(deps.store, notice.visit.id, kind)) ?? doc?.fileName;
  return reference ? { line: { mode: 'reference', reference }, attachments: [] } : { attachments: [] };
}

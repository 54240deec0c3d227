/**
 * Confidential payloads: every payload the engine hands Temporal (workflow inputs, updates,
 * signals, query results, activity inputs and results) is sealed with AES-256-GCM before it
 * leaves the process, so the history holds no clear text. The first key encrypts; every key
 * decrypts (rotation). Payloads without the encrypted encoding pass through unchanged, so
 * histories written before encryption still replay. Codecs run outside the workflow sandbox.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

export class AesGcmCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Uint8Array>;

  constructor(private readonly keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new Error('the payload codec needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`codec key ${k.id}: expected 32 bytes, got ${k.key.length}`);
    }
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.seal(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.open(p));
  }

  private seal(payload: Payload): Payload {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is bound to the ciphertext: relabelling a payload with another key id fails.
    cipher.setAAD(Buffer.from(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
      data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
    };
  }

  private open(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    const key = id === undefined ? undefined : this.byId.get(id);
    if (!key) {
      throw new Error(
        `cannot decrypt a payload sealed with key id ${JSON.stringify(id ?? '(none)')}: ` +
          `FOLLOWUP_CODEC_KEYS holds ${[...this.byId.keys()].join(', ')}; add the old key (after the new one) to read it`,
      );
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload (key ${id}) is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id!));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch (e) {
      throw new Error(`encrypted payload (key ${id}) failed authentication: altered, or sealed with another key`, {
        cause: e,
      });
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** A payload as the codec-server protocol carries it in JSON: metadata values and data in base64. */
export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/** The codec on JSON payloads, as the Temporal UI and CLI send them to a codec server. */
export function jsonCodec(codec: PayloadCodec) {
  return {
    encode: async (ps: JsonPayload[]) => (await codec.encode(ps.map(fromJson))).map(toJson),
    decode: async (ps: JsonPayload[]) => (await codec.decode(ps.map(fromJson))).map(toJson),
  };
}

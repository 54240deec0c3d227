/**
 * What protects the engine's traffic with Temporal, from the configuration: TLS (or mTLS) to a
 * remote server, and the payload codec that keeps history confidential.
 */
import type { TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { readFileSync } from 'node:fs';
import type { Config } from '../../config';
import { AesGcmCodec, type CodecKey } from './codec';

type TlsSettings = Pick<
  Config,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA'
>;

function pem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`${variable}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** The connections' `tls` option: undefined (plain) unless TEMPORAL_TLS or a TEMPORAL_TLS_* file is set. */
export function temporalTls(c: TlsSettings): TLSConfig | undefined {
  if (!c.TEMPORAL_ADDRESS) return undefined; // the embedded dev server speaks plain gRPC on loopback
  const files = c.TEMPORAL_TLS_CERT || c.TEMPORAL_TLS_KEY || c.TEMPORAL_TLS_CA;
  if (!c.TEMPORAL_TLS && !files) return undefined;
  return {
    ...(c.TEMPORAL_TLS_CA ? { serverRootCACertificate: pem('TEMPORAL_TLS_CA', c.TEMPORAL_TLS_CA) } : {}),
    ...(c.TEMPORAL_TLS_CERT && c.TEMPORAL_TLS_KEY
      ? {
          clientCertPair: {
            crt: pem('TEMPORAL_TLS_CERT', c.TEMPORAL_TLS_CERT),
            key: pem('TEMPORAL_TLS_KEY', c.TEMPORAL_TLS_KEY),
          },
        }
      : {}),
  };
}

/** The codec FOLLOWUP_CODEC_KEYS configures, if any. */
export function payloadCodec(c: { FOLLOWUP_CODEC_KEYS?: readonly CodecKey[] | undefined }): AesGcmCodec | undefined {
  return c.FOLLOWUP_CODEC_KEYS ? new AesGcmCodec(c.FOLLOWUP_CODEC_KEYS) : undefined;
}

/** The data converter for clients and workers: the default one, plus the codec when configured. */
export function dataConverter(codec: AesGcmCodec | undefined): DataConverter | undefined {
  return codec ? { payloadCodecs: [codec] } : undefined;
}

/** Both, as `connectWorker` / `connectClient` / `createVisitWorker` take them. */
export function temporalSecurity(c: Config) {
  const codec = payloadCodec(c);
  return { tls: temporalTls(c), codec, dataConverter: dataConverter(codec) };
}
export type TemporalSecurity = ReturnType<typeof temporalSecurity>;

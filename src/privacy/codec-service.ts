import type { Payload } from '@temporalio/common';
import type { Services } from '../services';
import { dataConverterFor } from '../temporal/data-converter';
import { openDeep } from './personal-fields';

/** A payload as Temporal's codec server protocol writes it: metadata values and data in base64. */
export interface WirePayload { metadata?: Record<string, string>; data?: string }

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The API's codec chain, for the Web UI and the CLI (`--codec-endpoint`). */
export function createCodecService(services: Services) {
  const codecs = dataConverterFor(services.config.auth, services.logger).payloadCodecs ?? [];
  return {
    async encode(payloads: WirePayload[]): Promise<WirePayload[]> {
      let current = payloads.map(fromWire);
      for (const codec of codecs) current = await codec.encode(current);
      return current.map(toWire);
    },
    /** Decodes, then opens the personal fields sealed under candidates' keys (null once erased). */
    async decode(payloads: WirePayload[]): Promise<WirePayload[]> {
      let current = payloads.map(fromWire);
      for (const codec of [...codecs].reverse()) current = await codec.decode(current);
      const em = services.orm.em.fork();
      const opened = await Promise.all(current.map(async (payload) => {
        if (Buffer.from(payload.metadata?.encoding ?? []).toString('utf8') !== 'json/plain') return payload;
        let value: unknown;
        try {
          value = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
        } catch {
          return payload;
        }
        return { ...payload, data: new Uint8Array(Buffer.from(JSON.stringify(await openDeep(em, services.config.auth.payloadKeys, value)))) };
      }));
      return opened.map(toWire);
    },
  };
}

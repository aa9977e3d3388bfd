import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { Payload } from '@temporalio/common';
import type { User } from '../db/entities/user.entity';
import { parseApplicationId } from '../domain/ids';
import { accessTo, READERS } from '../applications/application-access';
import type { Services } from '../services';
import { codecServerCodecs } from '../temporal/data-converter';
import { dataKeyOf } from '../crypto/candidate-keys';
import { candidateOf, isSealed, open } from '../crypto/personal-fields';

/** A payload as Temporal's codec server protocol writes it: metadata values and data in base64. */
export interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const utf8 = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('utf8');

/**
 * The API's codec server, for the Web UI and the CLI (`--codec-endpoint`): a window, never a key.
 * It encrypts without signing, so nothing it encodes is trusted by a workflow; and it opens a
 * payload only for a caller who may read every application the payload names.
 */
export function createCodecService(services: Services) {
  const { encryption, signatures } = codecServerCodecs(services.config.auth, services.logger);
  const { payloadKeys } = services.config.auth;

  /** The payload decoded and opened for `reader`, or null when it stays as it came in. */
  async function openFor(payload: Payload, reader: Reader): Promise<Payload | null> {
    // Only what the API or a worker signed opens: a payload encoded here, or forged, never does.
    if (signatures.refusalOf(payload)) return null;
    const [decoded] = await encryption.decode(await signatures.decode([payload]));
    let value: unknown;
    try {
      value = utf8(decoded.metadata?.encoding) === 'json/plain' ? JSON.parse(utf8(decoded.data)) : undefined;
    } catch {
      value = undefined;
    }
    if (value === undefined) return reader.admin ? decoded : null;
    const candidates = await reader.candidatesOf(applicationIdsIn(value));
    if (!candidates) return null;
    const keys = new Map<number, Promise<Buffer | null>>();
    const keyOf = (id: number) => keys.get(id) ?? keys.set(id, dataKeyOf(reader.em, payloadKeys, id)).get(id)!;
    const opened = await mapSealed(value, async (sealed) => {
      const candidateId = candidateOf(sealed)!;
      // A sealed field of a candidate the payload's applications do not belong to stays sealed.
      return candidates === 'all' || candidates.has(candidateId) ? open(await keyOf(candidateId), sealed) : sealed;
    });
    return { ...decoded, data: new Uint8Array(Buffer.from(JSON.stringify(opened))) };
  }

  return {
    /** Encrypts for the Web UI's signals, updates and starts; unsigned, so workflows refuse them. */
    async encode(payloads: WirePayload[]): Promise<WirePayload[]> {
      return (await encryption.encode(payloads.map(fromWire))).map(toWire);
    },
    /**
     * Each payload decoded with its candidates' personal fields opened (null once erased) when
     * `user` may read it; otherwise exactly as it came in. Team membership is read on every call.
     */
    async decode(payloads: WirePayload[], user: User): Promise<WirePayload[]> {
      const reader = readerOf(services.orm.em.fork(), user);
      return Promise.all(
        payloads.map(async (wire) => {
          const opened = await openFor(fromWire(wire), reader);
          return opened ? toWire(opened) : wire;
        }),
      );
    },
  };
}

interface Reader {
  em: EntityManager;
  admin: boolean;
  /**
   * The candidates of the named applications when the reader may read all of them ('all' for an
   * admin); null when any is not theirs, or when nothing is named and the reader is not an admin.
   */
  candidatesOf(applicationIds: Set<string>): Promise<Set<number> | 'all' | null>;
}

/**
 * As the applications routes decide who reads an application (application-access.ts): admins all,
 * staff by their team role on its job (an `interviewer` only the applications they interview).
 */
function readerOf(em: EntityManager, user: User): Reader {
  const admin = user.role === 'admin';
  const mayRead = async (id: string) => {
    const access = await accessTo(em, user, id);
    return access !== null && access !== 'owner' && READERS.includes(access);
  };
  return {
    em,
    admin,
    async candidatesOf(applicationIds) {
      if (admin) return 'all';
      if (!applicationIds.size || user.role === 'candidate') return null;
      const candidates = new Set<number>();
      for (const id of applicationIds) {
        const owner = parseApplicationId(id);
        if (!owner || !(await mayRead(id))) return null;
        candidates.add(Number(owner.candidateId));
      }
      return candidates;
    },
  };
}

/** Every `applicationId` string anywhere in a value (inputs, requests, answers, state, activity inputs). */
function applicationIdsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => applicationIdsIn(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'applicationId' && typeof v === 'string') found.add(v);
      else applicationIdsIn(v, found);
    }
  }
  return found;
}

async function mapSealed(value: unknown, fn: (sealed: string) => Promise<string | null>): Promise<unknown> {
  if (isSealed(value)) return fn(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => mapSealed(v, fn)));
  if (value && typeof value === 'object') {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await mapSealed(v, fn)] as const)));
  }
  return value;
}

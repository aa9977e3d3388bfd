import fs from 'node:fs';
import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { Type } from 'protobufjs';

/**
 * Reads a history exported as JSON (`temporal workflow show --output json`).
 *
 * The SDK's own `historyFromJSON` cannot do it in this install: npm gives @temporalio/proto,
 * /common and /worker a private protobufjs 8 each (the top level holds gRPC's protobufjs 7), and the
 * JSON reader of one copy refuses the message types built by another ("type must be a Type"). So
 * read with the JSON reader of the copy that built the types.
 */
type ProtoJson = {
  fromJson(type: Type, json: unknown, options?: { ignoreUnknownFields?: boolean }): proto.temporal.api.history.v1.History;
};

const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
const protojson: ProtoJson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] }));
const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): Type };
const historyType = root.lookupType('temporal.api.history.v1.History');

export function loadHistory(file: string): proto.temporal.api.history.v1.History {
  return protojson.fromJson(historyType, JSON.parse(fs.readFileSync(file, 'utf8')), { ignoreUnknownFields: true });
}

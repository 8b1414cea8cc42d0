/**
 * Avro through a Confluent-compatible schema registry: registering a topic's value schema under
 * the TopicNameStrategy (`<topic>-value`) and reading/writing records in the Confluent wire
 * format (byte 0 = 0, bytes 1-4 = schema id big-endian, then the Avro binary body).
 *
 * This layer knows nothing of BMP: it takes an Avro schema and plain records.
 */
import { Agent as HttpsAgent } from 'node:https';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { readSecretFile } from '../runtime/config.js';

export interface RegistrySettings {
  url: string;
  username: string;
  password: string;
  /** File holding the password; overrides `password` when set. */
  passwordFile?: string;
  /** PEM CA file for an https:// registry signed by a private CA. */
  caFile?: string;
  /** Longest a registry request may take before it fails (and the caller retries); default 15 s. */
  requestTimeoutMs?: number;
}

/** Default of RegistrySettings.requestTimeoutMs. */
export const REGISTRY_REQUEST_TIMEOUT_MS = 15_000;

/** The part of a mappersmith request this module touches. */
interface TimedRequest {
  enhance(extras: { timeout: number }): TimedRequest;
}

/**
 * A mappersmith middleware giving every request a timeout. The client library sets none, so a
 * request whose response never completes waits for ever: CI once saw a service hang at start
 * for over ten minutes, its PUT of a subject's compatibility sent on a kept-alive connection
 * and never answered (the registry idle, the request absent from its log). Timed out, the
 * client sends the request again (retryableResponse); once its retries are spent the request
 * fails, and the start-up retry (services/runtime/retry.ts) starts over.
 */
function requestTimeout(ms: number) {
  return () => ({
    prepareRequest: (next: () => Promise<TimedRequest>) => next().then((request) => request.enhance({ timeout: ms })),
  });
}

/** The registry user's password: the file's content when passwordFile is set, else `password`. */
function registryPassword(settings: RegistrySettings): string {
  return settings.passwordFile ? readSecretFile(settings.passwordFile, 'registry.passwordFile') : settings.password;
}

/**
 * The HTTP Basic `authorization` header of the settings' user (no header without a user), for a
 * request to the registry's REST API made without the client (a probe, a subject's deletion).
 */
export function registryAuthHeaders(settings: RegistrySettings): Record<string, string> {
  if (!settings.username) return {};
  return { authorization: `Basic ${Buffer.from(`${settings.username}:${registryPassword(settings)}`).toString('base64')}` };
}

/** What retryableResponse reads of a mappersmith response. */
interface RegistryResponse {
  status(): number;
  error(): Error | null;
}

/**
 * Whether the client sends a request again: on a server error (the client's own rule) and also
 * when no answer came within the request timeout — the registry leaving a request on a kept-alive
 * connection unanswered (see requestTimeout) is transient, and once made a test's setup fail.
 * Every request this project sends may be repeated: registering a schema again answers its id,
 * a compatibility PUT sets the same level, the rest are reads and deletions.
 */
export function retryableResponse(response: RegistryResponse): boolean {
  return response.status() >= 500 || response.error()?.name === 'TimeoutError';
}

export function createRegistry(settings: RegistrySettings): SchemaRegistry {
  const password = registryPassword(settings);
  const agent = settings.caFile && settings.url.startsWith('https:') ? new HttpsAgent({ ca: [readSecretFile(settings.caFile, 'registry.caFile')], keepAlive: true }) : undefined;
  return new SchemaRegistry({
    host: settings.url,
    auth: settings.username ? { username: settings.username, password } : undefined,
    agent,
    retry: { retries: 5, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 5, validateRetry: retryableResponse },
    middlewares: [requestTimeout(settings.requestTimeoutMs ?? REGISTRY_REQUEST_TIMEOUT_MS) as never],
  });
}

/** Subject of a topic's record values under the TopicNameStrategy. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** The client's HTTP resources (private in its typings; the calls used here are in its API module). */
interface RegistryResources {
  api: { Subject: { updateConfig(args: { subject: string; body: { compatibility: string } }): Promise<unknown> } };
}

/**
 * Registers `schema` (an Avro schema object) as the value schema of `topic` and returns its id.
 * The registry refuses it (ConfluentSchemaRegistryError, HTTP 409) when it is not BACKWARD
 * compatible with the subject's latest version.
 *
 * The client registers a new subject in two requests: the schema, then the subject's
 * compatibility. An attempt that ends between them (a timed-out or lost response: CI saw one)
 * leaves a subject without a compatibility of its own, which the registry then reports as its
 * default (NONE), and every later attempt is refused as "BACKWARD != NONE". Such a subject is
 * given BACKWARD, as the first attempt meant to, and registered again. A subject set to another
 * level on purpose (FORWARD, FULL...) is still refused.
 */
export async function registerValueSchema(registry: SchemaRegistry, topic: string, schema: object): Promise<number> {
  const subject = valueSubject(topic);
  const register = async (): Promise<number> =>
    (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD })).id;
  try {
    return await register();
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'ConfluentSchemaRegistryCompatibilityError' || !/!= NONE\)/.test(err.message)) throw err;
    await (registry as unknown as RegistryResources).api.Subject.updateConfig({ subject, body: { compatibility: COMPATIBILITY.BACKWARD } });
    return register();
  }
}

/** Magic byte and schema id of a Confluent wire-format record. */
export function readWireHeader(value: Buffer): { magic: number; schemaId: number } {
  if (value.length < 5) throw new Error(`not a Confluent wire-format record: ${value.length} bytes`);
  return { magic: value[0], schemaId: value.readUInt32BE(1) };
}

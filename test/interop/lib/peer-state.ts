/**
 * The peer-state service (services/peer-state) run in-process beside a scenario's collector, on
 * the scenario's topic prefix with a group, transactional ids and output topics of its own, as a
 * deployment would run it; and the wait until it has processed everything the scenario produced.
 */
import type convict from 'convict';
import { pino } from 'pino';
import { loadConfig } from '../../../services/runtime/config.js';
import { peerStateSchema, type PeerStateConfig } from '../../../services/peer-state/config.js';
import { startPeerState, type RunningPeerState } from '../../../services/peer-state/service.js';
import { STATE_INPUT_TOPICS } from '../../../services/peer-state/state.js';
import type { RouterAnswer, PeerAnswer } from '../../../services/peer-state/queries.js';
import { kafkaSettings, registrySettings } from '../../helpers/stack.js';
import type { Consumed } from './collector.js';
import { waitFor } from './processes.js';

export class ScenarioPeerState {
  private constructor(
    private readonly prefix: string,
    readonly service: RunningPeerState,
  ) {}

  static async start(prefix: string, name: string): Promise<ScenarioPeerState> {
    const group = `${prefix}peer-state-${name}`;
    const config = loadConfig(peerStateSchema as unknown as convict.Schema<PeerStateConfig>, {
      env: {
        BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
        BMP_REGISTRY_URL: registrySettings.url,
        BMP_TOPIC_PREFIX: prefix,
        BMP_TOPIC_PARTITIONS: '1',
        BMP_PEER_STATE_HTTP_HOST: '127.0.0.1',
        BMP_PEER_STATE_HTTP_PORT: '0',
        BMP_PEER_STATE_GROUP_ID: group,
        BMP_PEER_STATE_TRANSACTIONAL_ID_PREFIX: group,
        BMP_PEER_STATE_SESSION_TIMEOUT_MS: '10000',
      },
    }).getProperties();
    const service = await startPeerState(config, pino({ level: process.env.BMP_TEST_LOG_LEVEL ?? 'warn' }));
    return new ScenarioPeerState(prefix, service);
  }

  private async metrics(): Promise<Array<{ name: string; labels: string; value: number }>> {
    const text = await (await fetch(`http://127.0.0.1:${this.service.httpPort}/metrics`)).text();
    const out: Array<{ name: string; labels: string; value: number }> = [];
    for (const line of text.split('\n')) {
      const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (m) out.push({ name: m[1], labels: m[2] ?? '', value: Number(m[3]) });
    }
    return out;
  }

  /**
   * Waits until the service has processed every input record the scenario read back from the
   * topics (`consumed`), published what that produced, and its HTTP view has read all of it:
   * records counted by the service's own metrics (counted on commit, so exactly once each), not
   * by a guess of how long it takes. Returns what the HTTP API then answers.
   */
  async settled(consumed: Consumed, timeoutMs = 60_000): Promise<{ routers: RouterAnswer[]; peers: PeerAnswer[]; inputs: number; outputs: number }> {
    const want = Object.fromEntries(STATE_INPUT_TOPICS.map((t) => [t, (consumed[t] as unknown[]).length]));
    let last = '';
    let inputs = 0;
    let outputs = 0;
    await waitFor(
      () => `peer-state did not catch up: ${last}; wanted ${JSON.stringify(want)}`,
      async () => {
        const ms = await this.metrics();
        const sum = (name: string, labels: RegExp): number => ms.filter((m) => m.name === name && labels.test(m.labels)).reduce((s, m) => s + m.value, 0);
        const got = Object.fromEntries(STATE_INPUT_TOPICS.map((t) => [t, sum('bmp_stream_records_total', new RegExp(`stream="by_router".*topic="${this.prefix.replace(/\./g, '\\.')}${t}"`))]));
        const copied = sum('bmp_stream_outputs_total', /stream="by_router"/);
        const applied = sum('bmp_stream_records_total', /stream="peer_state"/);
        const published = sum('bmp_stream_outputs_total', /stream="peer_state"/);
        const dead = sum('bmp_stream_dead_letters_total', /.*/);
        const viewed = this.service.view.version;
        last = JSON.stringify({ got, copied, applied, published, viewed, dead });
        if (dead > 0) throw new Error(`peer-state sent records to its dead-letter topic: ${last}`);
        const done = STATE_INPUT_TOPICS.every((t) => got[t] === want[t]) && applied === copied && viewed === published && published > 0;
        if (done) {
          inputs = copied;
          outputs = published;
        }
        return done ? true : undefined;
      },
      timeoutMs,
      250,
    );
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`http://127.0.0.1:${this.service.httpPort}${path}`)).json()) as T;
    return { routers: await get<RouterAnswer[]>('/routers'), peers: await get<PeerAnswer[]>('/peers'), inputs, outputs };
  }

  stop(): Promise<void> {
    return this.service.stop();
  }
}

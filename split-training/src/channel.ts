/**
 * One party's end of split training's wire: an MQTT client on its own inbox (`lf/v1/dev/<id>/in`,
 * the gateway's `lf/v1/gw/in`), every message sealed as in inference — COSE_Sign1 inside
 * COSE_Encrypt, to the recipient's key, topic and sequence number inside the signature — and every
 * inbound envelope opened with a replay window. What does not open, decode or fit is refused with
 * a reason and counted (`rejections`), never thrown at the caller.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { EnvelopeError, mqttCredentials, open, ReplayWindow, Rejections, seal, topics, type DeviceKeys } from '@layerfleet/protocol';
import type { KeyDirectory } from './key-directory.js';
import { decodeTrainMessage, encodeTrainMessage, TrainWireError, type TrainMessage } from './wire.js';

export const GATEWAY_ID = 'gateway';

export function inboxOf(id: string): string {
  return id === GATEWAY_ID ? topics.gatewayInbox : topics.deviceInbox(id);
}

export interface ChannelOptions {
  brokerUrl: string;
  keys: DeviceKeys;
  directory: KeyDirectory;
  onMessage(sender: string, message: TrainMessage, bytes: number): void;
  rejections?: Rejections;
  /** Bound on the MQTT connection attempt. */
  connectTimeoutMs?: number;
}

export class Channel {
  private seq = Date.now() * 1000;
  private readonly replay = new ReplayWindow();
  readonly rejections: Rejections;
  bytesSent = 0;
  bytesReceived = 0;

  private constructor(private readonly client: MqttClient, private readonly opts: ChannelOptions) {
    this.rejections = opts.rejections ?? new Rejections();
  }

  static async connect(opts: ChannelOptions): Promise<Channel> {
    const id = opts.keys.id;
    const client = mqtt.connect(opts.brokerUrl, {
      clientId: id, ...mqttCredentials(opts.keys), clean: true, reconnectPeriod: 0,
      connectTimeout: opts.connectTimeoutMs ?? 10_000, protocolVersion: 4,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error(`${id}: the broker at ${opts.brokerUrl} closed the connection before CONNACK`)));
    });
    // activations and gradients are one message per hop per step: send each at once (no Nagle wait for an ACK)
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    const ch = new Channel(client, opts);
    const inbox = inboxOf(id);
    client.on('message', (topic, payload) => ch.receive(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.length)));
    await client.subscribeAsync(inbox, { qos: 0 });
    return ch;
  }

  get id(): string { return this.opts.keys.id; }

  /** Seals `message` to `to` and publishes it; returns the envelope's size in bytes. */
  send(to: string, message: TrainMessage): number {
    const recipient = this.opts.directory.get(to);
    if (!recipient) throw new Error(`${this.id}: no public keys of ${to}`);
    const topic = inboxOf(to);
    const envelope = seal({ sender: this.opts.keys, recipient, topic, seq: ++this.seq, ts: Date.now(), payload: encodeTrainMessage(message) });
    this.bytesSent += envelope.length;
    this.client.publish(topic, Buffer.from(envelope.buffer, envelope.byteOffset, envelope.length), { qos: 0 });
    return envelope.length;
  }

  private receive(topic: string, data: Uint8Array): void {
    this.bytesReceived += data.length;
    let sender: string;
    let body: Uint8Array;
    try {
      const opened = open(data, {
        recipient: this.opts.keys, topic, replay: this.replay,
        senderKey: (kid) => this.opts.directory.get(kid)?.signPublic,
      });
      sender = opened.sender;
      body = opened.payload;
    } catch (err) {
      if (err instanceof EnvelopeError) return this.rejections.count(err.reason, err.message);
      return this.rejections.count('internal', (err as Error).message);
    }
    let message: TrainMessage;
    try {
      message = decodeTrainMessage(body);
    } catch (err) {
      if (err instanceof TrainWireError) return this.rejections.count(err.reason, `from ${sender}: ${err.message}`);
      return this.rejections.count('internal', (err as Error).message);
    }
    this.opts.onMessage(sender, message, data.length);
  }

  async close(): Promise<void> {
    await this.client.endAsync(false).catch(() => undefined);
  }
}

/**
 * MQTT over WebSocket (ws:// or wss://, path /mqtt), the way browser dashboards and MQTT
 * Explorer connect. Each WebSocket becomes a byte stream for the broker; ws's own `maxPayload`
 * refuses a frame over the packet limit from its header, before buffering any of it.
 */
import http from 'node:http';
import https from 'node:https';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Rejections } from '@layerfleet/protocol';
import { MAX_MQTT_PACKET_BYTES } from '../packet-size-guard.js';
import type { Admit } from './admit.js';
import { listen, type Listener } from './listen.js';
import { countTlsFailures, tlsServerOptions, type TlsIdentity } from './tls-listener.js';

export const WS_PATH = '/mqtt';
/** How long a client may take to send its whole upgrade request. */
export const UPGRADE_TIMEOUT_MS = 10_000;
/** The largest whole MQTT packet: its fixed header (at most 5 bytes) and the largest body the guard lets through. */
export const MAX_WS_MESSAGE_BYTES = MAX_MQTT_PACKET_BYTES + 5;

export interface WebSocketListener extends Listener {
  secure: boolean;
}

export async function listenWebSocket(opts: {
  port: number; host: string; admit: Admit; rejections: Rejections; maxConnections?: number;
  /** over https with this certificate; plain http without it */
  identity?: TlsIdentity;
  maxMessageBytes?: number;
}): Promise<WebSocketListener> {
  // Anything but the upgrade is answered at once, so a browser pointed at the port learns why.
  const refuse = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end(`MQTT over WebSocket: connect to ${WS_PATH}\n`);
  };
  const server = opts.identity ? https.createServer(tlsServerOptions(opts.identity), refuse) : http.createServer(refuse);
  // Node waits 60 s for request headers: a client dribbling its upgrade request would hold a
  // socket that long before it reaches the broker's own bound on connections waiting to authenticate.
  server.headersTimeout = UPGRADE_TIMEOUT_MS;
  server.requestTimeout = UPGRADE_TIMEOUT_MS;
  if (server instanceof https.Server) countTlsFailures(server, opts.rejections, 'wss');
  const maxPayload = opts.maxMessageBytes ?? MAX_WS_MESSAGE_BYTES;
  const wss = new WebSocketServer({ server, path: WS_PATH, maxPayload });
  wss.on('connection', (ws, req) => {
    const remote = req.socket.remoteAddress ?? 'a client';
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        opts.rejections.count('oversize-packet', `${remote}: a WebSocket message over the ${maxPayload}-byte limit; connection closed`);
      }
    });
    opts.admit(createWebSocketStream(ws), remote);
  });
  const listener = await listen(server, opts.port, opts.host, opts.identity ? 'MQTT over secure WebSocket' : 'MQTT over WebSocket', opts);
  return {
    port: listener.port,
    secure: opts.identity !== undefined,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await listener.close();
    },
  };
}

// The one HTTP surface an outsider reaches, with CI's budget: the properties themselves are in
// hostile-http.properties.ts (`npm run fuzz` runs them with more). After all of them, against the
// same gateway, a dashboard still gets in and no client got in by garbage.
import test from 'ava';
import mqtt from 'mqtt';
import { DASHBOARD_USERNAME, topics } from '@layerfleet/protocol';
import { dashboardSecret } from '@layerfleet/gateway';
import { checkAsInCi } from '@layerfleet/test-support';
import { dashboardListener, framesAfterUpgradeRefused, rawBytesGetAnErrorOrClose, structuredRequestsGetAnErrorOrClose } from './hostile-http.properties.js';

test('hostile HTTP and WebSocket input to the dashboard listener: an error or a closed socket, and the broker serves on', async (t) => {
  t.timeout(240_000);
  const listener = await dashboardListener.start();
  t.teardown(() => dashboardListener.stop(listener));
  const answers = await checkAsInCi(structuredRequestsGetAnErrorOrClose, listener);
  await checkAsInCi(rawBytesGetAnErrorOrClose, listener);
  await checkAsInCi(framesAfterUpgradeRefused, listener);

  t.log(`answers to structured requests: ${JSON.stringify(Object.fromEntries(answers))}`);
  t.true((answers.get('426') ?? 0) + (answers.get('400') ?? 0) > 0, 'plain requests are told what to do');
  // After all that, a dashboard connects over WebSocket and reads telemetry; no client got in by garbage.
  const { gateway, stateDir } = listener;
  const dash = await mqtt.connectAsync(gateway.urls.ws!, { clientId: 'dash-after', username: DASHBOARD_USERNAME, password: dashboardSecret(stateDir), reconnectPeriod: 0 });
  const stats = await new Promise<Record<string, unknown>>((resolve) => {
    dash.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString()) as Record<string, unknown>));
    void dash.subscribeAsync(topics.gatewayStats);
  });
  await dash.endAsync();
  t.is(typeof stats.devicesOnline, 'number');
  t.is(gateway.registry.online().length, 0, 'no device was registered by hostile input');
});

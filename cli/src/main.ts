/** `layerfleet <command>`: the user's entry point. Each command lives in its own module, loaded on demand. */
const commands: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number | void> }> }> = {
  demo: { summary: 'gateway + agents + a source on this machine, real inferences', load: () => import('./cmd-demo.js') },
  gateway: { summary: 'run a gateway (broker, registry, planner), enrolled devices only unless --access open; --tls-port, --ws-port [--ws-tls] add mqtts and WebSocket listeners', load: () => import('./cmd-gateway.js') },
  agent: { summary: 'run a device agent (worker or source); --ca FILE to verify an mqtts:// or wss:// broker', load: () => import('./cmd-agent.js') },
  plan: { summary: 'place one request given as a JSON instance (DESIGN.md)', load: () => import('./cmd-plan.js') },
  sim: { summary: "simulate the paper's scenario: fleet, Poisson requests, churn, a strategy", load: () => import('./cmd-sim.js') },
  'train-split': { summary: 'split training: fronts on edge processes (their digits stay there), back layers at a trainer, activations/gradients in COSE envelopes', load: () => import('./cmd-train-split.js') },
  'train-rl': { summary: 'train the rl-pdnn policy in the simulator (Table 1 hyper-parameters)', load: () => import('./cmd-train-rl.js') },
  reproduce: { summary: 'run the rl-pdnn experiments; write docs/reproduction.md and SVG charts (--quick for CI)', load: () => import('./cmd-reproduce.js') },
  board: { summary: 'boards alone: emulate (host|qemu), info --port, build the firmware', load: () => import('./cmd-board.js') },
  flash: { summary: 'provision model layers to a board (--port), or write its firmware (--firmware)', load: () => import('./cmd-flash.js') },
  enroll: { summary: 'issue a one-time enrolment token for a device id (--boards N: a board host vouching for N boards)', load: () => import('./cmd-enroll.js') },
  ledger: { summary: 'check the audit ledger of a state directory: chain, signatures, torn or altered records (verify --state DIR)', load: () => import('./cmd-ledger.js') },
  certs: { summary: 'TLS certificates for a new install: a fleet CA and the gateway certificate (init --state DIR [--host NAME,...])', load: () => import('./cmd-certs.js') },
  devices: { summary: 'enrolled devices: list, revoke ID', load: () => import('./cmd-devices.js') },
  keys: { summary: "device keys: rotate --id ID (a stopped device's; a running agent rotates on SIGHUP)", load: () => import('./cmd-keys.js') },
  status: { summary: 'the fleet on one screen: devices, routes, load, rejections (--gateway URL [--json])', load: () => import('./cmd-status.js') },
  'ha-bridge': { summary: 'Home Assistant MQTT discovery for the fleet into your broker (--gateway URL --to mqtt://HA_BROKER)', load: () => import('./cmd-ha-bridge.js') },
  bench: { summary: 'benchmarks against named peers: envelope, kernels, planner, boards, ledger, e2e (layerfleet vs a bare pipeline, Aedes vs Mosquitto)', load: () => import('./cmd-bench.js') },
};

export async function main(argv: string[]): Promise<number | void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log('usage: layerfleet <command> [flags]\n');
    for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(12)} ${c.summary}`);
    console.log('\nlayerfleet <command> --help: what a command does and every flag it takes, with defaults and units');
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) throw new Error(`unknown command ${JSON.stringify(name)}; try: ${Object.keys(commands).join(', ')} (layerfleet --help says what each does)`);
  return (await command.load()).run(rest);
}

// The server side of load-bench.mjs, in its own process so its peak RSS is the server's alone. Reads one JSON
// line of options from argv[2] ({ statePath, config }), prints {"url"} once listening, then {"report",
// "peakRssMiB"} after the round, and exits.
import { tf } from '@localbp/core';
import { startFederationServer } from '@localbp/federation/node';

tf.enableProdMode();
const { statePath, config } = JSON.parse(process.argv[2]);
const server = await startFederationServer({ statePath, config, log: () => {}, lingerMs: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const [report] = await server.coordinator.finished;
process.stdout.write(`${JSON.stringify({ report, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
await server.close();

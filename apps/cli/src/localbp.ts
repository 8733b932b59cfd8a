import { Command, CommanderError } from '@commander-js/extra-typings';
import { exitCodeFor, isUserError } from './cli-errors';
import { experimentCommand } from './commands/experiment-command';
import { dashboardCommand } from './commands/dashboard-command';
import { evalCommand } from './commands/eval-command';
import { exportCommand } from './commands/export-command';
import { predictCommand } from './commands/predict-command';
import { federateCommand } from './commands/federate-command';
import { flowerCommand } from './commands/flower-command';
import { trainCommand } from './commands/train-command';
import { version } from '../package.json';

const program = new Command('localbp')
  .description('Local Back-Propagation: train layer-local networks with TensorFlow.js')
  .version(version)
  .showHelpAfterError('(run with --help for usage)')
  // One prefix for commander's usage errors and ours, so users see where a message comes from.
  .configureOutput({ outputError: (str, write) => write(`localbp: ${str}`) })
  .exitOverride();

// addCommand (unlike .command) does not inherit settings: copy exitOverride, output and help-after-error.
program.addCommand(trainCommand().copyInheritedSettings(program));
program.addCommand(experimentCommand().copyInheritedSettings(program));
program.addCommand(dashboardCommand().copyInheritedSettings(program));
program.addCommand(evalCommand().copyInheritedSettings(program));
program.addCommand(exportCommand().copyInheritedSettings(program));
program.addCommand(predictCommand().copyInheritedSettings(program));
const federate = federateCommand().copyInheritedSettings(program);
for (const sub of federate.commands) sub.copyInheritedSettings(program);
program.addCommand(federate);
const flower = flowerCommand().copyInheritedSettings(program);
for (const sub of flower.commands) sub.copyInheritedSettings(program);
program.addCommand(flower);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not errors; usage errors (and `localbp` with no command,
    // which prints the help to stderr) exit 2 as documented.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (isUserError(err)) {
    process.stderr.write(`localbp: error: ${err.message}\n`);
    process.exitCode = exitCodeFor(err);
  } else {
    process.stderr.write(`localbp: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}

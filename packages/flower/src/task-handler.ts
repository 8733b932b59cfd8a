import { FLEET_API } from './fleet-api-version';
import type { RecordSetInput, TaskIns } from './fleet-messages';
import type { NumPyClient } from './numpy-client';
import { configsRecord, okStatus, parametersRecord, readConfig, readParameters, RecordSetError } from './record-set';

/** A task's outcome: a RecordSet reply, an error Flower shows the ServerApp, or the legacy "disconnect". */
export type TaskOutcome = { kind: 'reply'; recordset: RecordSetInput } | { kind: 'error'; reason: string } | { kind: 'reconnect' };

const empty = (): RecordSetInput => ({ parameters: {}, metrics: {}, configs: {} });

/** Answers one TaskIns the way Flower's NumPyClient message handler does (flwr.client.message_handler, 1.10). */
export async function handleTask(client: NumPyClient, ins: TaskIns): Promise<TaskOutcome> {
  const type = ins.task.task_type;
  const t = FLEET_API.taskTypes;
  if (type === t.reconnect) return { kind: 'reconnect' };
  const recordset = ins.task.recordset;
  if (!recordset) return { kind: 'error', reason: `task ${ins.task_id} (${type}) carries no RecordSet` };
  try {
    if (type === t.getParameters) {
      const arrays = await client.getParameters(readConfig(recordset, 'getparametersins.config'));
      const out = empty();
      out.parameters['getparametersres.parameters'] = parametersRecord(arrays);
      out.configs['getparametersres.status'] = okStatus();
      return { kind: 'reply', recordset: out };
    }
    if (type === t.fit || type === t.fitLegacy) {
      const res = await client.fit(readParameters(recordset, 'fitins.parameters'), readConfig(recordset, 'fitins.config'));
      const out = empty();
      out.parameters['fitres.parameters'] = parametersRecord(res.parameters);
      out.metrics['fitres.num_examples'] = { data: { num_examples: { sint64: String(res.numExamples) } } };
      out.configs['fitres.metrics'] = configsRecord(res.metrics);
      out.configs['fitres.status'] = okStatus();
      return { kind: 'reply', recordset: out };
    }
    if (type === t.evaluate) {
      const res = await client.evaluate(readParameters(recordset, 'evaluateins.parameters'), readConfig(recordset, 'evaluateins.config'));
      const out = empty();
      out.metrics['evaluateres.loss'] = { data: { loss: { double: res.loss } } };
      out.metrics['evaluateres.num_examples'] = { data: { num_examples: { sint64: String(res.numExamples) } } };
      out.configs['evaluateres.metrics'] = configsRecord(res.metrics);
      out.configs['evaluateres.status'] = okStatus();
      return { kind: 'reply', recordset: out };
    }
  } catch (err) {
    const what = err instanceof RecordSetError ? 'bad task content' : 'client error';
    return { kind: 'error', reason: `${what} in ${type}: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { kind: 'error', reason: `unsupported task type "${type}" (this node answers ${t.getParameters}, ${t.fit}, ${t.evaluate})` };
}

import { describe, expect, it } from 'vitest';
import type { TaskIns } from './fleet-messages';
import { encodeNpy } from './npy-codec';
import type { NumPyClient } from './numpy-client';
import { handleTask } from './task-handler';

const client: NumPyClient = {
  getParameters: async () => [{ shape: [2], values: Float32Array.from([1, 2]) }],
  fit: async (p, config) => ({ parameters: p, numExamples: 7, metrics: { seen: Number(config.local_epochs) } }),
  evaluate: async () => ({ loss: 0.5, numExamples: 3, metrics: { accuracy: 0.25 } }),
};

function ins(task_type: string, recordset: TaskIns['task']['recordset']): TaskIns {
  return { task_id: 't1', group_id: '1', run_id: '42', task: { created_at: 1.8e9, delivered_at: '', pushed_at: 0, ttl: 60, ancestry: [], task_type, recordset } };
}
const params = { data_keys: ['0'], data_values: [{ dtype: '', shape: [], stype: 'numpy.ndarray', data: encodeNpy({ shape: [2], values: Float32Array.from([3, 4]) }) }] };

describe('handleTask', () => {
  it('answers fit with Flower’s fitres records', async () => {
    const out = await handleTask(client, ins('train', { parameters: { 'fitins.parameters': params }, metrics: {}, configs: { 'fitins.config': { data: { local_epochs: { sint64: '2' } } } } }));
    expect(out.kind).toBe('reply');
    if (out.kind !== 'reply') return;
    expect(out.recordset.metrics['fitres.num_examples']).toEqual({ data: { num_examples: { sint64: '7' } } });
    expect(out.recordset.configs['fitres.metrics']).toEqual({ data: { seen: { sint64: '2' } } });
    expect(out.recordset.configs['fitres.status']!.data.code).toEqual({ sint64: '0' });
    expect(out.recordset.parameters['fitres.parameters']!.data_values[0]!.data).toEqual(params.data_values[0]!.data);
  });

  it('turns an unknown task type, a missing record and a client failure into error results', async () => {
    expect(await handleTask(client, ins('get_properties', { parameters: {}, metrics: {}, configs: {} }))).toEqual({ kind: 'error', reason: expect.stringMatching(/unsupported task type "get_properties"/) });
    expect(await handleTask(client, ins('evaluate', { parameters: {}, metrics: {}, configs: {} }))).toEqual({ kind: 'error', reason: expect.stringMatching(/no parameters record "evaluateins.parameters"/) });
    expect(await handleTask(client, ins('evaluate', null))).toEqual({ kind: 'error', reason: expect.stringMatching(/carries no RecordSet/) });
    const failing = { ...client, evaluate: async () => Promise.reject(new Error('boom')) };
    expect(await handleTask(failing, ins('evaluate', { parameters: { 'evaluateins.parameters': params }, metrics: {}, configs: {} }))).toEqual({ kind: 'error', reason: 'client error in evaluate: boom' });
    expect(await handleTask(client, ins('reconnect', null))).toEqual({ kind: 'reconnect' });
  });
});

import type { MessagePort } from 'node:worker_threads';

/**
 * One direction-agnostic connection between neighbouring stages (or a stage and the coordinator).
 * Messages arrive in the order they were posted. Today a `MessagePort` between worker threads; the
 * same contract fits a socket between machines.
 */
export interface StageLink<In, Out> {
  post(message: Out, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: In) => void): void;
  close(): void;
}

/** A link over a worker-thread `MessagePort`; transferred buffers move without a copy. */
export function messagePortLink<In, Out>(port: MessagePort): StageLink<In, Out> {
  return {
    post: (message, transfer) => port.postMessage(message, transfer ?? []),
    onMessage: (handler) => {
      port.on('message', (message: In) => handler(message));
    },
    close: () => port.close(),
  };
}

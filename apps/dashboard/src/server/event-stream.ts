import type { RunStore, StoreCursor } from '@localbp/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangesMessage, RunsMessage } from '../api-types';
import { summarizeRuns } from './run-summary';

/** `metric-artifact-event` row ids: the SSE event id, so a reconnecting browser resumes where it stopped. */
export function formatCursor(cursor: StoreCursor): string {
  return `${cursor.metric}-${cursor.artifact}-${cursor.event}`;
}

export function parseCursor(text: string | undefined | null): StoreCursor | null {
  const match = /^(\d{1,15})-(\d{1,15})-(\d{1,15})$/.exec(text?.trim() ?? '');
  if (!match) return null;
  return { metric: Number(match[1]), artifact: Number(match[2]), event: Number(match[3]) };
}

export interface EventStreamOptions {
  /** How often the store is polled for rows written by training processes. */
  pollMs: number;
}

/**
 * One multiplexed stream per browser tab: new metrics, artifacts and events of every run (`changes`,
 * with the cursor as event id) and the runs table whenever it changes (`runs`). Browsers resend the
 * last id on reconnect (`Last-Event-ID`), so nothing written meanwhile is missed.
 */
export async function serveEventStream(store: RunStore, req: IncomingMessage, res: ServerResponse, options: EventStreamOptions): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const header = req.headers['last-event-id'];
  let cursor = parseCursor(Array.isArray(header) ? header[0] : header) ?? parseCursor(query.get('since')) ?? (await store.cursor());
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: 1000\nid: ${formatCursor(cursor)}\nevent: hello\ndata: ${JSON.stringify({ cursor })}\n\n`);
  let closed = false;
  let lastRuns = '';
  let lastWrite = Date.now();
  req.on('close', () => {
    closed = true;
  });
  const send = (event: string, data: unknown, id?: string): void => {
    res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    lastWrite = Date.now();
  };
  let runsCheckedAt = 0;
  let sawChanges = true;
  while (!closed) {
    try {
      // The runs table (statuses, durations, accuracies) is rebuilt when rows arrived, else every 2 s for
      // status changes only time reveals (a silent writer turning `interrupted`).
      if (sawChanges || Date.now() - runsCheckedAt >= 2000) {
        runsCheckedAt = Date.now();
        const runs = JSON.stringify({ runs: await summarizeRuns(store) } satisfies RunsMessage);
        if (runs !== lastRuns) {
          lastRuns = runs;
          res.write(`event: runs\ndata: ${runs}\n\n`);
          lastWrite = Date.now();
        }
      }
      sawChanges = false;
      let more = true;
      while (more && !closed) {
        const changes = await store.changesSince(cursor);
        more = changes.more;
        if (changes.metrics.length || changes.artifacts.length || changes.events.length) {
          sawChanges = true;
          cursor = changes.cursor;
          const message: ChangesMessage = { metrics: changes.metrics, artifacts: changes.artifacts, events: changes.events };
          send('changes', message, formatCursor(cursor));
        }
      }
      // A comment now and then keeps proxies from closing an idle stream.
      if (Date.now() - lastWrite > 15_000) {
        res.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
    } catch (err) {
      if (closed) break;
      send('failure', { message: err instanceof Error ? err.message : String(err) });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  res.end();
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { FederationError } from '../protocol/federation-error';
import { FRAME_CONTENT_TYPE } from '../protocol/frame';

/** How much of an oversized body is read (and discarded) so the client still receives the 413. */
const DRAIN_FACTOR = 4;

/**
 * Reads a request body up to `limit` bytes. A larger body is drained (up to a few times the limit,
 * so the sender can read the 413 instead of a reset) and refused with `body-too-large`. `onFirstChunk` runs once
 * part of the body is in (test hooks stop or cut the upload there).
 */
export function readBody(req: IncomingMessage, limit: number, onFirstChunk?: (req: IncomingMessage) => void): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge = (size: number) =>
      new FederationError('body-too-large', `request body of ${size} bytes exceeds this server's limit of ${limit} bytes`);
    if (Number.isFinite(declared) && declared > limit * DRAIN_FACTOR) {
      reject(tooLarge(declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size === 0) onFirstChunk?.(req);
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) {
        req.destroy();
        reject(tooLarge(size));
      }
    });
    req.on('end', () => {
      if (size > limit) reject(tooLarge(size));
      else resolve(new Uint8Array(Buffer.concat(chunks, size)));
    });
    req.on('error', (err) => reject(new FederationError('bad-request', `request body could not be read: ${err.message}`)));
    // A connection cut mid-body may end without 'error': the read must still settle.
    req.on('close', () => {
      if (!req.complete) reject(new FederationError('bad-request', 'the connection closed before the whole body arrived'));
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendFrame(res: ServerResponse, bytes: Uint8Array): void {
  res.writeHead(200, { 'content-type': FRAME_CONTENT_TYPE, 'content-length': bytes.length, 'cache-control': 'no-store' });
  res.end(bytes);
}

export function sendError(res: ServerResponse, error: FederationError, retryAfterMs?: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (retryAfterMs !== undefined) res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  if (error.code === 'body-too-large') res.setHeader('connection', 'close');
  sendJson(res, error.status, { error: { code: error.code, message: error.message } });
}

/** Parses a JSON body; an empty body reads as `{}`. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new FederationError('bad-request', `body is not UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

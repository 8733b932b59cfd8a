/**
 * Lets other tasks run (signal handlers, HTTP heartbeats, a page's rendering): tfjs on wasm/cpu never
 * yields by itself. Node's setImmediate avoids setTimeout's ≥1 ms clamp; browsers have no setImmediate.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

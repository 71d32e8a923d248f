// The single entry point for every request from a renderer, whichever host carried it
// (Electron IPC or the web host's WebSocket). It validates the channel and the payload,
// calls the handler, and always returns a Result: nothing thrown ever crosses the edge.
import { REQUEST_SCHEMAS, isChannel, type Channel, type EventMap, type RequestMap, type ResponseMap } from '../../src-shared/ipc/contract';
import { fail, ok, toAppError, type Result } from '../../src-shared/ipc/result';

/** Per-request context: how to push events back to the renderer that asked. */
export interface RequestContext {
  emit<E extends keyof EventMap>(event: E, payload: EventMap[E]): void;
}

export type Handlers = { [C in Channel]: (request: RequestMap[C], ctx: RequestContext) => Promise<ResponseMap[C]> };

export type Dispatch = (channel: unknown, payload: unknown, ctx: RequestContext) => Promise<Result<unknown>>;

export function createDispatch(handlers: Handlers, log: (msg: string) => void = () => {}): Dispatch {
  return async (channel, payload, ctx) => {
    if (!isChannel(channel)) {
      return fail('BAD_REQUEST', `Unknown request "${String(channel).slice(0, 80)}".`);
    }
    const parsed = REQUEST_SCHEMAS[channel].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
      return fail('BAD_REQUEST', `Invalid request to ${channel}${where}: ${issue?.message ?? 'malformed payload'}.`);
    }
    try {
      const handler = handlers[channel] as (r: unknown, c: RequestContext) => Promise<unknown>;
      return ok(await handler(parsed.data, ctx));
    } catch (e) {
      const error = toAppError(e);
      if (error.code === 'INTERNAL') log(`[${channel}] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { ok: false, error };
    }
  };
}

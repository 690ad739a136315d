import { z } from 'zod';
import type { Ack } from '../../shared/errors';
import { BadRequestError, JalsaError, toErrorBody } from '../errors';
import type { Logger } from '../logger';
import type { TokenBucket } from './TokenBucket';

type RequestSchemas = Record<string, readonly [z.ZodType, z.ZodType]>;

export type RequestHandlers<S extends RequestSchemas> = {
  [N in keyof S]: (payload: z.output<S[N][0]>) => Promise<z.input<S[N][1]>> | z.input<S[N][1]>;
};

/** Any Socket.io socket, whatever its typed event maps. */
interface RequestSocket {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface HandleSocketRequestsOptions {
  logger: Logger;
  /** Shared by all of this socket's requests: a flood gets RATE_LIMITED answers, not work. */
  rateLimit: TokenBucket;
}

/**
 * Binds request/acknowledgement handlers to a socket. Every payload is validated against its shared
 * schema before a handler sees it, every failure becomes an error ack, and nothing a client sends
 * can throw out of here.
 */
export function handleSocketRequests<S extends RequestSchemas>(
  socket: RequestSocket,
  schemas: S,
  handlers: RequestHandlers<S>,
  { logger, rateLimit }: HandleSocketRequestsOptions,
): void {
  for (const name of Object.keys(schemas) as (keyof S & string)[]) {
    const [requestSchema, responseSchema] = schemas[name]!;
    const handler = handlers[name] as (payload: unknown) => unknown;
    socket.on(name, async (...args: unknown[]) => {
      const ack = args.at(-1);
      // Without a callback there is nobody to answer; a well-behaved client always sends one.
      if (typeof ack !== 'function') return;
      const reply = (result: Ack<unknown>) => {
        try {
          ack(result);
        } catch (error) {
          logger.warn({ err: error, request: name }, 'acknowledgement failed');
        }
      };
      if (!rateLimit.take()) {
        reply({ ok: false, error: { code: 'RATE_LIMITED', message: 'too many requests; slow down' } });
        return;
      }
      try {
        const parsed = requestSchema.safeParse(args.length > 1 ? args[0] : undefined);
        if (!parsed.success) throw new BadRequestError(describe(parsed.error));
        const result = await handler(parsed.data);
        reply({ ok: true, data: responseSchema.parse(result) });
      } catch (error) {
        if (!(error instanceof JalsaError)) logger.error({ err: error, request: name }, 'request failed');
        reply({ ok: false, error: toErrorBody(error) });
      }
    });
  }
}

/** Issues told of a malformed request: a frame can hold thousands, and describing each costs the server. */
const ISSUES_DESCRIBED = 5;

function describe(error: z.ZodError): string {
  const message = z.prettifyError(new z.ZodError(error.issues.slice(0, ISSUES_DESCRIBED)));
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}

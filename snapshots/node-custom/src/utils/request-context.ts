import { AsyncLocalStorage } from "node:async_hooks";

/** What every log line of a request carries, without passing it down by hand. */
export interface RequestContext {
  correlationId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentCorrelationId(): string | undefined {
  return requestContext.getStore()?.correlationId;
}

import winston from "winston";

import { currentCorrelationId } from "./request-context";

export interface LoggerOptions {
  service: string;
  version: string;
  environment: string;
  level: string;
}

/** Adds the correlation id of the request being served, if any (Visiobook guidelines 5.2). */
const correlationId = winston.format((info) => {
  const id = currentCorrelationId();
  if (id !== undefined) info.correlationId ??= id;
  return info;
});

/**
 * One JSON object per line on stdout, the format the log pipeline expects: timestamp (RFC 3339,
 * UTC, milliseconds), level, message, service, version, environment, and the correlationId
 * within a request.
 */
export function createLogger(options: LoggerOptions): winston.Logger {
  return winston.createLogger({
    level: options.level,
    defaultMeta: {
      service: options.service,
      version: options.version,
      environment: options.environment,
    },
    format: winston.format.combine(
      correlationId(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    // winston declares its transports as interfaces, which this rule cannot tell from classes.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [new winston.transports.Console()],
  });
}

export type Logger = winston.Logger;

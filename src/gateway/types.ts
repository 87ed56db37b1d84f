/** Shapes shared by the gateway's modules. */

/** What the gateway logs through (pino's logger fits). `debug` is optional: one line per request. */
export interface GatewayLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
  debug?(o: object, m?: string): void;
  /** pino's: lets the hot path skip building a log line nobody will read. */
  isLevelEnabled?(level: string): boolean;
}

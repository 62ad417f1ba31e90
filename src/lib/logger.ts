/**
 * @module lib/logger
 * The logging facade handlers use: the subset of pino's interface that the server needs, so
 * that operations do not depend on Fastify or pino directly.
 */

type LogFn = {
	(msg: string): void;
	(obj: object, msg?: string): void;
};

export interface Logger {
	error: LogFn;
	warn: LogFn;
	info: LogFn;
	debug: LogFn;
}

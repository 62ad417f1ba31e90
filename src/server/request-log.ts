/**
 * @module server/request-log
 * The request log (docs/operating.md#logs): one line at `info`, message `request`, for each
 * call the dispatcher answers, from its {@link CallRecord} (which holds nothing secret), and
 * one for each request the HTTP layer answers without the dispatcher (a path that names
 * nothing, a body too large, a request without `Host`, the documents), from its method, its
 * path without the query string, its status and error type. The health endpoints are not
 * logged: a probe every few seconds would bury the calls. A line never holds a header, a
 * body, a query string, a key, a token or a signature.
 */
import type { CallObserver, CallRecord } from "../dispatch/dispatcher.ts";
import type { Logger } from "../lib/logger.ts";

/** The message of every request line. */
export const REQUEST_MESSAGE = "request";

/** What the HTTP layer tells of a request it answered without the dispatcher. */
export interface HttpRequestRecord {
	requestId: string;
	/** The pattern of the route that answered, or `unmatched` (for the metrics, not logged). */
	route: string;
	method: string;
	/** The path, without the query string. */
	path: string;
	statusCode: number;
	/** The error type answered (`x-amzn-ErrorType`), if any. */
	errorType: string | undefined;
	durationSeconds: number;
}

/** Milliseconds with a tenth of a millisecond's precision. */
function milliseconds(seconds: number): number {
	return Math.round(seconds * 10_000) / 10;
}

/** The fields of the line of a call (absent fields are left out). */
export function callLine(record: CallRecord): Record<string, unknown> {
	return {
		requestId: record.requestId,
		service: record.service,
		action: record.operation ?? null,
		status: record.statusCode,
		...(record.errorType !== undefined ? { errorType: record.errorType } : {}),
		...(record.internal ? { internal: true } : {}),
		durationMs: milliseconds(record.durationSeconds),
		...(record.accountId !== undefined ? { accountId: record.accountId } : {}),
		...(record.region !== undefined ? { region: record.region } : {}),
		caller: record.callerKind,
	};
}

/** The observer that logs a line per call. */
export function requestLogObserver(log: Logger): CallObserver {
	return (record) => log.info(callLine(record), REQUEST_MESSAGE);
}

/** Logs the line of a request the HTTP layer answered itself. */
export function logHttpRequest(log: Logger, record: HttpRequestRecord): void {
	log.info(
		{
			requestId: record.requestId,
			method: record.method,
			path: record.path,
			status: record.statusCode,
			...(record.errorType !== undefined
				? { errorType: record.errorType }
				: {}),
			durationMs: milliseconds(record.durationSeconds),
		},
		REQUEST_MESSAGE,
	);
}

/**
 * @module server/http
 * The HTTP face of a server, on Fastify: every answer carries `x-amzn-RequestId` and CORS
 * headers (pre-flights are answered); bodies are read raw, up to {@link BODY_LIMIT}, because
 * SigV4 hashes the bytes received; `POST /` goes to the dispatcher, which answers both the
 * Cognito Identity API and the STS endpoint; the OpenID discovery document, the JWKS, the
 * health endpoints (`/health`, `/health/live`, `/health/ready`) and, when it is on, the
 * development issuer's three routes are plain routes. The log is pino's JSON lines, or the
 * same lines for a person (`--log-format pretty`, `lib/pretty-log.ts`); a request the
 * dispatcher does not answer is told to `onHttpRequest` (the request log and the metrics).
 * Failures of the HTTP layer itself (a body too large or cut short, a path that names
 * nothing, headers too large, malformed HTTP, a request too slow to arrive) are answered in
 * the Cognito Identity error envelope, some of them on the socket itself because node
 * answers them before any route. The limits of connections (request time, idle time, how
 * many) are set here (docs/behaviour.md#connections), and the log never holds a query
 * string, a header or a raw packet (docs/operating.md#logs).
 */
import { randomUUID } from "node:crypto";
import { type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import cors from "@fastify/cors";
import Fastify, {
	type FastifyInstance,
	type FastifyReply,
	type FastifyRequest,
	LogController,
} from "fastify";
import type { SignedRequest } from "../auth/sigv4.ts";
import type { Dispatcher } from "../dispatch/dispatcher.ts";
import {
	BadRequestException,
	RequestHeaderFieldsTooLargeException,
	RequestTimeoutException,
	RequestTooLargeException,
	SerializationException,
	UnknownOperationException,
} from "../errors/protocol-errors.ts";
import {
	type ServiceError,
	TooManyRequestsException,
} from "../errors/service-errors.ts";
import type { Clock } from "../lib/clock.ts";
import type { HttpRefusal } from "../lib/metrics.ts";
import { prettySink } from "../lib/pretty-log.ts";
import { EXPOSED_HEADERS, encodeError } from "../protocol/aws-json.ts";
import { DEV_ISSUER_PATH } from "../tokens/dev-issuer.ts";
import { type HealthReport, storeProblem } from "./health.ts";
import type { HttpRequestRecord } from "./request-log.ts";

/** Bodies up to 1 MiB are read: ten logins of 50,000 characters fit (docs/behaviour.md). */
const BODY_LIMIT = 1024 * 1024;
/** Headers up to 16 KiB are read (node's default, stated so that messages can name it). */
const MAX_HEADER_SIZE = 16 * 1024;
/** A request's headers must arrive within this time (or the request timeout, if shorter). */
const HEADERS_TIMEOUT_MS = 10_000;
/** How often node looks for requests past their time: the precision of the timeouts. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
/**
 * After an answer written on the socket, how long the connection keeps reading (and
 * dropping) what the client still sends, before it is closed: closing a socket with unread
 * bytes resets it, and a reset can make the client lose the answer.
 */
const LINGER_MS = 1000;
/** The health endpoints, which the request log leaves out (probes would bury the calls). */
const HEALTH_PATHS = new Set(["/health", "/health/live", "/health/ready"]);
/** The request log keeps this much of a path that names nothing. */
const MAX_LOGGED_PATH = 128;
/** The route of a request whose path no route has (a 404), in the metrics. */
const UNMATCHED_ROUTE = "unmatched";
/** Refused connections are logged at most once in this time, with their count. */
const REFUSALS_LOG_INTERVAL_MS = 10_000;

/** How the HTTP layer logs. */
export interface HttpLogOptions {
	level: string;
	/**
	 * `json` (pino's lines, the default) or `pretty` (the same lines for a person,
	 * coloured when they go to a terminal).
	 */
	format?: "json" | "pretty";
	/** Where log lines go instead of standard output (tests capture them). */
	stream?: { write(line: string): void };
}

/** The stream pino writes to: `log.stream` or standard output, pretty if asked. */
function logStream(
	log: HttpLogOptions,
): { write(line: string): void } | undefined {
	if (log.format !== "pretty") return log.stream;
	if (log.stream) return prettySink(log.stream, false);
	return prettySink(process.stdout, process.stdout.isTTY === true);
}

/** The limits of connections (docs/behaviour.md#connections). */
export interface HttpLimits {
	/** Time for a whole request, headers and body, to arrive. */
	requestTimeoutMs: number;
	/** Time an idle keep-alive connection stays open. */
	keepAliveTimeoutMs: number;
	/** Connections open at once; more are refused. */
	maxConnections: number;
}

/** What a Fastify app of the server is made with. */
export interface HttpAppOptions {
	log: HttpLogOptions;
	limits: HttpLimits;
	/** The time in the `Date` header of answers written on the socket itself. */
	clock: Clock;
	/** The origins allowed to call from a browser: `["*"]` for any (docs/behaviour.md#cors). */
	corsOrigins: readonly string[];
	/** Told of each request (or connection) refused before it could be routed (the metrics). */
	onRefused?: (reason: HttpRefusal) => void;
}

/** Whether `origins` (the `--cors-origins` setting) allows every origin. */
function anyOrigin(origins: readonly string[]): boolean {
	return origins.includes("*");
}

/** A node parser error (`clientError`), with what llhttp adds. */
interface ClientError extends Error {
	code?: string;
	reason?: string;
	rawPacket?: unknown;
}

/**
 * What the log says of a request: its method, its path without the query string (which may
 * carry tokens) and where it comes from; never a header.
 */
function requestForLog(req: FastifyRequest) {
	return {
		method: req.method,
		path: req.url.split("?", 1)[0],
		remoteAddress: req.ip,
		remotePort: req.socket?.remotePort,
	};
}

function noSchemas(): never {
	throw new Error("idpool's routes declare no JSON schemas");
}

/** A Fastify app with the server's logging, limits, request ids and raw bodies; no routes yet. */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
	const { log, limits } = options;
	const stream = logStream(log);
	const app = Fastify({
		logger: {
			level: log.level,
			...(stream ? { stream } : {}),
			serializers: { req: requestForLog },
		},
		bodyLimit: BODY_LIMIT,
		genReqId: () => randomUUID(),
		requestIdHeader: false,
		// Fastify's own two lines per request (with the client's address) only at debug and
		// below; the request log (server/request-log.ts) writes one line per request at info.
		logController: new LogController({
			disableRequestLogging: log.level !== "debug" && log.level !== "trace",
		}),
		return503OnClosing: false,
		// No route declares a JSON schema (every body is parsed and checked by the protocol
		// layer), so Fastify's schema compilers (Ajv, fast-json-stringify) are never loaded:
		// a tenth of a start's CPU.
		schemaController: {
			compilersFactory: {
				buildValidator: noSchemas,
				buildSerializer: noSchemas,
			},
		},
		requestTimeout: limits.requestTimeoutMs,
		keepAliveTimeout: limits.keepAliveTimeoutMs,
		// A last resort for a connection on which nothing moves while a call is handled or
		// answered (a client that reads no answer); a request still arriving meets the request
		// timeout first, and is answered.
		connectionTimeout: 2 * limits.requestTimeoutMs,
		http: {
			headersTimeout: Math.min(HEADERS_TIMEOUT_MS, limits.requestTimeoutMs),
			connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
			maxHeaderSize: MAX_HEADER_SIZE,
			// Checked by a hook instead, so that the answer is an AWS-shaped error.
			requireHostHeader: false,
		},
		// Fastify calls it with the app as `this`.
		clientErrorHandler(this: FastifyInstance, err, socket) {
			answerClientError(this, err, socket, options);
		},
		// What Fastify refuses before routing (a path whose percent-escapes are not UTF-8).
		frameworkErrors(err, req, reply) {
			reply.header("x-amzn-RequestId", req.id);
			sendError(
				reply,
				new BadRequestException(
					err.code === "FST_ERR_BAD_URL"
						? "The request path is not valid percent-encoded UTF-8."
						: "The request could not be routed.",
				),
			);
		},
	});
	limitConnections(app, limits.maxConnections, options.onRefused);
	return app as FastifyInstance;
}

/**
 * Refuses connections beyond `max` (node closes them at once) and, when it does, closes the
 * idle keep-alive connections so that the clients who retry find room. Refusals are logged
 * at most once per {@link REFUSALS_LOG_INTERVAL_MS}, with their count.
 */
function limitConnections(
	app: FastifyInstance,
	max: number,
	onRefused: HttpAppOptions["onRefused"],
): void {
	app.server.maxConnections = max;
	let refused = 0;
	let loggedAt = Number.NEGATIVE_INFINITY;
	app.server.on("drop", () => {
		app.server.closeIdleConnections();
		onRefused?.("connection_limit");
		refused++;
		const now = performance.now();
		if (now - loggedAt >= REFUSALS_LOG_INTERVAL_MS) {
			app.log.warn(
				{ refused, maxConnections: max },
				"connections refused: the server holds --max-connections connections",
			);
			refused = 0;
			loggedAt = now;
		}
	});
}

/** Which {@link HttpRefusal} a node parser error is. */
function refusalOf(err: ClientError): HttpRefusal {
	switch (err.code) {
		case "ERR_HTTP_REQUEST_TIMEOUT":
			return "timeout";
		case "HPE_HEADER_OVERFLOW":
			return "headers_too_large";
		default:
			return "malformed";
	}
}

/** The AWS-shaped error for what node's parser (or its timeouts) found wrong. */
function clientErrorAnswer(
	err: ClientError,
	socket: Socket,
	limits: HttpLimits,
): ServiceError {
	const headersComplete = socketResponse(socket) !== undefined;
	switch (err.code) {
		case "ERR_HTTP_REQUEST_TIMEOUT":
			return new RequestTimeoutException(
				`The request did not arrive in time: its headers must arrive within ${seconds(Math.min(HEADERS_TIMEOUT_MS, limits.requestTimeoutMs))} and the whole request within ${seconds(limits.requestTimeoutMs)}.`,
			);
		case "HPE_HEADER_OVERFLOW":
			return new RequestHeaderFieldsTooLargeException(
				`The request's headers are larger than the limit of ${MAX_HEADER_SIZE} bytes.`,
			);
		case "HPE_INVALID_EOF_STATE":
			return headersComplete
				? new SerializationException(
						"The request body ended before the length its Content-Length header announced.",
					)
				: new BadRequestException("The request ended before its headers did.");
	}
	const packet = err.rawPacket;
	if (Buffer.isBuffer(packet) && packet[0] === 0x16 && packet[1] === 0x03) {
		return new BadRequestException("This endpoint speaks plain HTTP, not TLS.");
	}
	// llhttp's reasons are fixed texts ("Invalid method encountered"), never the client's bytes.
	const reason =
		typeof err.reason === "string" && /^[\x20-\x7e]{1,120}$/.test(err.reason)
			? err.reason.replace(/\.$/, "")
			: "malformed request";
	return new BadRequestException(
		`The request is not valid HTTP/1.1: ${reason}.`,
	);
}

function seconds(ms: number): string {
	const s = Math.round(ms / 1000);
	return `${s} second${s === 1 ? "" : "s"}`;
}

/** The answer node is writing on `socket`, once a request's headers have arrived. */
function socketResponse(socket: Socket): { headersSent: boolean } | undefined {
	return (
		(socket as Socket & { _httpMessage?: { headersSent: boolean } | null })
			._httpMessage ?? undefined
	);
}

/**
 * Answers on the socket what node's parser found wrong (a request it could not parse, or
 * that was too slow to arrive), in the Cognito Identity error envelope, and closes the
 * connection. Nothing of the request is logged: its raw bytes carry its headers.
 */
function answerClientError(
	app: FastifyInstance,
	err: ClientError,
	socket: Socket,
	options: Pick<
		HttpAppOptions,
		"limits" | "clock" | "corsOrigins" | "onRefused"
	>,
): void {
	// The parser repeats its error for every later chunk: the first one is answered.
	if (socket.destroyed || socket.writableEnded) return;
	if (err.code === "ECONNRESET" || err.code === "EPIPE") {
		app.log.debug({ code: err.code }, "the client closed the connection");
		socket.destroy();
		return;
	}
	const error = clientErrorAnswer(err, socket, options.limits);
	options.onRefused?.(refusalOf(err));
	app.log.debug(
		{ code: err.code, answer: error.type },
		"request refused by the HTTP layer",
	);
	if (socketResponse(socket)?.headersSent) {
		// An answer has begun on this connection: another cannot be written.
		socket.destroy();
		return;
	}
	socket.end(rawAnswer(error, options.clock, options.corsOrigins));
	const linger = setTimeout(() => socket.destroy(), LINGER_MS);
	linger.unref();
	socket.once("close", () => clearTimeout(linger));
}

/**
 * The HTTP/1.1 text of an error answer that closes its connection. It carries the CORS
 * headers only when every origin is allowed: the request it answers was not read, so its
 * `Origin` is unknown, and a restricted server must not open its answers to any page.
 */
function rawAnswer(
	error: ServiceError,
	clock: Clock,
	corsOrigins: readonly string[],
): string {
	const encoded = encodeError(error);
	const headers: Record<string, string | number> = {
		...encoded.headers,
		"x-amzn-RequestId": randomUUID(),
		...(anyOrigin(corsOrigins)
			? {
					"access-control-allow-origin": "*",
					"access-control-expose-headers": EXPOSED_HEADERS.join(", "),
				}
			: {}),
		date: new Date(clock.now()).toUTCString(),
		"content-length": Buffer.byteLength(encoded.body),
		connection: "close",
	};
	const head = Object.entries(headers)
		.map(([name, value]) => `${name}: ${value}\r\n`)
		.join("");
	return `HTTP/1.1 ${encoded.statusCode} ${STATUS_CODES[encoded.statusCode]}\r\n${head}\r\n${encoded.body}`;
}

/** Sends `error` in the Cognito Identity error envelope (with its own status, or `status`). */
function sendError(reply: FastifyReply, error: unknown, status?: number) {
	const encoded = encodeError(error);
	return reply
		.code(status ?? encoded.statusCode)
		.headers(encoded.headers)
		.send(Buffer.from(encoded.body));
}

/**
 * The calls being handled, so that a stopping server can wait for them before it closes the
 * store (a call whose client has gone still commits, or fails, before the store closes).
 */
class InFlight {
	#count = 0;
	#idle: (() => void)[] = [];

	async track<T>(call: Promise<T>): Promise<T> {
		this.#count++;
		try {
			return await call;
		} finally {
			this.#count--;
			if (this.#count === 0) for (const done of this.#idle.splice(0)) done();
		}
	}

	/** Resolves once no call is being handled, or after `timeoutMs`. */
	settled(timeoutMs: number): Promise<void> {
		if (this.#count === 0) return Promise.resolve();
		return new Promise((resolve) => {
			const timer = setTimeout(resolve, timeoutMs);
			this.#idle.push(() => {
				clearTimeout(timer);
				resolve();
			});
		});
	}
}

/** What {@link installRoutes} answers: a handle on the calls in flight. */
export interface InstalledRoutes {
	/** Resolves once no call is being handled, or after `timeoutMs`. */
	settled(timeoutMs: number): Promise<void>;
}

/** What the routes answer besides the API. */
export interface Routes {
	dispatch: Dispatcher;
	/** The OpenID discovery document. */
	discovery: () => object | Promise<object>;
	/** The published signing keys. */
	jwks: () => Promise<object>;
	/** How long verifiers may cache the two documents above, in seconds. */
	documentsMaxAge: number;
	/** Resolves when the store can commit a large write; rejects otherwise (`/health`). */
	ping: () => Promise<void>;
	/** The store's engine, named in `/health`. */
	engine: string;
	/** Runs the checks of readiness (`/health/ready`, server/health.ts). */
	ready: () => Promise<HealthReport>;
	/**
	 * Told of each request answered without the dispatcher, besides the health endpoints'
	 * (the request log and the metrics); the dispatcher's own calls are told to its observers.
	 */
	onHttpRequest?: (record: HttpRequestRecord) => void;
	/** The origins allowed to call from a browser: `["*"]` for any (docs/behaviour.md#cors). */
	corsOrigins: readonly string[];
	/** The development issuer, when it is on (docs/federation.md#a-development-issuer). */
	devIssuer?: DevIssuerRoutes;
	/** The web console, when it is served (docs/console.md). */
	console?: ConsoleRoutes;
}

/** What the console's routes answer (`server/console.ts`). */
export interface ConsoleRoutes {
	/** Its path (`/console`): the page there, its files below. */
	path: string;
	/** The answer to `GET` of a path of the console's files (without the query). */
	file(path: string): {
		statusCode: number;
		headers: Record<string, string>;
		body: Buffer;
	};
	/** The path of the live view's stream of calls. */
	streamPath: string;
	/** How long one stream lasts: it then ends with a `renew` event, and the page opens the next. */
	streamLifetimeMs: number;
	/** The path of the signing keys' states. */
	keysPath: string;
	/**
	 * The signing keys and their states for a signed request (as {@link stream}, which says
	 * how a request is checked).
	 */
	keys(request: SignedRequest): Promise<object>;
	/** Headers of every console answer (the security headers). */
	headers: Readonly<Record<string, string>>;
	/**
	 * The live view's stream for a signed request: the events so far and a way to follow the
	 * next ones. A request that is not signed with one of the server's keys throws the
	 * AWS-named error that the error handler answers.
	 */
	stream(request: SignedRequest): Promise<{
		backlog: readonly string[];
		/** Sends every later event with `send`, until `end` is called (the key was taken away). */
		follow(send: (event: string) => void, end: () => void): () => void;
		/** Gives the view's place back without following (the stream could not start). */
		stop(): void;
	}>;
}

/** What the development issuer's routes answer. */
export interface DevIssuerRoutes {
	/** Its OpenID discovery document. */
	discovery: () => object | Promise<object>;
	/** Its public keys. */
	jwks: () => object;
	/**
	 * The token a request body asks for; a bad request throws the AWS-named error that the
	 * error handler answers.
	 */
	token: (body: Buffer) => Promise<object>;
}

/**
 * The development issuer's routes under {@link DEV_ISSUER_PATH}. Its key lives only as long as
 * the process, so its documents are not to be cached; a caller's mistake in a token request
 * is answered, like every error here, in the Cognito Identity error envelope.
 */
function installDevIssuer(app: FastifyInstance, dev: DevIssuerRoutes): void {
	const prefix = DEV_ISSUER_PATH;
	app.get(`${prefix}/.well-known/openid-configuration`, async (_req, reply) => {
		reply.header("cache-control", "no-store");
		return dev.discovery();
	});
	app.get(`${prefix}/.well-known/jwks.json`, async (_req, reply) => {
		reply.header("cache-control", "no-store");
		return dev.jwks();
	});
	app.post(`${prefix}/token`, async (req, reply) => {
		reply.header("cache-control", "no-store");
		return dev.token((req.body as Buffer | undefined) ?? Buffer.alloc(0));
	});
}

/** The answer to a path that names nothing: UnknownOperationException, as a 404. */
function answerNotFound(req: FastifyRequest, reply: FastifyReply) {
	sendError(
		reply,
		new UnknownOperationException(
			`No such resource: ${req.method} ${req.url.split("?")[0]?.slice(0, 128)}`,
		),
		404,
	);
}

/**
 * Writes `chunk` to a stream whose reader may stop reading, unless more than `limit` bytes
 * already wait to be sent: then the stream is cut (its connection destroyed) rather than heaped
 * up in memory. Answers whether it wrote.
 */
export function writeOrCut(
	res: Pick<ServerResponse, "writableLength" | "write" | "destroy">,
	chunk: string,
	limit: number,
): boolean {
	if (res.writableLength > limit) {
		res.destroy();
		return false;
	}
	res.write(chunk);
	return true;
}

/** How often an open stream of the live view gets a comment line, so that proxies keep it. */
const STREAM_KEEPALIVE_MS = 15_000;
/** Events a live view's connection may hold unsent before the view is cut. */
const STREAM_BUFFER_BYTES = 256 * 1024;
/** The last event of a stream that ends for its age: the page opens the next at once. */
const STREAM_RENEW_EVENT = "event: renew\ndata: {}\n\n";

/** Whether `url` is the console's (`/console`, `/console/...`, `/console?...`). */
function isConsolePath(url: string, path: string): boolean {
	return (
		url.startsWith(path) &&
		(url.length === path.length || "/?".includes(url[path.length] as string))
	);
}

/**
 * The console's routes (docs/console.md): its files, and the live view's stream of calls as
 * server-sent events, which a stopping server ends.
 */
function installConsole(app: FastifyInstance, webConsole: ConsoleRoutes): void {
	// Every answer of the console, its errors included, carries its security headers, and
	// none opens it to another origin (the CORS plugin's headers are taken off).
	app.addHook("onSend", (_req, reply, payload, done) => {
		reply.headers(webConsole.headers);
		for (const name of [
			"access-control-allow-origin",
			"access-control-expose-headers",
			"vary",
		]) {
			reply.removeHeader(name);
		}
		done(null, payload);
	});
	const serve = async (req: FastifyRequest, reply: FastifyReply) => {
		const answer = webConsole.file(req.url.split("?", 1)[0] as string);
		reply.code(answer.statusCode).headers(answer.headers);
		return answer.body;
	};
	app.get(webConsole.path, serve);
	app.get(`${webConsole.path}/*`, serve);
	const signed = (req: FastifyRequest): SignedRequest => ({
		method: req.method,
		url: req.raw.url ?? "/",
		headers: req.headers,
		body: Buffer.alloc(0),
	});
	app.get(webConsole.keysPath, async (req, reply) => {
		const keys = await webConsole.keys(signed(req));
		reply.headers({ ...webConsole.headers, "cache-control": "no-store" });
		return keys;
	});
	const open = new Set<() => void>();
	app.addHook("preClose", (done) => {
		for (const end of open) end();
		done();
	});
	/** Connections that carry a live view: one each (a browser's stream has its own). */
	const streaming = new WeakSet<object>();
	app.get(webConsole.streamPath, async (req, reply) => {
		const socket = req.raw.socket;
		if (streaming.has(socket)) {
			// A request sent behind an open stream on its connection (pipelined) would only be
			// answered once the stream ends, its events heaped up meanwhile.
			reply.header("connection", "close");
			throw new TooManyRequestsException(
				"This connection already carries a live view: open another connection.",
			);
		}
		// Taken before the signature is checked, which the requests behind it would otherwise
		// pass meanwhile, one after the other.
		streaming.add(socket);
		let stream: Awaited<ReturnType<ConsoleRoutes["stream"]>>;
		try {
			stream = await webConsole.stream(signed(req));
		} catch (err) {
			streaming.delete(socket);
			throw err;
		}
		if (socket.destroyed) {
			// Gone while the signature was checked.
			stream.stop();
			streaming.delete(socket);
			return reply.hijack();
		}
		reply.hijack();
		const res = reply.raw;
		res.writeHead(200, {
			...webConsole.headers,
			"content-type": "text/event-stream; charset=utf-8",
			"cache-control": "no-store",
			"x-amzn-RequestId": req.id,
		});
		// At once, not with the first event: the page knows the view is open even when no call
		// has been answered yet.
		res.flushHeaders();
		let ended = false;
		const end = () => {
			if (ended) return;
			ended = true;
			stop();
			clearInterval(keepAlive);
			clearTimeout(lifetime);
			open.delete(end);
			streaming.delete(socket);
			socket.off("close", end);
			res.end();
		};
		const send = (event: string) => {
			if (!ended) writeOrCut(res, event, STREAM_BUFFER_BYTES);
		};
		for (const event of stream.backlog) send(event);
		const stop = stream.follow(send, end);
		const keepAlive = setInterval(
			() => send(": keep-alive\n\n"),
			STREAM_KEEPALIVE_MS,
		);
		// Ended after a while, so that no view holds its connection for good; the event tells the
		// page, which opens the next one at once and keeps its rows.
		const lifetime = setTimeout(() => {
			send(STREAM_RENEW_EVENT);
			end();
		}, webConsole.streamLifetimeMs);
		open.add(end);
		res.on("close", end);
		// Also when the connection closes before the answer was sent (queued behind another
		// answer of the connection), which `res` is never told.
		socket.once("close", end);
	});
}

/**
 * Starts `app` listening on `host` and `port`; answers the port bound. Fastify logs "Server
 * listening at ..." at info level: the CLI's banner says where the server listens, and a JSON
 * line among the banner's lines would only break it up, so that line is left out.
 */
export async function listenQuietly(
	app: FastifyInstance,
	host: string,
	port: number,
): Promise<number> {
	const level = app.log.level;
	if (["info", "debug", "trace"].includes(level)) app.log.level = "warn";
	try {
		await app.listen({ host, port });
	} finally {
		app.log.level = level;
	}
	const address = app.server.address();
	return typeof address === "object" && address ? address.port : port;
}

/** Installs the server's routes on `app`. */
export async function installRoutes(
	app: FastifyInstance,
	routes: Routes,
): Promise<InstalledRoutes> {
	const inFlight = new InFlight();
	// An OPTIONS without Origin or without the method it asks for is no pre-flight (browsers
	// send both): it names nothing, as `GET /` does, rather than the CORS plugin's plain-text
	// 400. Nor is one for the console, which only its own pages call (same origin): no other
	// page may call it from a browser. This hook comes before the plugin's, so it sees the
	// request first.
	app.addHook("onRequest", (req, reply, done) => {
		if (
			req.method === "OPTIONS" &&
			(req.headers.origin === undefined ||
				req.headers["access-control-request-method"] === undefined ||
				(routes.console !== undefined &&
					isConsolePath(req.url, routes.console.path)))
		) {
			reply.header("x-amzn-RequestId", req.id);
			answerNotFound(req, reply);
			return;
		}
		done();
	});
	// docs/behaviour.md#cors: the headers a pre-flight asks for are allowed as asked (browser
	// clients add their own: Amplify's `cache-control`, the SDKs' `amz-sdk-*`), and a list of
	// origins answers an allowed origin with itself and any other with no
	// Access-Control-Allow-Origin, which the browser takes as a refusal.
	await app.register(cors, {
		origin: anyOrigin(routes.corsOrigins) ? "*" : [...routes.corsOrigins],
		methods: ["GET", "POST", "OPTIONS"],
		exposedHeaders: EXPOSED_HEADERS,
		maxAge: 86400,
	});

	// Every body is read raw: SigV4 hashes the bytes received, and decoding is ours to do.
	app.removeAllContentTypeParsers();
	app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) =>
		done(null, body),
	);

	// A callback hook: an async one costs a promise per request.
	app.addHook("onRequest", (req, reply, done) => {
		reply.header("x-amzn-RequestId", req.id);
		// HTTP/1.1 requires Host (node's own check would answer an empty 400).
		if (req.headers.host === undefined && req.raw.httpVersion === "1.1") {
			reply.header("connection", "close");
			sendError(
				reply,
				new BadRequestException("The request has no Host header."),
			);
			return;
		}
		done();
	});

	// The request log of what the dispatcher does not answer (it tells its own calls).
	const dispatched = new WeakSet<FastifyRequest>();
	const { onHttpRequest } = routes;
	if (onHttpRequest) {
		app.addHook("onResponse", (req, reply, done) => {
			const path = req.url.split("?", 1)[0] ?? "/";
			if (!dispatched.has(req) && !HEALTH_PATHS.has(path)) {
				const errorType = reply.getHeader("x-amzn-ErrorType");
				onHttpRequest({
					requestId: req.id,
					// A route's pattern (a fixed set), never the path a client chose.
					route: req.routeOptions.url ?? UNMATCHED_ROUTE,
					method: req.method,
					path: path.slice(0, MAX_LOGGED_PATH),
					statusCode: reply.statusCode,
					// AWS's form is `Name:` (or `Name:<url>`): the name is what is logged.
					errorType:
						typeof errorType === "string"
							? errorType.split(":", 1)[0] || undefined
							: undefined,
					durationSeconds: reply.elapsedTime / 1000,
				});
			}
			done();
		});
	}

	app.setErrorHandler((err: Error & { code?: string }, req, reply) => {
		const socket = req.raw.socket;
		if (socket.destroyed || socket.writableEnded) {
			// The client left before its request was read (or the HTTP layer has answered it on the
			// socket already): there is nobody to answer, and nothing went wrong here.
			req.log.debug(
				{ code: err.code },
				"the client closed the connection before its request was read",
			);
			reply.hijack();
			return;
		}
		let error: unknown = err;
		if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
			error = new RequestTooLargeException(
				`The request body is larger than the limit of ${BODY_LIMIT} bytes.`,
			);
		} else if (err.code?.startsWith("FST_ERR_CTP_")) {
			error = new SerializationException("The request body could not be read.");
		}
		if (encodeError(error).error.fault === "server") {
			req.log.error({ err, requestId: req.id }, "internal error");
		}
		sendError(reply, error);
	});

	app.setNotFoundHandler(answerNotFound);

	// OpenID Connect discovery and the JWKS. AWS serves the JWKS at /.well-known/jwks_uri;
	// /.well-known/jwks.json is the name most verifiers expect.
	const cacheControl = `public, max-age=${routes.documentsMaxAge}`;
	app.get("/.well-known/openid-configuration", async (_req, reply) => {
		reply.header("cache-control", cacheControl);
		return routes.discovery();
	});
	const serveJwks = async (_req: FastifyRequest, reply: FastifyReply) => {
		reply.header("cache-control", cacheControl);
		return routes.jwks();
	};
	app.get("/.well-known/jwks_uri", serveJwks);
	app.get("/.well-known/jwks.json", serveJwks);

	if (routes.devIssuer) installDevIssuer(app, routes.devIssuer);
	if (routes.console) {
		const webConsole = routes.console;
		// In a scope of its own, so that its hook runs for its answers only.
		await app.register(async (scope) => installConsole(scope, webConsole));
	}

	// Liveness: the process answers; nothing else is looked at (docs/operating.md#health).
	app.get("/health/live", async () => ({ status: "ok", checks: [] }));
	// Readiness: the checks of server/health.ts, 200 when every one passes, else 503.
	app.get("/health/ready", async (_req, reply) => {
		const report = await routes.ready();
		reply.header("cache-control", "no-store");
		if (report.status !== "ok") reply.code(503);
		return report;
	});

	// The store can commit a large write now (kept as it was for those who use it; readiness
	// is /health/ready). A change of state is logged, with the reason.
	let failing: string | undefined;
	app.get("/health", async (_req, reply) => {
		try {
			await routes.ping();
			if (failing !== undefined) app.log.info("the store commits again");
			failing = undefined;
			return { status: "ok", store: routes.engine };
		} catch (err) {
			const problem = storeProblem(err);
			if (failing !== problem) {
				app.log.error({ err }, `the store cannot commit: ${problem}`);
			}
			failing = problem;
			reply.code(503);
			return { status: "unavailable", store: routes.engine, problem };
		}
	});

	app.post("/", async (req, reply) => {
		if (req.raw.socket.writableEnded) {
			// The HTTP layer answered this connection already (the request came too late): a call
			// its client was told failed must not run.
			reply.hijack();
			return;
		}
		dispatched.add(req);
		const answer = await inFlight.track(
			routes.dispatch(
				{
					method: req.method,
					url: req.raw.url ?? "/",
					headers: req.headers,
					body: (req.body as Buffer | undefined) ?? Buffer.alloc(0),
				},
				{ requestId: req.id, log: req.log },
			),
		);
		reply.code(answer.statusCode).headers(answer.headers);
		return answer.body;
	});

	return { settled: (timeoutMs) => inFlight.settled(timeoutMs) };
}

/** What `GET /metrics` answers (docs/operating.md#metrics). */
export interface MetricsSource {
	contentType: string;
	/** Every metric in Prometheus's text exposition format. */
	exposition(): Promise<string>;
}

/**
 * `GET /metrics` on `app`: the server's metrics, never cached. `alone` for the app of a port
 * of its own (`--metrics-port`), which answers nothing else: other paths get the same 404 as
 * on the main port.
 */
export function installMetrics(
	app: FastifyInstance,
	metrics: MetricsSource,
	options: { alone: boolean },
): void {
	if (options.alone) app.setNotFoundHandler(answerNotFound);
	app.get("/metrics", async (_req, reply) => {
		reply.header("content-type", metrics.contentType);
		reply.header("cache-control", "no-store");
		return metrics.exposition();
	});
}

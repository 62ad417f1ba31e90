/**
 * @module server/http
 * The HTTP face of a server, on Fastify: every answer carries `x-amzn-RequestId` and CORS
 * headers (pre-flights are answered); bodies are read raw, up to {@link BODY_LIMIT}, because
 * SigV4 hashes the bytes received; `POST /` goes to the dispatcher, which answers both the
 * Cognito Identity API and the STS endpoint; the OpenID discovery document, the JWKS and
 * `/health` are plain routes. Failures of the HTTP layer itself (a body too large or cut
 * short, a path that names nothing) are answered in the Cognito Identity error envelope.
 */
import { randomUUID } from "node:crypto";
import cors from "@fastify/cors";
import Fastify, {
	type FastifyInstance,
	type FastifyReply,
	type FastifyRequest,
	LogController,
} from "fastify";
import type { Dispatcher } from "../dispatch/dispatcher.ts";
import {
	RequestTooLargeException,
	SerializationException,
	UnknownOperationException,
} from "../errors/protocol-errors.ts";
import {
	ALLOWED_HEADERS,
	EXPOSED_HEADERS,
	encodeError,
} from "../protocol/aws-json.ts";

/** Bodies up to 1 MiB are read: ten logins of 50,000 characters fit (docs/behaviour.md). */
const BODY_LIMIT = 1024 * 1024;

/** How the HTTP layer logs. */
export interface HttpLogOptions {
	level: string;
	/** Where log lines go instead of standard output (tests capture them). */
	stream?: { write(line: string): void };
}

/** A Fastify app with the server's logging, request ids and raw bodies; no routes yet. */
export function createHttpApp(log: HttpLogOptions): FastifyInstance {
	return Fastify({
		logger: {
			level: log.level,
			...(log.stream ? { stream: log.stream } : {}),
		},
		bodyLimit: BODY_LIMIT,
		genReqId: () => randomUUID(),
		requestIdHeader: false,
		// A log line per request costs more than the rest of a request; only at debug and below.
		logController: new LogController({
			disableRequestLogging: log.level !== "debug" && log.level !== "trace",
		}),
		return503OnClosing: false,
	});
}

/** What the routes answer besides the API. */
export interface Routes {
	dispatch: Dispatcher;
	/** The OpenID discovery document. */
	discovery: () => object;
	/** The published signing keys. */
	jwks: () => Promise<object>;
	/** How long verifiers may cache the two documents above, in seconds. */
	documentsMaxAge: number;
	/** Resolves when the store answers; rejects otherwise. */
	ping: () => Promise<void>;
	/** The store's engine, named in `/health`. */
	engine: string;
}

/**
 * What `/health` says of a store that cannot commit: the driver's error code (`SQLITE_FULL`,
 * `SQLITE_READONLY`, PostgreSQL's SQLSTATE, ...) or a kind of failure, never a path or a
 * message that might carry one.
 */
function storeProblem(err: unknown): string {
	const code = (err as { code?: unknown } | undefined)?.code;
	if (typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
	const cause = (err as { cause?: unknown } | undefined)?.cause;
	if (cause instanceof Error && /was (deleted|replaced)/.test(cause.message)) {
		return "the database file was deleted or replaced";
	}
	return "the database did not answer";
}

/** Installs the server's routes on `app`. */
export async function installRoutes(
	app: FastifyInstance,
	routes: Routes,
): Promise<void> {
	await app.register(cors, {
		origin: "*",
		methods: ["GET", "POST", "OPTIONS"],
		allowedHeaders: ALLOWED_HEADERS,
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
		done();
	});

	app.setErrorHandler((err: Error & { code?: string }, req, reply) => {
		let error: unknown = err;
		if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
			error = new RequestTooLargeException(
				`The request body is larger than the limit of ${BODY_LIMIT} bytes.`,
			);
		} else if (err.code?.startsWith("FST_ERR_CTP_")) {
			error = new SerializationException("The request body could not be read.");
		}
		const encoded = encodeError(error);
		if (encoded.error.fault === "server") {
			req.log.error({ err, requestId: req.id }, "internal error");
		}
		reply
			.code(encoded.statusCode)
			.headers(encoded.headers)
			.send(Buffer.from(encoded.body));
	});

	app.setNotFoundHandler((req, reply) => {
		const encoded = encodeError(
			new UnknownOperationException(
				`No such resource: ${req.method} ${req.url.split("?")[0]?.slice(0, 128)}`,
			),
		);
		reply.code(404).headers(encoded.headers).send(Buffer.from(encoded.body));
	});

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

	// Readiness: the store can commit now. A change of state is logged, with the reason.
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
		const answer = await routes.dispatch(
			{
				method: req.method,
				url: req.raw.url ?? "/",
				headers: req.headers,
				body: (req.body as Buffer | undefined) ?? Buffer.alloc(0),
			},
			{ requestId: req.id, log: req.log },
		);
		reply.code(answer.statusCode).headers(answer.headers);
		return answer.body;
	});
}

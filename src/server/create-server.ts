/**
 * @module server/create-server
 * The composition root: the one place that builds the store, clock, credentials, throttle
 * and the Fastify app, for the CLI and the tests alike. No module-level state: several
 * servers can run in one process.
 *
 * One request, end to end: CORS and request id → `X-Amz-Target` → content type → SigV4
 * (signed operations) → rate quota → JSON decode → model validation → handler → JSON answer.
 * Any failure is answered in the AWS error envelope; nothing escapes as a stack trace.
 */
import { randomUUID } from "node:crypto";
import cors from "@fastify/cors";
import Fastify, {
	type FastifyInstance,
	type FastifyReply,
	type FastifyRequest,
	LogController,
} from "fastify";
import {
	type AccountCredential,
	CredentialRegistry,
} from "../auth/credentials.ts";
import { verifySigV4 } from "../auth/sigv4.ts";
import type { Config } from "../config/schema.ts";
import { ownTokenMinter } from "../credentials/own-token.ts";
import { localCredentialsProvider } from "../credentials/provider.ts";
import { stsCredentialsProvider } from "../credentials/sts-provider.ts";
import {
	RequestTooLargeException,
	SerializationException,
	UnknownOperationException,
} from "../errors/protocol-errors.ts";
import { createLoginVerifier } from "../federation/login-verifier.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { findOperation } from "../operations/index.ts";
import type {
	Caller,
	OperationContext,
	OperationSettings,
} from "../operations/operation.ts";
import {
	ALLOWED_HEADERS,
	checkContentType,
	decodeBody,
	EXPOSED_HEADERS,
	encodeError,
	encodeResult,
	JSON_11,
	parseTarget,
} from "../protocol/aws-json.ts";
import type { OperationName } from "../protocol/model.generated.ts";
import { validateInput } from "../protocol/validation.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/store.ts";
import {
	handleStsRequest,
	isStsRequest,
	ownTokenVerifier,
} from "../sts/index.ts";
import { KeyRing } from "../tokens/key-ring.ts";
import { discoveryDocument, TokenIssuer } from "../tokens/tokens.ts";
import { Throttle } from "./throttle.ts";

/** Bodies up to 1 MiB are read (DECISIONS 3: ten 50,000-character logins fit). */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Issued credentials are deleted this long after they expire: until then the STS endpoint
 * still recognises them and answers ExpiredToken, as AWS does for expired credentials.
 */
export const CREDENTIALS_RETENTION_MS = 24 * 3600_000;
/** How often a server deletes the credentials past their retention (also once at start). */
export const CREDENTIALS_PRUNE_INTERVAL_MS = 10 * 60_000;

/** What tests (and embedders) may replace. */
export interface ServerOverrides {
	clock?: Clock;
	/** A store to use instead of opening `config.db`; the server closes it on close. */
	store?: Store;
	/** Access keys, instead of those from the config. */
	credentials?: AccountCredential[];
}

/** A built server, not yet listening. */
export interface IdpoolServer {
	readonly app: FastifyInstance;
	readonly store: Store;
	readonly config: Config;
	/** Starts listening; answers the base URL actually bound. */
	listen(): Promise<string>;
	/** The base URL once listening. */
	readonly url: string | undefined;
	/**
	 * The token issuer: `--issuer` without a trailing slash, else the base URL actually bound
	 * (DECISIONS 19). Known once listening.
	 */
	readonly issuer: string | undefined;
	/** The signing keys this server uses and publishes. */
	readonly keys: KeyRing;
	/**
	 * Deletes the issued credentials that expired more than {@link CREDENTIALS_RETENTION_MS}
	 * ago; answers how many. The server runs it every {@link CREDENTIALS_PRUNE_INTERVAL_MS}.
	 */
	pruneExpiredCredentials(): Promise<number>;
	/** Stops accepting connections, lets in-flight requests finish, closes the store. */
	close(): Promise<void>;
}

function baseUrl(host: string, port: number): string {
	const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
	return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/** Builds a server from a resolved configuration. */
export async function createServer(
	config: Config,
	overrides: ServerOverrides = {},
): Promise<IdpoolServer> {
	const clock = overrides.clock ?? systemClock;
	const credentials = new CredentialRegistry(
		overrides.credentials ?? [
			{
				accessKeyId: config.accessKeyId,
				secretAccessKey: config.secretAccessKey,
				accountId: config.accountId,
			},
		],
	);
	// Until the server's logger exists, a problem of the checkpoint worker is a process warning.
	let warn = (message: string) => process.emitWarning(message);
	const store =
		overrides.store ??
		openStore(config.db, {
			poolSize: config.dbPoolSize,
			backgroundCheckpoints: { onProblem: (message) => warn(message) },
		});
	try {
		await store.migrate();
	} catch (err) {
		await store.close().catch(() => {});
		throw err;
	}
	const throttle = new Throttle(config.rateLimits, clock);
	const settings: OperationSettings = {
		maxPools: config.maxPools,
		maxTags: config.maxTags,
		maxUserPoolProviders: config.maxUserPoolProviders,
		maxLogins: config.maxLogins,
		maxRoleMappings: config.maxRoleMappings,
		maxMappingRules: config.maxMappingRules,
	};

	let url: string | undefined;
	/** `--issuer` without a trailing slash, else the base URL actually bound (DECISIONS 19). */
	const issuer = (): string =>
		config.issuer?.replace(/\/+$/, "") ?? url ?? "http://127.0.0.1";

	const app = Fastify({
		logger: { level: config.logLevel },
		bodyLimit: BODY_LIMIT,
		genReqId: () => randomUUID(),
		requestIdHeader: false,
		// A log line per request costs more than the rest of a request; only at debug and below.
		logController: new LogController({
			disableRequestLogging:
				config.logLevel !== "debug" && config.logLevel !== "trace",
		}),
		return503OnClosing: false,
	});
	warn = (message) => app.log.warn(message);

	const keys = newKeyRing(store, clock, config, (err) =>
		app.log.warn(
			{ err },
			"signing keys could not be reloaded; the keys loaded before stay in use",
		),
	);
	try {
		await keys.init();
	} catch (err) {
		// Nothing is listening yet: release the database so the process can exit.
		await store.close().catch(() => {});
		throw err;
	}
	const tokens = new TokenIssuer(keys);
	const logins = createLoginVerifier({
		providers: config.providers,
		fetchTimeoutMs: config.providerTimeoutSeconds * 1000,
		clock,
		issuer: () => issuer(),
		ownJwks: () => keys.jwks(),
	});
	const localCredentials = localCredentialsProvider(store.credentials, clock);
	const credentialsProvider =
		config.credentialsProvider === "sts"
			? stsCredentialsProvider({
					...(config.stsEndpoint ? { endpoint: config.stsEndpoint } : {}),
					mintToken: ownTokenMinter({
						tokens,
						issuer: () => issuer(),
						clock,
						identities: store.identities,
					}),
				})
			: localCredentials;
	const verifyOwnToken = ownTokenVerifier({
		issuer: () => issuer(),
		jwks: () => keys.jwks(),
		clock,
	});

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

	// OpenID Connect discovery and the JWKS (DECISIONS 19, 20). AWS serves the JWKS at
	// /.well-known/jwks_uri; /.well-known/jwks.json is the name most verifiers expect.
	const jwksMaxAge = config.keyReloadSeconds;
	app.get("/.well-known/openid-configuration", async (_req, reply) => {
		reply.header("cache-control", `public, max-age=${jwksMaxAge}`);
		return discoveryDocument(issuer());
	});
	const serveJwks = async (_req: FastifyRequest, reply: FastifyReply) => {
		reply.header("cache-control", `public, max-age=${jwksMaxAge}`);
		return keys.jwks();
	};
	app.get("/.well-known/jwks_uri", serveJwks);
	app.get("/.well-known/jwks.json", serveJwks);

	app.get("/health", async (_req, reply) => {
		try {
			await store.ping();
			return { status: "ok", store: store.engine };
		} catch {
			reply.code(503);
			return { status: "unavailable", store: store.engine };
		}
	});

	const isOperation = (name: string) => findOperation(name) !== undefined;

	app.post("/", async (req: FastifyRequest, reply) => {
		// The STS query protocol (form bodies, no X-Amz-Target) shares the endpoint, so that
		// the official STS clients work against it (DECISIONS 21). STS always issues local
		// credentials.
		if (isStsRequest(req.headers)) {
			const answer = await handleStsRequest(
				{
					method: req.method,
					url: req.raw.url ?? "/",
					headers: req.headers,
					body: (req.body as Buffer | undefined) ?? Buffer.alloc(0),
				},
				{
					store,
					clock,
					verifyOwnToken,
					issueCredentials: (r) => localCredentials.issue(r),
					lookupAccessKey: (id) => credentials.lookup(id),
					requestId: req.id,
					onInternalError: (err) =>
						req.log.error({ err, requestId: req.id }, "internal error"),
				},
			);
			reply.code(answer.statusCode).headers(answer.headers);
			return answer.body;
		}
		const name = parseTarget(
			req.headers["x-amz-target"],
			isOperation,
		) as OperationName;
		const op = findOperation(name);
		if (!op)
			throw new Error("unreachable: parseTarget admitted an unknown operation");
		checkContentType(req.headers["content-type"]);
		const body = req.body as Buffer | undefined;
		let caller: Caller | undefined;
		if (op.auth === "sigv4") {
			const verified = verifySigV4(
				{
					method: req.method,
					url: req.raw.url ?? "/",
					headers: req.headers,
					body: body ?? Buffer.alloc(0),
				},
				(id) => credentials.lookup(id),
				new Date(clock.now()),
			);
			caller = {
				accountId: verified.accountId,
				region: verified.region,
				accessKeyId: verified.accessKeyId,
			};
		}
		throttle.take(name, caller?.accountId);
		const input = validateInput(name, decodeBody(body));
		const ctx: OperationContext = {
			store,
			clock,
			settings,
			logger: req.log,
			requestId: req.id,
			caller,
			tokens,
			issuer: issuer(),
			logins,
			credentials: credentialsProvider,
		};
		const result = await op.handler(input as never, ctx);
		reply.header("content-type", JSON_11);
		// A Buffer, so that Fastify adds no charset to the content type AWS answers.
		return Buffer.from(encodeResult(result));
	});

	const pruneExpiredCredentials = () =>
		store.credentials.prune(clock.now() - CREDENTIALS_RETENTION_MS);
	let pruneTimer: NodeJS.Timeout | undefined;
	/** The prune in progress, which close() waits for before closing the store. */
	let pruning: Promise<void> = Promise.resolve();
	const prune = () => {
		pruning = pruneExpiredCredentials().then(
			(count) => {
				if (count > 0) app.log.debug({ count }, "expired credentials deleted");
			},
			(err) =>
				app.log.warn({ err }, "expired credentials could not be deleted"),
		);
	};

	let closed = false;
	return {
		app,
		store,
		config,
		get url() {
			return url;
		},
		get issuer() {
			return config.issuer === undefined && url === undefined
				? undefined
				: issuer();
		},
		keys,
		async listen() {
			await app.listen({ host: config.host, port: config.port });
			const address = app.server.address();
			const port =
				typeof address === "object" && address ? address.port : config.port;
			url = baseUrl(config.host, port);
			prune();
			pruneTimer = setInterval(prune, CREDENTIALS_PRUNE_INTERVAL_MS).unref();
			return url;
		},
		pruneExpiredCredentials,
		async close() {
			if (closed) return;
			closed = true;
			clearInterval(pruneTimer);
			await app.close();
			await pruning;
			await store.close();
		},
	};
}

/** The key ring of a server or command working on `store` (one reload interval for all). */
export function newKeyRing(
	store: Store,
	clock: Clock,
	config: Config,
	onReloadError?: (error: unknown) => void,
): KeyRing {
	return new KeyRing(store.signingKeys, clock, {
		reloadIntervalMs: config.keyReloadSeconds * 1000,
		rotationDelayMs: config.keyReloadSeconds * 2000,
		...(onReloadError ? { onReloadError } : {}),
	});
}

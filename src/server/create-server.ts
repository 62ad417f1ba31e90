/**
 * @module server/create-server
 * The composition root: the one place that builds a server's parts from its configuration
 * (store, clock, access keys, signing keys, token issuer, login verifier, credentials
 * providers, authenticator, rate quotas, dispatcher, HTTP app) and wires them together, for
 * the CLI and the tests alike. It handles no request itself: the dispatcher
 * (`dispatch/dispatcher.ts`) does, behind the HTTP app (`server/http.ts`). No module-level
 * state: several servers can run in one process.
 */
import { Authenticator } from "../auth/authenticator.ts";
import {
	type AccountCredential,
	CredentialRegistry,
	defaultAccount,
	singleKey,
} from "../auth/credentials.ts";
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { ownTokenMinter } from "../credentials/own-token.ts";
import { localCredentialsProvider } from "../credentials/provider.ts";
import { stsCredentialsProvider } from "../credentials/sts-provider.ts";
import { type CallObserver, createDispatcher } from "../dispatch/dispatcher.ts";
import { Throttle } from "../dispatch/throttle.ts";
import { isPlainIssuerKey } from "../federation/kinds/oidc.ts";
import { createLoginVerifier } from "../federation/login-verifier.ts";
import { isAllowedProviderUrl } from "../federation/providers.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { InFlight } from "../lib/in-flight.ts";
import { operationNames } from "../operations/index.ts";
import type { OperationSettings } from "../operations/operation.ts";
import { awsJson } from "../protocol/aws-json.ts";
import { awsQuery } from "../protocol/aws-query.ts";
import type { Store } from "../store/store.ts";
import {
	DEV_AUDIENCE,
	DevIssuer,
	devIssuerUrl,
	providerNameOf,
} from "../tokens/dev-issuer.ts";
import { KeyEncryption } from "../tokens/key-encryption.ts";
import type { KeyRing } from "../tokens/key-ring.ts";
import type { SigningKeyGenerator } from "../tokens/keys.ts";
import { discoveryDocument, TokenIssuer } from "../tokens/tokens.ts";
import { ownTokenVerifier } from "../tokens/web-identity.ts";
import {
	applyDeclaredPools,
	applyOptions,
	describeChange,
	PoolApplyError,
	type PoolChange,
} from "./apply-pools.ts";
import {
	CONSOLE_PATH,
	ConsoleAssets,
	ConsoleRequests,
	consoleRoutes,
	consoleServed,
	liveViewsInAll,
} from "./console.ts";
import {
	HealthProblem,
	passingWriteReused,
	READY_PROBE_BYTES,
	readiness,
	STORE_CHECK_REUSE_MS,
} from "./health.ts";
import {
	createHttpApp,
	type HttpAppOptions,
	installMetrics,
	installRoutes,
	listenQuietly,
} from "./http.ts";
import { serverMetrics } from "./metrics.ts";
import { openConfiguredStore } from "./open-store.ts";
import { PoolPurger, type PurgerOptions, wakingPurger } from "./pool-purger.ts";
import { logHttpRequest, requestLogObserver } from "./request-log.ts";
import { sealedCredentials } from "./sealed-credentials.ts";
import { configuredTokenAlgorithm, newKeyRing } from "./signing-keys.ts";

/**
 * Issued credentials are deleted this long after they expire: until then the STS endpoint
 * still recognises them and answers ExpiredToken, as AWS does for expired credentials.
 */
export const CREDENTIALS_RETENTION_MS = 24 * 3600_000;
/** How often a server deletes the credentials past their retention (also once at start). */
const CREDENTIALS_PRUNE_INTERVAL_MS = 10 * 60_000;

/** What tests (and embedders) may replace. */
export interface ServerOverrides {
	clock?: Clock;
	/** A store to use instead of opening `config.db`; the server closes it on close. */
	store?: Store;
	/** Access keys, instead of those from the config. */
	credentials?: AccountCredential[];
	/** Where log lines go instead of standard output. */
	logStream?: { write(line: string): void };
	/** Told of every call, after the server's own observers (dispatch/dispatcher.ts). */
	observers?: readonly CallObserver[];
	/** The built web console to serve, instead of the package's `dist/console/`. */
	consoleDir?: string;
	/** How long a live view's stream lasts before the page opens the next (default 10 minutes). */
	liveViewLifetimeMs?: number;
	/** How the purger of deleted pools works (server/pool-purger.ts), over its defaults. */
	purge?: PurgerOptions;
	/** What makes the server's new signing keys (tokens/keys.ts), instead of generating them. */
	generateKey?: SigningKeyGenerator;
}

/** A built server, not yet listening. */
export interface IdpoolServer {
	readonly app: ReturnType<typeof createHttpApp>;
	readonly store: Store;
	readonly config: Config;
	/** Starts listening; answers the base URL actually bound. */
	listen(): Promise<string>;
	/** The base URL once listening. */
	readonly url: string | undefined;
	/** The base URL of the `--metrics-port` listener once listening; undefined without one. */
	readonly metricsUrl: string | undefined;
	/**
	 * The token issuer: `--issuer` without a trailing slash, else the base URL actually bound.
	 * Known once listening.
	 */
	readonly issuer: string | undefined;
	/** The signing keys this server uses and publishes. */
	readonly keys: KeyRing;
	/** The development issuer, when it is on (docs/federation.md#a-development-issuer). */
	readonly devIssuer: DevIssuerInfo | undefined;
	/**
	 * The web console's URL, once listening, when this server serves it (docs/console.md);
	 * `undefined` otherwise.
	 */
	readonly consoleUrl: string | undefined;
	/**
	 * The purger that removes the identities of deleted pools in the background
	 * (docs/behaviour.md#deleteidentitypool); it starts with {@link listen}.
	 */
	readonly purger: PoolPurger;
	/** What applying the configuration's `pools` did at start, one entry a pool. */
	readonly seeded: readonly PoolChange[];
	/**
	 * The account of signed calls in the mode that accepts any access key, when it is on: the
	 * first access key's, as of the last reload.
	 */
	readonly acceptAnyKeyAs: string | undefined;
	/**
	 * Takes the access keys, providers and pools of a configuration read again (SIGHUP): the
	 * keys (`credentials`, as a credentials file lists them; when left out, those in force
	 * stay) and the providers replace those in force, the pools are applied in the keys'
	 * accounts (docs/configuration-as-code.md). Other settings need a restart. Answers what
	 * applying did; a file whose pools cannot be applied changes nothing, keys and providers
	 * included.
	 * @throws ConfigError for pools that cannot be applied
	 */
	reload(
		config: Config,
		credentials?: AccountCredential[],
	): Promise<readonly PoolChange[]>;
	/**
	 * Deletes the issued credentials that expired more than {@link CREDENTIALS_RETENTION_MS}
	 * ago; answers how many. The server runs it every {@link CREDENTIALS_PRUNE_INTERVAL_MS}.
	 */
	pruneExpiredCredentials(): Promise<number>;
	/**
	 * Resolves once the background work under way is done: the credentials' prune and the
	 * purger's run, both started with the server (tests that count what reaches the database).
	 */
	backgroundSettled(): Promise<void>;
	/**
	 * Stops the server (docs/deployment.md#stopping): stops accepting connections, closes the
	 * idle ones, lets requests in flight finish for up to `--shutdown-timeout-seconds`, then
	 * closes the connections still open, waits for the calls still running (up to the same
	 * deadline, or a second past it) and closes the store. Calling it again answers the same
	 * promise.
	 */
	close(): Promise<CloseReport>;
}

/** What the banner says of the development issuer. */
export interface DevIssuerInfo {
	/** Its URL, the `iss` of its tokens: the server's issuer and `/dev-issuer`. */
	readonly url: string;
	/** Its provider name (`Logins` key, `oidc-provider/<name>`): the URL without its scheme. */
	readonly providerName: string;
	/** The audience of tokens whose request names none; pools accept it without configuration. */
	readonly audience: string;
	/**
	 * Whether pools can accept its tokens: its keys are fetched like any provider's, which is
	 * over https, or plain http on loopback only.
	 */
	readonly verifiable: boolean;
}

/** How a server stopped. */
export interface CloseReport {
	/** Connections still open at the deadline, which were closed. */
	closedConnections: number;
}

/** Calls still running once the connections are closed get at least this long to settle. */
const SETTLE_GRACE_MS = 1000;

function baseUrl(host: string, port: number): string {
	const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
	return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/** The server settings operations read. */
function operationSettings(config: Config): OperationSettings {
	return {
		maxPools: config.maxPools,
		maxTags: config.maxTags,
		maxUserPoolProviders: config.maxUserPoolProviders,
		maxLogins: config.maxLogins,
		maxRoleMappings: config.maxRoleMappings,
		maxMappingRules: config.maxMappingRules,
		crossAccountRoles: config.crossAccountRoles,
	};
}

/** Builds a server from a resolved configuration. */
export async function createServer(
	config: Config,
	overrides: ServerOverrides = {},
): Promise<IdpoolServer> {
	const clock = overrides.clock ?? systemClock;
	const credentials = overrides.credentials ?? [singleKey(config)];
	/** The access keys that sign calls; a reload (SIGHUP) may replace them. */
	let accessKeys = new CredentialRegistry(credentials);
	/**
	 * The account of any key when any is accepted (`--accept-any-credentials`): the first key's,
	 * as for declared pools without an account; a reload may change it.
	 */
	let anyKeyAccount = config.acceptAnyCredentials
		? defaultAccount(accessKeys.list(), config)
		: undefined;
	const metrics = serverMetrics(config);
	// Until the server's logger exists, a problem of the checkpoint worker is a process warning.
	let warn = (message: string) => process.emitWarning(message);
	let fail = (message: string) => process.emitWarning(message);
	// A bad value fails before the database is opened.
	configuredTokenAlgorithm(config);
	const store =
		overrides.store ??
		(await openConfiguredStore(config, {
			backgroundCheckpoints: { onProblem: (message) => warn(message) },
			onFailure: (message) => fail(message),
			clock,
			metrics: metrics.port,
		}));
	try {
		await store.migrate();
	} catch (err) {
		await store.close().catch(() => {});
		throw err;
	}

	const httpOptions: HttpAppOptions = {
		log: {
			level: config.logLevel,
			format: config.logFormat ?? "json",
			...(overrides.logStream ? { stream: overrides.logStream } : {}),
		},
		limits: {
			requestTimeoutMs: config.requestTimeoutSeconds * 1000,
			keepAliveTimeoutMs: config.keepAliveTimeoutSeconds * 1000,
			maxConnections: config.maxConnections,
		},
		clock,
		corsOrigins: config.corsOrigins,
		onRefused: (reason) => metrics.port.httpRefused(reason),
	};
	const app = createHttpApp(httpOptions);
	warn = (message) => app.log.warn(message);
	fail = (message) => app.log.error(message);

	const keys = newKeyRing(store, clock, config, {
		onReloadError: (err) =>
			app.log.warn(
				{ err },
				"signing keys could not be reloaded; the keys loaded before stay in use",
			),
		...(overrides.generateKey ? { generate: overrides.generateKey } : {}),
	});
	try {
		const { encrypted } = await keys.init();
		const switched = await keys.switchAlgorithm();
		if (switched) {
			app.log.info(
				{
					kid: switched.kid,
					alg: switched.alg,
					signsFrom: new Date(switched.activatesAt).toISOString(),
				},
				"the signing keys are of another algorithm than --token-algorithm: a key of it is published now and signs from then on",
			);
		}
		if (encrypted > 0) {
			app.log.info(
				{ count: encrypted, keyEncryptionKey: keys.encryptionKeyId },
				"signing keys stored in plain were encrypted with the key-encryption key",
			);
		}
	} catch (err) {
		// Nothing is listening yet: release the database so the process can exit.
		await store.close().catch(() => {});
		throw err;
	}

	/** Applies the pools of `next`, in the accounts of `keys`. */
	const applyPools = async (
		next: Config,
		keys: CredentialRegistry,
		log: (line: string) => void,
	): Promise<PoolChange[]> => {
		try {
			const changes = await applyDeclaredPools(
				store,
				next.pools,
				applyOptions(next, keys.list(), clock),
			);
			for (const change of changes) {
				if (change.outcome !== "unchanged") log(describeChange(change));
			}
			return changes;
		} catch (err) {
			if (err instanceof PoolApplyError) {
				throw new ConfigError(
					`config file ${next.configFile ?? "(none)"}: ${err.message}`,
				);
			}
			throw err;
		}
	};
	let seeded: PoolChange[];
	try {
		seeded = await applyPools(config, accessKeys, (line) => app.log.info(line));
	} catch (err) {
		await store.close().catch(() => {});
		throw err;
	}
	let providers = config.providers;

	let url: string | undefined;
	let metricsUrl: string | undefined;
	/** `--issuer` without a trailing slash, else the base URL actually bound. */
	const issuer = (): string =>
		config.issuer?.replace(/\/+$/, "") ?? url ?? "http://127.0.0.1";

	const devIssuer = config.devIssuer
		? await DevIssuer.create(clock, () => devIssuerUrl(issuer())).catch(
				async (err: unknown) => {
					await store.close().catch(() => {});
					throw err;
				},
			)
		: undefined;
	const devIssuerInfo = (): DevIssuerInfo | undefined => {
		if (!devIssuer) return undefined;
		const url = devIssuer.url;
		const providerName = providerNameOf(url);
		return {
			url,
			providerName,
			audience: DEV_AUDIENCE,
			verifiable: isAllowedProviderUrl(url) && isPlainIssuerKey(providerName),
		};
	};

	// The identities of deleted pools go in the background, on the store itself (untimed).
	const purger = new PoolPurger(store, overrides.purge, metrics.port, app.log);
	// What calls use: the store timed, tokens and credentials counted (when metrics are on),
	// and the purger woken by a deletion.
	const observed = wakingPurger(metrics.observe(store), purger);
	const tokens = new TokenIssuer(keys, metrics.port);
	// Issued credentials' secret keys are sealed at rest with the signing keys' KEK, if any.
	const issuedCredentials = sealedCredentials(
		observed.credentials,
		new KeyEncryption(config.keyEncryptionKeys),
	);
	const localCredentials = metrics.counted(
		localCredentialsProvider(issuedCredentials, clock, {
			trust: config.crossAccountRoles,
		}),
		"local",
	);
	const authenticator = new Authenticator({
		lookupAccessKey: (id) => accessKeys.lookup(id),
		issued: issuedCredentials,
		clock,
		acceptAnyKeyAs: () => anyKeyAccount,
	});
	const webConsole = consoleServed(config.console, config.host)
		? consoleRoutes({
				assets: new ConsoleAssets(overrides.consoleDir),
				requests: new ConsoleRequests(
					clock,
					liveViewsInAll(config.maxConnections),
				),
				authenticator,
				keys,
				...(overrides.liveViewLifetimeMs === undefined
					? {}
					: { lifetimeMs: overrides.liveViewLifetimeMs }),
			})
		: undefined;
	if (webConsole?.problem) app.log.warn(webConsole.problem);
	const dispatch = createDispatcher({
		json: awsJson,
		query: awsQuery(operationNames("sts")),
		authenticator,
		throttle: new Throttle(config.rateLimits, clock, metrics.port),
		issuer,
		observers: [
			...metrics.observers,
			...(config.requestLogs ? [requestLogObserver(app.log)] : []),
			...(webConsole ? [webConsole.observe] : []),
			...(overrides.observers ?? []),
		],
		services: {
			store: observed,
			clock,
			settings: operationSettings(config),
			tokens,
			logins: createLoginVerifier({
				providers: () => providers,
				// The development issuer is registered the way an IAM OIDC provider is on AWS, with
				// its default audience as client id.
				...(devIssuer
					? {
							builtInProviders: () => ({
								[providerNameOf(devIssuer.url)]: { clientIds: [DEV_AUDIENCE] },
							}),
						}
					: {}),
				fetchTimeoutMs: config.providerTimeoutSeconds * 1000,
				clockSkewSeconds: config.tokenGraceSeconds,
				clock,
				issuer,
				ownJwks: () => keys.jwks(),
				metrics: metrics.port,
			}),
			credentials:
				config.credentialsProvider === "sts"
					? metrics.counted(
							stsCredentialsProvider({
								...(config.stsEndpoint ? { endpoint: config.stsEndpoint } : {}),
								mintToken: ownTokenMinter({
									tokens,
									issuer,
									clock,
									identities: observed.identities,
								}),
							}),
							"sts",
						)
					: localCredentials,
			localCredentials,
			firstLogins: new InFlight<string>(),
			verifyWebIdentity: ownTokenVerifier({
				issuer,
				jwks: () => keys.jwks(),
				clock,
				graceSeconds: config.tokenGraceSeconds,
			}),
		},
	});

	const routes = await installRoutes(app, {
		dispatch,
		discovery: async () => discoveryDocument(issuer(), await keys.algorithms()),
		jwks: () => keys.jwks(),
		documentsMaxAge: config.keyReloadSeconds,
		ping: passingWriteReused(store),
		engine: store.engine,
		ready: readiness(
			[
				{ name: "database", run: () => store.checkDatabase() },
				{
					name: "store",
					run: () => store.ping(READY_PROBE_BYTES),
					reuseMs: STORE_CHECK_REUSE_MS,
				},
				{
					name: "signing-keys",
					run: async () => {
						if (!keys.canSign) {
							throw new HealthProblem("no signing key is loaded that can sign");
						}
					},
				},
			],
			app.log,
		),
		onHttpRequest: (record) => {
			metrics.port.httpAnswered(record.route, record.statusCode);
			if (config.requestLogs) logHttpRequest(app.log, record);
		},
		...(devIssuer
			? {
					devIssuer: {
						discovery: () => devIssuer.discovery(),
						jwks: () => devIssuer.jwks(),
						token: (body: Buffer) => devIssuer.mint(body),
					},
				}
			: {}),
		corsOrigins: config.corsOrigins,
		...(webConsole ? { console: webConsole.routes } : {}),
	});
	if (metrics.onMainPort) {
		installMetrics(app, metrics.onMainPort, { alone: false });
	}

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

	let closing: Promise<CloseReport> | undefined;
	const stop = async (): Promise<CloseReport> => {
		clearInterval(pruneTimer);
		// No purge batch after the one under way; the next start takes the purge up again.
		const purgeStopped = purger.stop();
		const deadline = performance.now() + config.shutdownTimeoutSeconds * 1000;
		let closedConnections = 0;
		// Fastify stops accepting, closes idle connections and answers `Connection: close` on the
		// others; it resolves once every connection has ended.
		const appClosed = app.close();
		const timer = setTimeout(() => {
			app.server.getConnections((_err, count) => {
				closedConnections = count;
				app.server.closeAllConnections();
			});
		}, config.shutdownTimeoutSeconds * 1000);
		try {
			await appClosed;
		} finally {
			clearTimeout(timer);
		}
		await routes.settled(
			Math.max(deadline - performance.now(), SETTLE_GRACE_MS),
		);
		await metrics.close();
		await pruning;
		await purgeStopped;
		await store.close();
		return { closedConnections };
	};
	return {
		app,
		store,
		config,
		get url() {
			return url;
		},
		get metricsUrl() {
			return metricsUrl;
		},
		get issuer() {
			return config.issuer === undefined && url === undefined
				? undefined
				: issuer();
		},
		keys,
		get devIssuer() {
			return devIssuerInfo();
		},
		get consoleUrl() {
			return webConsole && url !== undefined
				? `${url}${CONSOLE_PATH}/`
				: undefined;
		},
		seeded,
		purger,
		async backgroundSettled() {
			await pruning;
			await purger.idle();
		},
		get acceptAnyKeyAs() {
			return anyKeyAccount;
		},
		async reload(next, nextCredentials) {
			// The pools first, in the accounts of the new keys: if they cannot be applied, neither
			// the keys nor the providers change.
			const keys = nextCredentials
				? new CredentialRegistry(nextCredentials)
				: accessKeys;
			const changes = await applyPools(next, keys, (line) =>
				app.log.info(line),
			);
			const before = accessKeys;
			accessKeys = keys;
			if (anyKeyAccount !== undefined) {
				anyKeyAccount = defaultAccount(keys.list(), next);
			}
			providers = next.providers;
			// A key taken away no longer sees the account's calls in a live view it opened.
			webConsole?.endViews(
				(id) =>
					before.lookup(id) !== undefined && keys.lookup(id) === undefined,
			);
			return changes;
		},
		async listen() {
			const port = await listenQuietly(app, config.host, config.port);
			url = baseUrl(config.host, port);
			// The same logging and limits as the main port's.
			const ownPort = await metrics.listen(httpOptions);
			if (ownPort !== undefined) metricsUrl = baseUrl(config.host, ownPort);
			prune();
			pruneTimer = setInterval(prune, CREDENTIALS_PRUNE_INTERVAL_MS).unref();
			purger.start();
			return url;
		},
		pruneExpiredCredentials,
		close() {
			closing ??= stop();
			return closing;
		},
	};
}

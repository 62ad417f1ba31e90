/**
 * @module api
 * The package's programmatic entry point (`import { startIdpool } from "idpool"`): starts a
 * server in this process, for test suites and tools, with everything `idpool serve` takes as
 * options (the members of a configuration file, docs/configuration.md), and answers what SDK
 * clients need to reach it. Unlike `idpool serve` it listens on a free port of 127.0.0.1 and
 * keeps its data in memory unless told otherwise, logs nothing, ignores the environment and
 * leaves the process's signals and thread pool alone: the caller owns the process.
 * docs/testing-with-idpool.md shows it in use.
 */
import {
	type AccountCredential,
	parseCredentialsFile,
	singleKey,
} from "../auth/credentials.ts";
import { readCredentials } from "../cli/main.ts";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { createServer } from "../server/create-server.ts";

export type { AccountCredential } from "../auth/credentials.ts";
export { CredentialsFileError } from "../auth/credentials.ts";
export { ConfigError } from "../config/load.ts";
export type { Config } from "../config/schema.ts";

/** A setting's value as options take it: as in a configuration file. */
type SettingInput<T> = [NonNullable<T>] extends [string]
	? string
	: [NonNullable<T>] extends [number]
		? number | string
		: [NonNullable<T>] extends [boolean]
			? boolean | "true" | "false"
			: [NonNullable<T>] extends [readonly string[]]
				? readonly string[] | string
				: unknown;

/** Settings that options give in another form than {@link SettingInput} derives. */
interface SpecialSettings {
	/** Federated login providers, as the `providers` table of the configuration file (docs/federation.md). */
	providers: Readonly<
		Record<
			string,
			{
				jwksUri?: string;
				jwks?: { keys: readonly Readonly<Record<string, unknown>>[] };
				clientIds?: readonly string[];
				verifyUrl?: string;
			}
		>
	>;
	/** Per-operation rates (`{"GetId": 25}`), or `"off"`. */
	rateLimits: Readonly<Record<string, number>> | string;
	/** Roles of other accounts that pools may use: `["<pool account>=<role account or ARN>"]`. */
	crossAccountRoles: readonly string[] | string;
}

/**
 * The options of {@link startIdpool}: every setting of docs/configuration.md under its key,
 * as a configuration file takes it (`configFile` names such a file, which these members
 * override), plus the members below. Not given: as `idpool serve`, except `port` (0, a free
 * port), `db` (`:memory:`) and `logLevel` (`silent`). The environment is not read.
 */
export type IdpoolOptions = {
	readonly [K in Exclude<
		keyof Config,
		keyof SpecialSettings | "keyEncryptionKeys"
	>]?: SettingInput<Config[K]>;
} & { readonly [K in keyof SpecialSettings]?: SpecialSettings[K] } & {
	/**
	 * The accounts and their access keys, as a credentials file lists them (instead of
	 * `accessKeyId`, `secretAccessKey` and `accountId`); the first one is answered as
	 * {@link RunningIdpool.credentials}.
	 */
	readonly credentials?: readonly AccountCredential[];
	/**
	 * The region answered for SDK clients (default `us-east-1`). The server answers in any
	 * region; a pool's id carries the region of the client that created it.
	 */
	readonly region?: string;
};

/** A server started by {@link startIdpool}. */
export interface RunningIdpool {
	/** The base URL of the server, for the SDKs' `endpoint` (e.g. `http://127.0.0.1:39211`). */
	readonly endpoint: string;
	/** The issuer (`iss`) of the OpenID tokens it signs. */
	readonly issuer: string;
	/** The region to give SDK clients (the `region` option). */
	readonly region: string;
	/**
	 * An access key of the server, for SDK clients' `credentials` (a new object each time it
	 * is read).
	 */
	readonly credentials: {
		readonly accessKeyId: string;
		readonly secretAccessKey: string;
	};
	/** The account those credentials belong to. */
	readonly accountId: string;
	/**
	 * The development issuer, when `devIssuer` is on (docs/federation.md#a-development-issuer):
	 * its URL and its provider name (the `Logins` key).
	 */
	readonly devIssuer:
		| { readonly url: string; readonly providerName: string }
		| undefined;
	/**
	 * Stops the server: waits for the requests in flight, closes the connections and the
	 * database. Calling it again answers the same promise.
	 */
	stop(): Promise<void>;
	/** {@link stop}, for `await using`. */
	[Symbol.asyncDispose](): Promise<void>;
}

/** How messages name the options. */
const OPTIONS = "the options of startIdpool";

/** Members of {@link IdpoolOptions} that are not settings. */
const API_ONLY = new Set(["credentials", "region"]);

/**
 * Starts an idpool server in this process and answers once it listens.
 *
 * @example
 * ```ts
 * const idpool = await startIdpool();
 * const client = new CognitoIdentityClient({
 *   endpoint: idpool.endpoint,
 *   region: idpool.region,
 *   credentials: idpool.credentials,
 * });
 * // ...
 * await idpool.stop();
 * ```
 * @throws ConfigError or CredentialsFileError when an option is not valid (the message names
 *   it); the error of `listen` (EADDRINUSE) when a port given is in use.
 */
export async function startIdpool(
	options: IdpoolOptions = {},
): Promise<RunningIdpool> {
	const members: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(options)) {
		if (value !== undefined && !API_ONLY.has(key)) members[key] = value;
	}
	const config = loadConfig(
		{},
		{},
		{
			members,
			name: OPTIONS,
			// Unless the options or their file say otherwise.
			defaults: { port: 0, db: ":memory:", logLevel: "silent" },
		},
	);
	// Checked as a credentials file is.
	const accounts = options.credentials
		? parseCredentialsFile(
				JSON.stringify(options.credentials),
				`${OPTIONS}: credentials`,
			)
		: readCredentials(config);
	const server = await createServer(
		config,
		accounts ? { credentials: accounts } : {},
	);
	let endpoint: string;
	try {
		endpoint = await server.listen();
	} catch (err) {
		await server.close();
		throw err;
	}
	const first = accounts?.[0] ?? singleKey(config);
	let stopped: Promise<void> | undefined;
	const stop = () => {
		stopped ??= server.close().then(() => {});
		return stopped;
	};
	const dev = server.devIssuer;
	return Object.freeze({
		endpoint,
		issuer: server.issuer ?? endpoint,
		region: options.region ?? "us-east-1",
		// A new object each time: the AWS SDK v3 writes on the credentials object it is given.
		get credentials() {
			return {
				accessKeyId: first.accessKeyId,
				secretAccessKey: first.secretAccessKey,
			};
		},
		accountId: first.accountId,
		devIssuer:
			dev && Object.freeze({ url: dev.url, providerName: dev.providerName }),
		stop,
		[Symbol.asyncDispose]: stop,
	});
}

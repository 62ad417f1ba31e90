/**
 * @module federation/providers
 * The operator's settings of federated login providers (the `providers` table of the
 * configuration file, docs/federation.md) and the rules about provider names and URLs that
 * both login validation and the configuration loader apply: what a user-pool `Logins` key
 * looks like, and which URLs keys and token-inspection answers may come from. Configuration
 * loading validates the table against these rules and imports them from here; federation
 * never imports configuration loading.
 */

/** A public JSON Web Key Set given inline (RFC 7517). */
export interface InlineJwks {
	readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/**
 * Where one federated login provider's keys, audiences and token-inspection endpoint come
 * from (docs/federation.md). Every member is optional: what is absent falls back to the
 * provider's real public endpoint. Tokens keep their real `iss`; only where the keys come
 * from changes.
 */
export interface ProviderSettings {
	/** URL of the provider's JWKS (replaces the public one, or an OIDC discovery lookup). */
	readonly jwksUri?: string;
	/** The provider's public keys, inline: nothing is fetched. */
	readonly jwks?: InlineJwks;
	/** The audiences an OpenID Connect provider accepts (what IAM's OIDC provider holds on AWS). */
	readonly clientIds?: readonly string[];
	/** The token-inspection endpoint of Facebook, Login with Amazon or Twitter. */
	readonly verifyUrl?: string;
}

/**
 * Provider settings by the provider's name as it appears in `Logins` (`accounts.google.com`,
 * `cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc`, `oidc.example.com`, ...). A
 * null-prototype object, so that a `Logins` key such as `constructor` never finds anything.
 */
export type ProviderMap = Readonly<Record<string, ProviderSettings>>;

/** The `Logins` key of a Cognito user pool: `cognito-idp.<region>.amazonaws.com/<poolId>`. */
export const USER_POOL_KEY =
	/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[\w-]+$/;

/** A host with an optional port, as the first part of a provider name. */
const HOST = String.raw`(?:[A-Za-z0-9.-]+|\[::1\])(?::\d{1,5})?`;

/**
 * The `providers` key that stands for every user pool of one local user-pool emulator:
 * `<host>[:<port>]/*` (docs/federation.md#a-local-user-pool-emulator).
 */
export const USER_POOL_EMULATOR_KEY = new RegExp(`^${HOST}/\\*$`);

/**
 * A user pool's name under an emulator's address, `<host>[:<port>]/<userPoolId>`: one path
 * segment of word characters and dashes, so that the keys' URL made from it stays on that
 * host, under that pool.
 */
const EMULATED_USER_POOL = new RegExp(`^${HOST}/[\\w-]+$`);

/** Whether `hostname` (as a URL writes it: no port, an IPv6 literal in brackets) is the loopback interface. */
function isLoopbackHostname(hostname: string): boolean {
	return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(hostname);
}

/** Whether the host of the provider name `key` is the loopback interface. */
export function isLoopbackKey(key: string): boolean {
	const host = key.split("/")[0] ?? "";
	return isLoopbackHostname(host.replace(/:\d+$/, ""));
}

/**
 * The issuers an ID token given under `key` may name: `https://<key>` (docs/behaviour.md#federation),
 * and also `http://<key>` when the key's host is the loopback interface, so that a provider
 * running locally without TLS (a development Keycloak or dex, a user-pool emulator, a mock)
 * can be used as it is.
 */
export function issuersOfKey(key: string): string[] {
	return isLoopbackKey(key)
		? [`https://${key}`, `http://${key}`]
		: [`https://${key}`];
}

/**
 * Whether `url` may be a key or inspection endpoint: https anywhere; plain http only on the
 * loopback interface, where nobody can tamper with the keys in transit (local emulators and
 * test doubles).
 */
export function isAllowedProviderUrl(url: string): boolean {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return false;
	}
	if (parsed.protocol === "https:") return true;
	if (parsed.protocol !== "http:") return false;
	return isLoopbackHostname(parsed.hostname);
}

/**
 * The operator's settings of the user pool `key`: its own entry, else, for a name of the
 * form `<host>[:<port>]/<userPoolId>`, the entry of its emulator, `<host>[:<port>]/*`. Only
 * user pools look for the emulator's entry: it says where the keys of the pools of that
 * address are, nothing about other kinds of provider.
 */
export function userPoolSettingsOf(
	providers: ProviderMap,
	key: string,
): ProviderSettings | undefined {
	// An emulator's entry names no pool (nor can a pool's name hold `*`: the model refuses it).
	if (USER_POOL_EMULATOR_KEY.test(key)) return undefined;
	const own = settingsOf(providers, key);
	if (own !== undefined || !EMULATED_USER_POOL.test(key)) return own;
	return settingsOf(providers, `${key.slice(0, key.lastIndexOf("/"))}/*`);
}

/** The settings of `key`, own properties only (a key such as `constructor` finds nothing). */
export function settingsOf(
	providers: ProviderMap,
	key: string,
): ProviderSettings | undefined {
	return Object.hasOwn(providers, key) ? providers[key] : undefined;
}

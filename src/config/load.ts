/**
 * @module config/load
 * Resolves the {@link Config} from defaults, an optional JSON configuration file, the
 * environment and command-line flags (in that order of precedence), validates every value and
 * freezes the result. Invalid input throws a {@link ConfigError} whose one-line message names
 * the flag, variable or file key at fault. The file also carries the `providers` table of
 * federated login providers, validated here so that a typo stops the server at start rather
 * than failing logins later.
 */
import { readFileSync } from "node:fs";
import { AWS_RATE_LIMITS, type RateLimits } from "../dispatch/throttle.ts";
import type { CrossAccountTrust } from "../domain/sts-roles.ts";
import {
	type InlineJwks,
	isAllowedProviderUrl,
	type ProviderMap,
	type ProviderSettings,
	USER_POOL_EMULATOR_KEY,
	USER_POOL_KEY,
} from "../federation/providers.ts";
import { PoolDeclarationError, parseDeclaredPools } from "./pools.ts";
import { type Config, SETTINGS, type SettingSpec } from "./schema.ts";

/** A configuration problem, reported to the user as one line. */
export class ConfigError extends Error {
	override readonly name = "ConfigError";
}

const OPERATION_NAME = /^[A-Z][A-Za-z]+$/;

/** `raw` as a whole number from `min` to `max` (digits only), or a ConfigError saying `what`. */
function wholeNumber(
	raw: string,
	min: number,
	max: number,
	source: string,
	what: string,
): number {
	const n = Number(raw);
	if (!/^\d+$/.test(raw) || n < min || n > max) {
		throw new ConfigError(`${source} must be ${what}, got '${raw}'`);
	}
	return n;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** One `<pool account>=<role account or role ARN>` pair of the cross-account trust. */
function trustEntry(part: string, source: string): CrossAccountTrust {
	const eq = part.indexOf("=");
	const pool = part.slice(0, eq).trim();
	const role = part.slice(eq + 1).trim();
	if (eq < 0 || !ACCOUNT_ID.test(pool)) {
		throw new ConfigError(
			`${source} must be a list of <pool account>=<role account or role ARN> pairs, got '${part}'`,
		);
	}
	if (ACCOUNT_ID.test(role))
		return { poolAccountId: pool, roleAccountId: role };
	if (ROLE_ARN.test(role)) return { poolAccountId: pool, roleArn: role };
	throw new ConfigError(
		`${source}: '${role}' is neither a 12-digit account id nor a role ARN`,
	);
}

/**
 * The allowed origins of CORS: `*` alone (any origin), or a list of origins of the form
 * `scheme://host[:port]`, exactly as a browser sends them in `Origin` (no path, no trailing
 * slash), so that a typo stops the server instead of silently refusing every page.
 */
function origins(raw: string, source: string): readonly string[] {
	const parts = raw
		.split(",")
		.map((p) => p.trim())
		.filter(Boolean);
	if (parts.length === 1 && parts[0] === "*") return Object.freeze(["*"]);
	if (parts.length === 0) {
		throw new ConfigError(
			`${source} must be * or a list of origins such as https://app.example.com`,
		);
	}
	for (const part of parts) {
		let origin: string | undefined;
		try {
			const url = new URL(part);
			if (url.protocol === "http:" || url.protocol === "https:") {
				origin = url.origin;
			}
		} catch {
			origin = undefined;
		}
		if (origin !== part) {
			throw new ConfigError(
				`${source}: '${part}' is not an origin: write scheme://host[:port] as the browser sends it (no path, no trailing slash${part === "*" ? "; * stands alone" : ""})`,
			);
		}
	}
	return Object.freeze(parts);
}

function parseValue(spec: SettingSpec, raw: string, source: string): unknown {
	switch (spec.type) {
		case "origins":
			return origins(raw, source);
		case "string":
			if (raw === "") throw new ConfigError(`${source} must not be empty`);
			return raw;
		case "port":
			return wholeNumber(
				raw,
				0,
				65535,
				source,
				"a port number from 0 to 65535",
			);
		case "count":
			return wholeNumber(
				raw,
				1,
				Number.MAX_SAFE_INTEGER,
				source,
				"a whole number of at least 1",
			);
		case "nice":
			return wholeNumber(raw, 0, 19, source, "a whole number from 0 to 19");
		case "seconds":
			return wholeNumber(
				raw,
				0,
				86400,
				source,
				"a whole number of seconds from 0 to 86400",
			);
		case "switch":
			if (raw === "on" || raw === "true") return true;
			if (raw === "off" || raw === "false") return false;
			throw new ConfigError(`${source} must be on or off, got '${raw}'`);
		case "boolean":
			if (raw === "true" || raw === "1") return true;
			if (raw === "false" || raw === "0") return false;
			throw new ConfigError(`${source} must be true or false, got '${raw}'`);
		case "trust":
			return Object.freeze(
				raw
					.split(",")
					.map((p) => p.trim())
					.filter(Boolean)
					.map((part) => trustEntry(part, source)),
			);
		case "providers": {
			let doc: unknown;
			try {
				doc = JSON.parse(raw);
			} catch (err) {
				throw new ConfigError(
					`${source} is not valid JSON: ${((err as Error).message.split("\n")[0] ?? "").trim()}`,
				);
			}
			return parseProviders(doc, source);
		}
		case "rates": {
			const rates: Record<string, number> = {};
			if (raw.trim() === "off") return Object.freeze(rates) as RateLimits;
			for (const part of raw
				.split(",")
				.map((p) => p.trim())
				.filter(Boolean)) {
				const [op, value, extra] = part.split("=");
				const n = Number(value);
				if (
					!op ||
					!OPERATION_NAME.test(op) ||
					extra !== undefined ||
					!(n > 0)
				) {
					throw new ConfigError(
						`${source} must be a list of Operation=perSecond pairs, got '${part}'`,
					);
				}
				rates[op] = n;
			}
			return Object.freeze(rates) as RateLimits;
		}
	}
}

/**
 * A setting's value in the file, as the text the flag or variable would carry, so that one
 * parser validates all three sources alike. JSON numbers are accepted for numeric settings
 * and an object of numbers for the rates, because that is what people write in JSON.
 */
function fileText(spec: SettingSpec, value: unknown, source: string): string {
	if (typeof value === "string") return value;
	if (
		(spec.type === "boolean" || spec.type === "switch") &&
		typeof value === "boolean"
	) {
		return String(value);
	}
	if (
		(spec.type === "trust" || spec.type === "origins") &&
		Array.isArray(value) &&
		value.every((v) => typeof v === "string")
	) {
		return value.join(",");
	}
	if (
		typeof value === "number" &&
		(spec.type === "port" ||
			spec.type === "count" ||
			spec.type === "nice" ||
			spec.type === "seconds")
	) {
		return String(value);
	}
	if (
		spec.type === "rates" &&
		typeof value === "object" &&
		value !== null &&
		!Array.isArray(value)
	) {
		return Object.entries(value)
			.map(([op, n]) => {
				if (typeof n !== "number") {
					throw new ConfigError(
						`${source} must map operation names to numbers, got ${JSON.stringify(n)} for '${op}'`,
					);
				}
				return `${op}=${n}`;
			})
			.join(",");
	}
	const wanted =
		spec.type === "string"
			? "a string"
			: spec.type === "rates"
				? 'an object such as {"GetId": 25} or a string such as "GetId=25"'
				: spec.type === "trust"
					? 'a list such as ["111111111111=222222222222"] or a string'
					: spec.type === "boolean"
						? "true or false"
						: spec.type === "switch"
							? '"on" or "off" (or true or false)'
							: spec.type === "origins"
								? 'a list such as ["https://app.example.com"] or a string'
								: "a number";
	throw new ConfigError(
		`${source} must be ${wanted}, got ${JSON.stringify(value)}`,
	);
}

/** The parsed configuration file: setting values as text by key, the providers and pools. */
interface FileSettings {
	path: string;
	values: Map<string, { text: string; source: string }>;
	providers: ProviderMap;
	/** The `pools` member as written, checked once the limits are known. */
	pools: unknown;
}

/** Reads and checks the configuration file named by `--config` / `IDPOOL_CONFIG`. */
function readConfigFile(path: string): FileSettings {
	return configDocument(parseConfigFile(path), path);
}

/** The JSON object of the configuration file at `path`. */
function parseConfigFile(path: string): object {
	let text: string;
	try {
		text = readFileSync(path, "utf8");
	} catch (err) {
		throw new ConfigError(
			`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
		);
	}
	let doc: unknown;
	try {
		doc = JSON.parse(text);
	} catch (err) {
		throw new ConfigError(
			`config file ${path} is not valid JSON: ${((err as Error).message.split("\n")[0] ?? "").trim()}`,
		);
	}
	if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
		throw new ConfigError(`config file ${path} must hold a JSON object`);
	}
	return doc;
}

/**
 * Checks a configuration document (the file's JSON object, or the options of the
 * programmatic API): the setting values as text, and the providers. `path` names the
 * document in messages.
 */
function configDocument(doc: object, path: string): FileSettings {
	const values = new Map<string, { text: string; source: string }>();
	let providers: ProviderMap = emptyProviders();
	let pools: unknown = [];
	for (const [key, value] of Object.entries(doc)) {
		const source = `'${key}' in ${path}`;
		if (key === "providers") {
			providers = parseProviders(value, path);
			continue;
		}
		if (key === "pools") {
			pools = value;
			continue;
		}
		const spec = SETTINGS.find((s) => s.key === key);
		if (!spec || spec.type === "providers") {
			throw new ConfigError(
				`config file ${path}: unknown setting '${key}' (settings use the keys of docs/configuration.md, e.g. "maxPools")`,
			);
		}
		if (spec.key === "configFile") {
			throw new ConfigError(
				`config file ${path}: 'configFile' cannot be set inside a config file`,
			);
		}
		values.set(key, { text: fileText(spec, value, source), source });
	}
	return { path, values, providers, pools };
}

function emptyProviders(): ProviderMap {
	return Object.freeze(Object.create(null) as Record<string, ProviderSettings>);
}

const PROVIDER_MEMBERS = ["jwksUri", "jwks", "clientIds", "verifyUrl"];
/** Providers whose tokens are opaque and checked through an inspection endpoint. */
const OPAQUE_PROVIDERS = new Set([
	"graph.facebook.com",
	"www.amazon.com",
	"api.twitter.com",
]);
/** Providers whose ID tokens are checked against the pool's `SupportedLoginProviders` app id. */
const SOCIAL_JWT_PROVIDERS = new Set([
	"accounts.google.com",
	"appleid.apple.com",
]);
function parseProviders(value: unknown, path: string): ProviderMap {
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		throw new ConfigError(
			`${path}: 'providers' must be an object mapping provider names to settings`,
		);
	}
	const out = Object.create(null) as Record<string, ProviderSettings>;
	for (const [name, settings] of Object.entries(value)) {
		out[name] = Object.freeze(parseProvider(name, settings, path));
	}
	return Object.freeze(out);
}

function parseProvider(
	name: string,
	value: unknown,
	path: string,
): ProviderSettings {
	const at = `${path}: providers["${name}"]`;
	if (name === "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(name)) {
		throw new ConfigError(
			`${at}: the key must be the provider name as it appears in Logins, without a scheme (e.g. "oidc.example.com")`,
		);
	}
	if (name.startsWith("arn:")) {
		throw new ConfigError(
			`${at}: SAML providers are not supported by idpool yet, so they take no settings`,
		);
	}
	if (name === "cognito-identity.amazonaws.com") {
		throw new ConfigError(
			`${at}: this server's own tokens are checked with its own signing keys and take no settings`,
		);
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		throw new ConfigError(
			`${at} must be an object with any of ${PROVIDER_MEMBERS.join(", ")}`,
		);
	}
	const v = value as Record<string, unknown>;
	for (const member of Object.keys(v)) {
		if (!PROVIDER_MEMBERS.includes(member)) {
			throw new ConfigError(
				`${at}: unknown member '${member}' (expected any of ${PROVIDER_MEMBERS.join(", ")})`,
			);
		}
	}
	const emulator = USER_POOL_EMULATOR_KEY.test(name);
	if (name.includes("*") && !emulator) {
		throw new ConfigError(
			`${at}: a * stands only for every user pool of one address, as in "localhost:9229/*"`,
		);
	}
	const opaque = OPAQUE_PROVIDERS.has(name);
	const social = SOCIAL_JWT_PROVIDERS.has(name);
	const userPool = USER_POOL_KEY.test(name) || emulator;
	const out: {
		jwksUri?: string;
		jwks?: InlineJwks;
		clientIds?: readonly string[];
		verifyUrl?: string;
	} = {};
	if (v.jwksUri !== undefined) {
		if (opaque) {
			throw new ConfigError(
				`${at}.jwksUri: ${name} tokens are not JWTs; use verifyUrl`,
			);
		}
		out.jwksUri = url(v.jwksUri, `${at}.jwksUri`);
	}
	if (v.jwks !== undefined) {
		if (opaque) {
			throw new ConfigError(
				`${at}.jwks: ${name} tokens are not JWTs; use verifyUrl`,
			);
		}
		if (out.jwksUri !== undefined) {
			throw new ConfigError(`${at}: give either jwksUri or jwks, not both`);
		}
		out.jwks = inlineJwks(v.jwks, `${at}.jwks`);
	}
	if (v.clientIds !== undefined) {
		if (opaque || social || userPool) {
			throw new ConfigError(
				`${at}.clientIds: only OpenID Connect providers take client ids here; the audience of ${emulator ? "user pools" : name} comes from the identity pool's ${userPool ? "CognitoIdentityProviders" : "SupportedLoginProviders"}`,
			);
		}
		const ids = v.clientIds;
		if (
			!Array.isArray(ids) ||
			!ids.every((id) => typeof id === "string" && id !== "")
		) {
			throw new ConfigError(
				`${at}.clientIds must be an array of non-empty strings`,
			);
		}
		out.clientIds = Object.freeze([...(ids as string[])]);
	}
	if (v.verifyUrl !== undefined) {
		if (!opaque) {
			throw new ConfigError(
				`${at}.verifyUrl: only graph.facebook.com, www.amazon.com and api.twitter.com take a verifyUrl; use jwksUri or jwks`,
			);
		}
		out.verifyUrl = url(v.verifyUrl, `${at}.verifyUrl`);
	}
	return out;
}

function url(value: unknown, source: string): string {
	if (typeof value !== "string" || !isAllowedProviderUrl(value)) {
		throw new ConfigError(
			`${source} must be an https URL (http only on 127.0.0.1, ::1 or localhost), got ${JSON.stringify(value)}`,
		);
	}
	return value;
}

function inlineJwks(value: unknown, source: string): InlineJwks {
	const keys = (value as { keys?: unknown } | null)?.keys;
	if (
		typeof value !== "object" ||
		value === null ||
		!Array.isArray(keys) ||
		keys.length === 0
	) {
		throw new ConfigError(
			`${source} must be a JSON Web Key Set: {"keys": [ ... ]} with at least one key`,
		);
	}
	for (const [i, key] of keys.entries()) {
		if (typeof key !== "object" || key === null || Array.isArray(key)) {
			throw new ConfigError(
				`${source}.keys[${i}] must be a JSON Web Key object`,
			);
		}
		const jwk = key as Record<string, unknown>;
		if (typeof jwk.kty !== "string") {
			throw new ConfigError(`${source}.keys[${i}] has no "kty"`);
		}
		// A private key here would be a leak waiting to happen (the file is configuration).
		if ("d" in jwk || "k" in jwk) {
			throw new ConfigError(
				`${source}.keys[${i}] is a private or symmetric key; give public keys only`,
			);
		}
	}
	return Object.freeze({
		keys: Object.freeze(
			keys.map((k) => Object.freeze({ ...(k as Record<string, unknown>) })),
		),
	});
}

/** A key-encryption key in base64: 32 bytes, `=` padding optional. */
const KEK_BASE64 = /^[A-Za-z0-9+/]{43}=?$/;

/**
 * The key-encryption keys of `--key-encryption-key-file` or `IDPOOL_KEY_ENCRYPTION_KEY`
 * (one of them at most), in their order: base64 keys of 32 bytes separated by line breaks,
 * spaces or commas. Messages never quote the text: it is a secret.
 */
function readKeyEncryptionKeys(
	path: string | undefined,
	inline: string | undefined,
): readonly Uint8Array[] {
	if (path !== undefined && inline !== undefined) {
		throw new ConfigError(
			"set the key-encryption key by file (IDPOOL_KEY_ENCRYPTION_KEY_FILE) or by value (IDPOOL_KEY_ENCRYPTION_KEY), not both",
		);
	}
	let text = inline;
	let source = "IDPOOL_KEY_ENCRYPTION_KEY";
	if (path !== undefined) {
		source = `key-encryption key file ${path}`;
		try {
			text = readFileSync(path, "utf8");
		} catch (err) {
			throw new ConfigError(
				`cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
			);
		}
	}
	if (text === undefined) return Object.freeze([]);
	const entries = text.split(/[\s,]+/).filter((entry) => entry !== "");
	if (entries.length === 0) {
		throw new ConfigError(`${source} holds no key`);
	}
	return Object.freeze(
		entries.map((entry, i) => {
			if (!KEK_BASE64.test(entry)) {
				throw new ConfigError(
					`${source}: key ${i + 1} is not 32 bytes in base64 (make one with \`openssl rand -base64 32\`)`,
				);
			}
			return Buffer.from(entry, "base64");
		}),
	);
}

/**
 * A configuration given as an object rather than a file (the programmatic API): the members
 * a configuration file takes, with the same names and values, plus `configFile`, a file whose
 * members it overrides one by one.
 */
export interface ConfigDocument {
	/** The object: members as in a configuration file. */
	readonly members: Readonly<Record<string, unknown>>;
	/** How messages name it, e.g. "the options of startIdpool". */
	readonly name: string;
	/** Members taken when neither the object nor its file has them. */
	readonly defaults?: Readonly<Record<string, unknown>>;
}

/**
 * Resolves the configuration.
 * @param flags flag values by flag name (as parsed from the command line)
 * @param env the environment (usually `process.env`)
 * @param document settings given as an object, which take the place of the configuration
 *   file (merged over the file it names in `configFile`, member by member)
 */
export function loadConfig(
	flags: Readonly<Record<string, string | undefined>>,
	env: Readonly<Record<string, string | undefined>>,
	document?: ConfigDocument,
): Config {
	const configSpec = SETTINGS.find((s) => s.key === "configFile");
	let file: FileSettings | undefined;
	if (document !== undefined) {
		file = readConfigDocument(document);
	} else if (configSpec?.flag) {
		const fromFlag = flags[configSpec.flag];
		const fromEnv = env[configSpec.env];
		const path =
			fromFlag !== undefined
				? (parseValue(configSpec, fromFlag, `--${configSpec.flag}`) as string)
				: fromEnv !== undefined && fromEnv !== ""
					? fromEnv
					: undefined;
		if (path !== undefined) file = readConfigFile(path);
	}
	const out: Record<string, unknown> = {};
	for (const spec of SETTINGS) {
		const fromFlag = spec.flag === undefined ? undefined : flags[spec.flag];
		const fromEnv = env[spec.env];
		const fromFile = file?.values.get(spec.key);
		if (
			spec.type === "providers" &&
			(fromEnv === undefined || fromEnv === "")
		) {
			out[spec.key] = file?.providers ?? emptyProviders();
		} else if (fromFlag !== undefined)
			out[spec.key] = parseValue(spec, fromFlag, `--${spec.flag}`);
		else if (fromEnv !== undefined && fromEnv !== "")
			out[spec.key] = parseValue(spec, fromEnv, spec.env);
		else if (fromFile !== undefined)
			out[spec.key] = parseValue(spec, fromFile.text, fromFile.source);
		else if (spec.default !== undefined)
			out[spec.key] = parseValue(spec, spec.default, spec.key);
		else out[spec.key] = undefined;
	}
	try {
		out.pools = parseDeclaredPools(file?.pools ?? [], {
			maxTags: out.maxTags as number,
			maxUserPoolProviders: out.maxUserPoolProviders as number,
			maxRoleMappings: out.maxRoleMappings as number,
			maxMappingRules: out.maxMappingRules as number,
		});
	} catch (err) {
		if (!(err instanceof PoolDeclarationError)) throw err;
		throw new ConfigError(`config file ${file?.path}: ${err.message}`);
	}
	// Rate quotas protect a server others can reach; on loopback they only get in the way.
	out.rateLimits ??= isLoopbackHost(out.host as string) ? {} : AWS_RATE_LIMITS;
	out.keyEncryptionKeys = readKeyEncryptionKeys(
		out.keyEncryptionKeyFile as string | undefined,
		out.keyEncryptionKey as string | undefined,
	);
	const config = out as unknown as Config;
	if (!/^\d{12}$/.test(config.accountId)) {
		throw new ConfigError(
			`account id must be 12 digits, got '${config.accountId}'`,
		);
	}
	if (config.issuer !== undefined) {
		let url: URL;
		try {
			url = new URL(config.issuer);
		} catch {
			throw new ConfigError(
				`issuer must be an http(s) URL, got '${config.issuer}'`,
			);
		}
		if (url.protocol !== "http:" && url.protocol !== "https:") {
			throw new ConfigError(
				`issuer must be an http(s) URL, got '${config.issuer}'`,
			);
		}
	}
	if (
		config.credentialsProvider !== "local" &&
		config.credentialsProvider !== "sts"
	) {
		throw new ConfigError(
			`credentials provider must be local or sts, got '${config.credentialsProvider}'`,
		);
	}
	if (
		config.stsEndpoint !== undefined &&
		!/^https?:\/\/[^\s]+$/.test(config.stsEndpoint)
	) {
		throw new ConfigError(
			`sts endpoint must be an http(s) URL, got '${config.stsEndpoint}'`,
		);
	}
	if (config.metricsPort !== 0 && config.metricsPort === config.port) {
		throw new ConfigError(
			`metrics port must differ from the port (${config.port}), or be 0 to serve /metrics on it`,
		);
	}
	if (!["auto", "on", "off"].includes(config.console)) {
		throw new ConfigError(
			`console must be auto, on or off, got '${config.console}'`,
		);
	}
	const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
	if (!levels.includes(config.logLevel)) {
		throw new ConfigError(
			`log level must be one of ${levels.join(", ")}, got '${config.logLevel}'`,
		);
	}
	if (
		config.logFormat !== undefined &&
		config.logFormat !== "json" &&
		config.logFormat !== "pretty"
	) {
		throw new ConfigError(
			`log format must be json or pretty, got '${config.logFormat}'`,
		);
	}
	return Object.freeze(config);
}

/**
 * The settings of a {@link ConfigDocument}: its members over those of the file its
 * `configFile` names, if any, checked as one configuration file is.
 */
function readConfigDocument(document: ConfigDocument): FileSettings {
	const { configFile, ...members } = document.members;
	const defaults = document.defaults ?? {};
	if (configFile === undefined) {
		return configDocument({ ...defaults, ...members }, document.name);
	}
	if (typeof configFile !== "string" || configFile === "") {
		throw new ConfigError(
			`${document.name}: 'configFile' must be a file name, got ${JSON.stringify(configFile)}`,
		);
	}
	return configDocument(
		{ ...defaults, ...parseConfigFile(configFile), ...members },
		`${configFile} with ${document.name}`,
	);
}

/** An IPv4 address of the loopback network, 127.0.0.0/8, written in full. */
const LOOPBACK_V4 = /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Whether `host` is a loopback address (only this machine can connect): `localhost`, an
 * address of 127.0.0.0/8 written in full (also IPv4-mapped, `::ffff:127.0.0.1`) or `::1`.
 * A name that merely starts like one (`127.example.com`) is not.
 */
export function isLoopbackHost(host: string): boolean {
	const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
	return (
		bare === "localhost" ||
		bare === "::1" ||
		LOOPBACK_V4.test(bare.replace(/^::ffff:/, ""))
	);
}

/** The configuration with every default and no environment: the base for tests. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
	return Object.freeze({ ...loadConfig({}, {}), ...overrides });
}

/**
 * The configuration file (`--config` / `IDPOOL_CONFIG`): every setting under its key, the
 * `providers` table, precedence (defaults < file < environment < flags), and one-line errors
 * that name the key at fault.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	ConfigError,
	defaultConfig,
	loadConfig,
} from "../../src/config/load.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Writes `content` (JSON unless a string) to a new file and answers its path. */
function file(content: unknown): string {
	n += 1;
	const path = join(dir, `config-${n}.json`);
	writeFileSync(
		path,
		typeof content === "string" ? content : JSON.stringify(content),
	);
	return path;
}

function fails(
	flags: Record<string, string>,
	env: Record<string, string>,
	message: string | RegExp,
): void {
	assert.throws(
		() => loadConfig(flags, env),
		(err: Error) => {
			assert.ok(err instanceof ConfigError, String(err));
			assert.doesNotMatch(err.message, /\n/);
			if (typeof message === "string") assert.equal(err.message, message);
			else assert.match(err.message, message);
			return true;
		},
	);
}

const JWK = {
	kty: "RSA",
	n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
	e: "AQAB",
	kid: "k1",
};

describe("the configuration file", () => {
	test("settings under their keys, numbers and a rates object accepted; providers frozen", () => {
		const path = file({
			port: 9000,
			maxPools: 5,
			logLevel: "warn",
			rateLimits: { GetId: 25, GetOpenIdToken: 200 },
			providers: {
				"oidc.example.com": {
					jwksUri: "http://127.0.0.1:9999/jwks.json",
					clientIds: ["app1", "app2"],
				},
				"cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc": {
					jwks: { keys: [JWK] },
				},
				"accounts.google.com": { jwksUri: "https://keys.example.com/google" },
				"graph.facebook.com": { verifyUrl: "http://localhost:8081" },
				"www.amazon.com": { verifyUrl: "https://amazon.local.test/tokeninfo" },
				"api.twitter.com": { verifyUrl: "http://[::1]:8082/verify" },
			},
		});
		const config = loadConfig({ config: path }, {});
		assert.equal(config.configFile, path);
		assert.equal(config.port, 9000);
		assert.equal(config.maxPools, 5);
		assert.equal(config.logLevel, "warn");
		assert.deepEqual(
			{ ...config.rateLimits },
			{ GetId: 25, GetOpenIdToken: 200 },
		);
		assert.deepEqual(config.providers["oidc.example.com"], {
			jwksUri: "http://127.0.0.1:9999/jwks.json",
			clientIds: ["app1", "app2"],
		});
		assert.deepEqual(
			config.providers["cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc"]
				?.jwks,
			{ keys: [JWK] },
		);
		assert.ok(Object.isFrozen(config.providers));
		assert.ok(Object.isFrozen(config.providers["oidc.example.com"]));
		assert.ok(Object.isFrozen(config.providers["oidc.example.com"]?.clientIds));
		// No prototype: a Logins key such as "constructor" finds nothing.
		assert.equal(Object.getPrototypeOf(config.providers), null);
		assert.equal(config.providers.constructor, undefined);
	});

	test("precedence: defaults < file < environment < flags", () => {
		const path = file({ port: 9000, maxPools: 5, maxTags: 7, host: "0.0.0.0" });
		const config = loadConfig(
			{ config: path, port: "9002" },
			{ IDPOOL_PORT: "9001", IDPOOL_MAX_POOLS: "6" },
		);
		assert.equal(config.port, 9002); // flag
		assert.equal(config.maxPools, 6); // environment
		assert.equal(config.maxTags, 7); // file
		assert.equal(config.host, "0.0.0.0"); // file
		assert.equal(config.maxLogins, 20); // default
	});

	test("IDPOOL_CONFIG names the file; --config wins over it", () => {
		const a = file({ maxPools: 11 });
		const b = file({ maxPools: 12 });
		assert.equal(loadConfig({}, { IDPOOL_CONFIG: a }).maxPools, 11);
		assert.equal(loadConfig({ config: b }, { IDPOOL_CONFIG: a }).maxPools, 12);
		assert.equal(loadConfig({}, { IDPOOL_CONFIG: "" }).configFile, undefined);
	});

	test("without a file: no providers, and defaultConfig still works", () => {
		const config = defaultConfig({ port: 0 });
		assert.equal(config.configFile, undefined);
		assert.deepEqual(Object.keys(config.providers), []);
		assert.equal(config.port, 0);
	});

	test("a missing, unreadable or malformed file", () => {
		const missing = join(dir, "nope.json");
		fails(
			{ config: missing },
			{},
			`cannot read config file ${missing}: ENOENT`,
		);
		fails({ config: dir }, {}, `cannot read config file ${dir}: EISDIR`);
		fails({ config: "" }, {}, "--config must not be empty");
		const bad = file("{ port: 1 ");
		fails(
			{ config: bad },
			{},
			new RegExp(`^config file ${bad} is not valid JSON: `),
		);
		const array = file([1]);
		fails(
			{ config: array },
			{},
			`config file ${array} must hold a JSON object`,
		);
	});

	test("settings of the wrong type or value name the key", () => {
		const cases: [unknown, string | RegExp][] = [
			[{ nope: 1 }, /unknown setting 'nope'/],
			[{ max_pools: 1 }, /unknown setting 'max_pools'/],
			[
				{ configFile: "x.json" },
				/'configFile' cannot be set inside a config file/,
			],
			[
				{ port: 70000 },
				/^'port' in .* must be a port number from 0 to 65535, got '70000'$/,
			],
			[{ port: "abc" }, /^'port' in .* must be a port number/],
			[{ port: true }, /^'port' in .* must be a number, got true$/],
			[
				{ maxPools: 0 },
				/^'maxPools' in .* must be a whole number of at least 1, got '0'$/,
			],
			[{ maxPools: 1.5 }, /^'maxPools' in .* must be a whole number/],
			[
				{ threadPoolNice: 20 },
				/^'threadPoolNice' in .* must be a whole number from 0 to 19, got '20'$/,
			],
			[{ threadPoolNice: -1 }, /^'threadPoolNice' in .* must be a whole/],
			[{ host: 1 }, /^'host' in .* must be a string, got 1$/],
			[{ host: "" }, /^'host' in .* must not be empty$/],
			[
				{ rateLimits: { GetId: "fast" } },
				/^'rateLimits' in .* must map operation names to numbers/,
			],
			[{ rateLimits: [1] }, /^'rateLimits' in .* must be an object/],
			[
				{ rateLimits: "getid=1" },
				/^'rateLimits' in .* must be a list of Operation=perSecond pairs/,
			],
			[{ accountId: "123" }, "account id must be 12 digits, got '123'"],
			[{ logLevel: "loud" }, /^log level must be one of/],
			[{ issuer: "ftp://x" }, /^issuer must be an http\(s\) URL/],
		];
		for (const [content, message] of cases) {
			fails({ config: file(content) }, {}, message);
		}
	});

	test("provider settings are checked", () => {
		const at = (name: string) =>
			`^\\S+: providers\\["${name.replace(/[./]/g, "\\$&")}"\\]`;
		const cases: [unknown, string][] = [
			[
				[],
				"^\\S+: 'providers' must be an object mapping provider names to settings$",
			],
			[
				{ "oidc.example.com": "x" },
				`${at("oidc.example.com")} must be an object with any of jwksUri, jwks, clientIds, verifyUrl$`,
			],
			[
				{ "oidc.example.com": { jwksURI: "https://x" } },
				`${at("oidc.example.com")}: unknown member 'jwksURI'`,
			],
			[
				{ "https://oidc.example.com": {} },
				`${at("https://oidc.example.com")}: the key must be the provider name as it appears in Logins, without a scheme`,
			],
			[
				{ "arn:aws:iam::1:saml-provider/x": {} },
				"SAML providers are not supported by idpool yet",
			],
			[
				{ "cognito-identity.amazonaws.com": {} },
				"this server's own tokens are checked with its own signing keys",
			],
			[
				{ "oidc.example.com": { jwksUri: "http://keys.example.com/jwks" } },
				`${at("oidc.example.com")}\\.jwksUri must be an https URL \\(http only on 127\\.0\\.0\\.1, ::1 or localhost\\), got "http://keys\\.example\\.com/jwks"$`,
			],
			[
				{ "oidc.example.com": { jwksUri: "not a url" } },
				"\\.jwksUri must be an https URL",
			],
			[
				{ "oidc.example.com": { jwksUri: "https://a", jwks: { keys: [JWK] } } },
				"give either jwksUri or jwks, not both",
			],
			[
				{ "oidc.example.com": { jwks: { keys: [] } } },
				"\\.jwks must be a JSON Web Key Set",
			],
			[
				{ "oidc.example.com": { jwks: { keys: [{ n: "x" }] } } },
				'\\.jwks\\.keys\\[0\\] has no "kty"',
			],
			[
				{ "oidc.example.com": { jwks: { keys: [{ ...JWK, d: "secret" }] } } },
				"\\.jwks\\.keys\\[0\\] is a private or symmetric key; give public keys only",
			],
			[
				{ "oidc.example.com": { clientIds: "app1" } },
				"\\.clientIds must be an array of non-empty strings",
			],
			[
				{ "oidc.example.com": { clientIds: [""] } },
				"\\.clientIds must be an array of non-empty strings",
			],
			[
				{ "accounts.google.com": { clientIds: ["x"] } },
				"only OpenID Connect providers take client ids here; the audience of accounts\\.google\\.com comes from the identity pool's SupportedLoginProviders",
			],
			[
				{
					"cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc": {
						clientIds: ["x"],
					},
				},
				"comes from the identity pool's CognitoIdentityProviders",
			],
			[
				{ "oidc.example.com": { verifyUrl: "https://x" } },
				"only graph\\.facebook\\.com, www\\.amazon\\.com and api\\.twitter\\.com take a verifyUrl",
			],
			[
				{ "graph.facebook.com": { jwksUri: "https://x" } },
				"graph\\.facebook\\.com tokens are not JWTs; use verifyUrl",
			],
			[
				{ "www.amazon.com": { verifyUrl: "http://10.0.0.1/tokeninfo" } },
				"\\.verifyUrl must be an https URL",
			],
			[
				{ "localhost:9229/*": { clientIds: ["x"] } },
				"only OpenID Connect providers take client ids here; the audience of user pools comes from the identity pool's CognitoIdentityProviders",
			],
			[
				{ "localhost:9229/*": { verifyUrl: "http://localhost:1" } },
				"only graph\\.facebook\\.com, www\\.amazon\\.com and api\\.twitter\\.com take a verifyUrl",
			],
			[
				{ "localhost:9229/*": { jwksUri: "http://10.0.0.5:9229/keys" } },
				"\\.jwksUri must be an https URL",
			],
			[
				{ "*": {} },
				'a \\* stands only for every user pool of one address, as in "localhost:9229/\\*"',
			],
			[
				{ "localhost:9229/local_*": {} },
				"a \\* stands only for every user pool of one address",
			],
			[
				{ "localhost:9229/*/x": {} },
				"a \\* stands only for every user pool of one address",
			],
		];
		for (const [providers, message] of cases) {
			fails({ config: file({ providers }) }, {}, new RegExp(message));
		}
	});
});

describe("user-pool emulators", () => {
	test("an emulator's entry <host>/* is accepted with keys at a URL, inline, or at each pool's issuer", () => {
		const providers = loadConfig(
			{
				config: file({
					providers: {
						"localhost:9229/*": {},
						"127.0.0.1:9230/*": {
							jwksUri: "http://127.0.0.1:9230/any/.well-known/jwks.json",
						},
						"[::1]:9231/*": { jwks: { keys: [JWK] } },
						"localhost:9229/local_Own": {},
					},
				}),
			},
			{},
		).providers;
		assert.deepEqual(Object.keys(providers), [
			"localhost:9229/*",
			"127.0.0.1:9230/*",
			"[::1]:9231/*",
			"localhost:9229/local_Own",
		]);
		assert.equal(
			providers["127.0.0.1:9230/*"]?.jwksUri,
			"http://127.0.0.1:9230/any/.well-known/jwks.json",
		);
	});
});

describe("CORS origins", () => {
	test("any origin by default; a list from a flag, a variable or the file", () => {
		assert.deepEqual(loadConfig({}, {}).corsOrigins, ["*"]);
		assert.deepEqual(
			loadConfig(
				{ "cors-origins": "https://app.example.com, http://localhost:5173" },
				{},
			).corsOrigins,
			["https://app.example.com", "http://localhost:5173"],
		);
		assert.deepEqual(
			loadConfig({}, { IDPOOL_CORS_ORIGINS: "http://127.0.0.1:8080" })
				.corsOrigins,
			["http://127.0.0.1:8080"],
		);
		const path = file({
			corsOrigins: ["https://a.example", "https://b.example"],
		});
		assert.deepEqual(loadConfig({ config: path }, {}).corsOrigins, [
			"https://a.example",
			"https://b.example",
		]);
		assert.deepEqual(
			loadConfig({ config: file({ corsOrigins: "*" }) }, {}).corsOrigins,
			["*"],
		);
	});

	test("what is not an origin as browsers send it is refused, naming the setting", () => {
		fails(
			{ "cors-origins": "https://app.example.com/" },
			{},
			"--cors-origins: 'https://app.example.com/' is not an origin: write scheme://host[:port] as the browser sends it (no path, no trailing slash)",
		);
		fails(
			{},
			{ IDPOOL_CORS_ORIGINS: "app.example.com" },
			/^IDPOOL_CORS_ORIGINS: 'app\.example\.com' is not an origin/,
		);
		fails(
			{ "cors-origins": "https://APP.example.com" },
			{},
			/'https:\/\/APP\.example\.com' is not an origin/,
		);
		fails(
			{ "cors-origins": "*,https://a.example" },
			{},
			/'\*' is not an origin: .*; \* stands alone\)$/,
		);
		fails({ "cors-origins": "ftp://a.example" }, {}, /is not an origin/);
		fails(
			{ "cors-origins": " , " },
			{},
			/^--cors-origins must be \* or a list of origins/,
		);
		fails(
			{ config: file({ corsOrigins: 5 }) },
			{},
			/must be a list such as \["https:\/\/app\.example\.com"\] or a string, got 5$/,
		);
	});
});

describe("cross-account roles", () => {
	test("pairs of a pool account and a role account or role ARN, from a flag, a variable or the file", () => {
		assert.deepEqual(
			loadConfig(
				{
					"cross-account-roles":
						"111111111111=222222222222, 111111111111=arn:aws:iam::333333333333:role/Shared",
				},
				{},
			).crossAccountRoles,
			[
				{ poolAccountId: "111111111111", roleAccountId: "222222222222" },
				{
					poolAccountId: "111111111111",
					roleArn: "arn:aws:iam::333333333333:role/Shared",
				},
			],
		);
		assert.deepEqual(
			loadConfig(
				{},
				{ IDPOOL_CROSS_ACCOUNT_ROLES: "111111111111=222222222222" },
			).crossAccountRoles,
			[{ poolAccountId: "111111111111", roleAccountId: "222222222222" }],
		);
		const path = file({ crossAccountRoles: ["111111111111=222222222222"] });
		assert.deepEqual(loadConfig({ config: path }, {}).crossAccountRoles, [
			{ poolAccountId: "111111111111", roleAccountId: "222222222222" },
		]);
		assert.deepEqual(loadConfig({}, {}).crossAccountRoles, []);
	});

	test("anything else is refused with one line naming the setting", () => {
		fails(
			{ "cross-account-roles": "111111111111" },
			{},
			/^--cross-account-roles must be a list of <pool account>=<role account or role ARN> pairs/,
		);
		fails(
			{ "cross-account-roles": "111111111111=arn:aws:iam::2:user/x" },
			{},
			/^--cross-account-roles: 'arn:aws:iam::2:user\/x' is neither a 12-digit account id nor a role ARN$/,
		);
	});
});

describe("rate quotas by default", () => {
	test("AWS's rates when listening beyond loopback, none on loopback; `off` turns them off", () => {
		assert.deepEqual({ ...loadConfig({}, {}).rateLimits }, {});
		assert.deepEqual({ ...loadConfig({ host: "::1" }, {}).rateLimits }, {});
		const open = loadConfig({ host: "0.0.0.0" }, {}).rateLimits;
		assert.equal(open.GetId, 25);
		assert.equal(open.GetOpenIdTokenForDeveloperIdentity, 50);
		assert.equal(open.GetCredentialsForIdentity, 200);
		assert.equal(open.ListIdentities, 5);
		assert.deepEqual(
			{
				...loadConfig({ host: "0.0.0.0", "rate-limits": "off" }, {}).rateLimits,
			},
			{},
		);
		assert.deepEqual(
			{
				...loadConfig({ host: "0.0.0.0", "rate-limits": "GetId=3" }, {})
					.rateLimits,
			},
			{ GetId: 3 },
		);
	});
});

describe("the development issuer setting (a boolean)", () => {
	test("off by default; on from the flag (as the CLI passes it), the variable or the file", () => {
		assert.equal(loadConfig({}, {}).devIssuer, false);
		assert.equal(loadConfig({ "dev-issuer": "true" }, {}).devIssuer, true);
		assert.equal(loadConfig({}, { IDPOOL_DEV_ISSUER: "true" }).devIssuer, true);
		assert.equal(loadConfig({}, { IDPOOL_DEV_ISSUER: "1" }).devIssuer, true);
		assert.equal(loadConfig({}, { IDPOOL_DEV_ISSUER: "0" }).devIssuer, false);
		assert.equal(
			loadConfig({ config: file({ devIssuer: true }) }, {}).devIssuer,
			true,
		);
		assert.equal(
			loadConfig(
				{ config: file({ devIssuer: true }) },
				{ IDPOOL_DEV_ISSUER: "false" },
			).devIssuer,
			false,
		);
	});

	test("anything but true or false is refused with one line naming the setting", () => {
		fails(
			{},
			{ IDPOOL_DEV_ISSUER: "yes" },
			"IDPOOL_DEV_ISSUER must be true or false, got 'yes'",
		);
		const path = file({ devIssuer: 1 });
		fails(
			{ config: path },
			{},
			`'devIssuer' in ${path} must be true or false, got 1`,
		);
	});
});

/**
 * The wire fuzz test's request generator. Each request is one of:
 *
 * - a call of one of the 23 operations (most requests): a valid input built from the model
 *   (`values.ts`), its ids bound to data that exists (`world.ts`) so that it reaches the
 *   handler and the store; then, more often than not, one mutation: a violation of one
 *   constraint of the model (`test/support/model-cases.ts`), members of the wrong JSON type,
 *   nulls, odd strings and numbers, oversized lists and maps, unknown members, a malformed
 *   body, another content type or target, a bad or missing signature, another region;
 * - an action of the STS endpoint, valid or with its form body mutated likewise;
 * - an HTTP oddity (another method or path, a body over the limit).
 *
 * Every choice is the seeded {@link Rng}'s, and the world changes only through answers, so a
 * seed gives the same requests again. A {@link Planned} request carries what to learn from a
 * successful answer.
 */
import {
	OPERATION_NAMES,
	OPERATIONS,
	type OperationName,
} from "../../src/model/model.generated.ts";
import {
	AMAZON,
	AMAZON_APP,
	AUTH_ROLE,
	DEV,
	FACEBOOK,
	FACEBOOK_APP,
	GOOGLE,
	GOOGLE_CLIENT,
	OIDC_ARN,
	OIDC_KEY,
	SAML_ARN,
	TWITTER,
	TWITTER_CONSUMER_KEY,
	TWITTER_CONSUMER_SECRET,
	UNAUTH_ROLE,
	USER_POOL_CLIENT,
} from "../support/federation.ts";
import {
	type ModelCase,
	modelCases,
	validValue,
} from "../support/model-cases.ts";
import { TEST_ACCOUNT } from "../support/server.ts";
import type { Rng } from "./prng.ts";
import type { FuzzRequest, Signing } from "./request.ts";
import {
	isFreeText,
	ODD_NUMBERS,
	oddString,
	randomValid,
	renameKey,
	type Site,
	setAt,
	shapeOf,
	sitesOf,
	stringify,
	wrongType,
} from "./values.ts";
import { type PoolRef, poolArn, REGION, type World } from "./world.ts";

/** A request and what a 200 answer to it teaches (its JSON, or its text for STS). */
export interface Planned {
	req: FuzzRequest;
	learn?: (json: Record<string, unknown> | undefined, text: string) => void;
}

const JSON_11 = "application/x-amz-json-1.1";
const FORM = "application/x-www-form-urlencoded";
const TARGET_PREFIX = "AWSCognitoIdentityService";
const STS_VERSION = "2011-06-15";
/** The `Logins` key of this server's own tokens. */
const OWN_KEY = "cognito-identity.amazonaws.com";

/** The server's keys (the test account). */
const TEST_KEYS: Signing = {
	service: "cognito-identity",
	region: REGION,
	accessKeyId: "test",
	secretAccessKey: "test",
};

/** What the setup knows that the model does not: the user-pool double's name. */
export interface FuzzSetup {
	userPoolKey: string;
}

/** The constraint cases of the model, per operation (computed once). */
const CASES: ReadonlyMap<OperationName, readonly ModelCase[]> = (() => {
	const byOperation = new Map<OperationName, ModelCase[]>();
	for (const c of modelCases()) {
		const list = byOperation.get(c.operation) ?? [];
		list.push(c);
		byOperation.set(c.operation, list);
	}
	return byOperation;
})();

/** Operations that change or remove a pool itself: never aimed at the anchor pools. */
const POOL_CHANGING = new Set<OperationName>([
	"DeleteIdentityPool",
	"UpdateIdentityPool",
	"SetIdentityPoolRoles",
]);

/** The developer users valid requests use (few, so that they meet again). */
const USERS = ["user-0", "user-1", "user-2", "user-3", "user-4", "user-5"];

type JsonMutation =
	| "none"
	| "unknown-members"
	| "model"
	| "wrong-type"
	| "null"
	| "odd-string"
	| "odd-number"
	| "oversized"
	| "malformed-body"
	| "content-type"
	| "target"
	| "signature"
	| "region";

const JSON_MUTATIONS: Readonly<Record<JsonMutation, number>> = {
	none: 30,
	"unknown-members": 5,
	model: 12,
	"wrong-type": 7,
	null: 3,
	"odd-string": 14,
	"odd-number": 3,
	oversized: 3,
	"malformed-body": 6,
	"content-type": 4,
	target: 4,
	signature: 6,
	region: 3,
};

export class Generator {
	readonly #rng: Rng;
	readonly #world: World;
	readonly #setup: FuzzSetup;

	constructor(rng: Rng, world: World, setup: FuzzSetup) {
		this.#rng = rng;
		this.#world = world;
		this.#setup = setup;
	}

	/** The next request. */
	next(): Planned {
		const kind = this.#rng.weighted({ json: 88, sts: 9, http: 3 });
		if (kind === "sts") return this.#sts();
		if (kind === "http") return this.#http();
		return this.#json(this.#rng.pick(OPERATION_NAMES));
	}

	/** A valid call of `operation` (bound to existing data), sent as is: for the setup. */
	valid(operation: OperationName): Planned {
		const call = this.#bound(operation);
		return { req: this.#jsonRequest(operation, call), learn: call.learn };
	}

	// --- Cognito Identity --------------------------------------------------------------

	#json(operation: OperationName): Planned {
		const rng = this.#rng;
		const call = this.#bound(operation);
		const mutation = rng.weighted(JSON_MUTATIONS);
		const req = this.#jsonRequest(operation, call);
		req.label = `${operation} ${mutation}`;
		const detail = this.#mutateJson(mutation, operation, call, req);
		if (detail) req.label += ` ${detail}`;
		// What another region answers is not in this region: nothing to learn from it.
		return mutation === "region" ? { req } : { req, learn: call.learn };
	}

	#jsonRequest(operation: OperationName, call: BoundCall): FuzzRequest {
		const publicOp = OPERATIONS[operation].auth === "none";
		return {
			label: `${operation} valid`,
			method: "POST",
			path: "/",
			contentType: JSON_11,
			target: `${TARGET_PREFIX}.${operation}`,
			headers: {},
			body: Buffer.from(stringify(call.input)),
			sign: publicOp && this.#rng.chance(0.5) ? undefined : { ...TEST_KEYS },
		};
	}

	/** Applies `mutation`; answers a few words on what it did, for the label. */
	#mutateJson(
		mutation: JsonMutation,
		operation: OperationName,
		call: BoundCall,
		req: FuzzRequest,
	): string | undefined {
		const rng = this.#rng;
		const input = call.input;
		const rewrite = () => {
			req.body = Buffer.from(stringify(input));
		};
		switch (mutation) {
			case "none":
				return undefined;
			case "unknown-members": {
				const objects = [
					input,
					...sitesOf(input)
						.filter(
							(s) =>
								s.kind === "value" &&
								s.value !== null &&
								typeof s.value === "object" &&
								!Array.isArray(s.value),
						)
						.map((s) => (s.kind === "value" ? s.value : undefined)),
				] as Record<string, unknown>[];
				const target = rng.pick(objects);
				const name = rng.pick([
					"Foo",
					"identityPoolId",
					"IDENTITYPOOLID",
					"",
					"💥",
					"__proto__",
					"constructor",
					"hasOwnProperty",
				]);
				Object.defineProperty(target, name, {
					value: rng.pick<unknown>([1, "x", null, { a: [1] }, [], true]),
					enumerable: true,
					writable: true,
					configurable: true,
				});
				rewrite();
				return JSON.stringify(name);
			}
			case "model": {
				const cases = CASES.get(operation) ?? [];
				if (cases.length === 0) return "none";
				const c = rng.pick(cases);
				req.body = Buffer.from(stringify(c.invalidInput));
				return `${c.path} ${c.constraint}`;
			}
			case "wrong-type":
			case "null":
			case "odd-number": {
				const sites = sitesOf(input).filter(
					(s) =>
						s.kind === "value" &&
						(mutation !== "odd-number" || typeof s.value === "number"),
				);
				if (sites.length === 0) {
					if (mutation === "odd-number") {
						const name = rng.pick(["MaxResults", "TokenDuration", "Extra"]);
						input[name] = rng.pick(ODD_NUMBERS);
						rewrite();
						return name;
					}
					req.body = Buffer.from(
						rng.pick(["null", "[]", '"x"', "1", "true", "[{}]"]),
					);
					return "the whole body";
				}
				const site = rng.pick(sites);
				if (site.kind !== "value") return undefined;
				setAt(
					site,
					mutation === "null"
						? null
						: mutation === "odd-number"
							? rng.pick(ODD_NUMBERS)
							: wrongType(rng, site.value),
				);
				rewrite();
				return String(site.key);
			}
			case "odd-string": {
				const all = sitesOf(
					input,
					OPERATIONS[operation].input ?? undefined,
				).filter((s) => s.kind === "key" || typeof s.value === "string");
				// Free text passes validation and goes on to the handler and the store: often there.
				const free = all.filter(isFreeText);
				const sites = free.length > 0 && rng.chance(0.6) ? free : all;
				if (sites.length === 0) {
					input[rng.pick(["IdentityPoolId", "Odd"])] = oddString(rng);
					rewrite();
					return "added";
				}
				const site = rng.pick(sites) as Site;
				if (site.kind === "key") {
					renameKey(site, oddString(rng, site.key));
				} else setAt(site, oddString(rng, site.value));
				rewrite();
				return `${site.kind} ${String(site.key).slice(0, 40)}`;
			}
			case "oversized":
				return this.#oversize(operation, input, rewrite);
			case "malformed-body":
				req.body = this.#malformed(req.body);
				return undefined;
			case "content-type": {
				const contentType = rng.pick([
					undefined,
					"",
					"application/json",
					"application/json; charset=utf-8",
					`${JSON_11}; charset=UTF-8`,
					`${JSON_11};;;`,
					JSON_11.toUpperCase(),
					` ${JSON_11} `,
					"application/x-amz-json-1.0",
					"text/plain",
					"application/xml",
					"multipart/form-data; boundary=x",
					`${FORM}`,
					`${FORM}; charset=utf-8`,
					"*/*",
					";",
					"application/x-amz-json-1.1\t",
					`${JSON_11}, text/plain`,
				]);
				req.contentType = contentType;
				return JSON.stringify(contentType ?? null);
			}
			case "target": {
				const target = rng.pick([
					undefined,
					"",
					TARGET_PREFIX,
					`${TARGET_PREFIX}.`,
					`.${operation}`,
					`${TARGET_PREFIX}.${operation.toLowerCase()}`,
					`${TARGET_PREFIX}.${operation}.Extra`,
					`com.amazonaws.cognito.identity.model.${TARGET_PREFIX}.${operation}`,
					`AWSSecurityTokenServiceV20110615.${operation}`,
					`${TARGET_PREFIX}.AssumeRoleWithWebIdentity`,
					`${TARGET_PREFIX}.GetCallerIdentity`,
					`${TARGET_PREFIX}.__proto__`,
					`${TARGET_PREFIX}.constructor`,
					`${TARGET_PREFIX}.toString`,
					`${TARGET_PREFIX}.hasOwnProperty`,
					`${TARGET_PREFIX}.${"X".repeat(5000)}`,
					`${TARGET_PREFIX}.${operation}\u00e9`,
					`${TARGET_PREFIX}..${operation}`,
					`${TARGET_PREFIX}.${operation}, ${TARGET_PREFIX}.ListIdentityPools`,
				]);
				req.target = target;
				return JSON.stringify(target ?? null).slice(0, 80);
			}
			case "signature":
				return this.#badSignature(req, "cognito-identity");
			case "region": {
				const region = rng.pick([
					"eu-west-1",
					"us-west-2",
					"cn-north-1",
					"us-gov-west-1",
					"xx-fake-9",
					"a",
					"US-EAST-1",
					"us_east_1",
					"us-east-1-",
					"1",
					"a".repeat(100),
					"us-east-1.",
					"-",
				]);
				req.sign = { ...TEST_KEYS, region };
				return region.slice(0, 40);
			}
		}
	}

	/** A list or map of the input grown beyond its bound (or far beyond it). */
	#oversize(
		operation: OperationName,
		input: Record<string, unknown>,
		rewrite: () => void,
	): string {
		const rng = this.#rng;
		const inputShape = OPERATIONS[operation].input;
		const structure = inputShape ? shapeOf(inputShape) : undefined;
		const members =
			structure?.kind === "structure"
				? structure.members.filter((m) => {
						const k = shapeOf(m.target).kind;
						return k === "list" || k === "map";
					})
				: [];
		if (members.length === 0) {
			input.Many = Array.from({ length: 5000 }, (_, i) => i);
			rewrite();
			return "Many";
		}
		const member = rng.pick(members);
		const shape = shapeOf(member.target);
		const bound =
			shape.kind === "list" || shape.kind === "map"
				? (shape.length?.max ?? 50)
				: 50;
		const count = rng.pick([bound + 1, bound * 2, 1000, 5000]);
		if (shape.kind === "list") {
			input[member.name] = Array.from({ length: count }, () =>
				validValue(shape.member),
			);
		} else if (shape.kind === "map") {
			const map: Record<string, unknown> = {};
			for (let i = 0; i < count; i++) {
				map[`${GOOGLE}${i === 0 ? "" : i}`] = validValue(shape.value);
			}
			input[member.name] = map;
		}
		rewrite();
		return `${member.name} x${count}`;
	}

	/** A body that is not a JSON object, or not well-formed JSON, or not UTF-8. */
	#malformed(valid: Buffer): Buffer {
		const rng = this.#rng;
		const text = valid.toString("utf8");
		const choice = rng.int(16);
		switch (choice) {
			case 0:
				return Buffer.from(text.slice(0, rng.int(Math.max(text.length, 1))));
			case 1:
				return Buffer.from(`${text}garbage`);
			case 2:
				return Buffer.from(`\ufeff${text}`);
			case 3:
				return Buffer.from(text, "utf16le");
			case 4: {
				const at = rng.int(text.length + 1);
				return Buffer.concat([
					Buffer.from(text.slice(0, at)),
					Buffer.from([0xff, 0xfe, 0xc0, 0x80]),
					Buffer.from(text.slice(at)),
				]);
			}
			case 5:
				return Buffer.from(`${"[".repeat(20_000)}${"]".repeat(20_000)}`);
			case 6:
				return Buffer.from(`${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`);
			case 7:
				return Buffer.from(text.replace(/^\{/, '{"IdentityPoolId":1,'));
			case 8:
				return Buffer.from(text.replace(/^\{/, '{"__proto__":{"x":1},'));
			case 9:
				return Buffer.from(text.replace(/:/, ":NaN,"));
			case 10:
				return Buffer.from(text.replaceAll('"', "'"));
			case 11:
				return Buffer.from(`${text}\u0000`);
			default:
				return Buffer.from(
					rng.pick([
						"",
						"{",
						"}",
						"[]",
						"null",
						"0",
						'"x"',
						"true",
						'{"a":}',
						'{"a":1,}',
						"{'a':1}",
						"\u0000",
						"{}{}",
						'{"a":"\\ud800"}',
						'{"a":"\\u00"}',
						'{"a":"\\x00"}',
					]),
				);
		}
	}

	/** A signature that the server must refuse (or, for a public operation, may ignore). */
	#badSignature(req: FuzzRequest, service: string): string {
		const rng = this.#rng;
		const keys: Signing = { ...TEST_KEYS, service };
		const choice = rng.pick([
			"unsigned",
			"wrong-secret",
			"unknown-key",
			"body-changed",
			"target-changed",
			"date-removed",
			"expired",
			"future",
			"other-service",
			"bogus-session-token",
			"garbled",
			"query-string",
			"issued-credentials",
		] as const);
		switch (choice) {
			case "unsigned":
				req.sign = undefined;
				break;
			case "wrong-secret":
				req.sign = { ...keys, secretAccessKey: "wrong" };
				break;
			case "unknown-key":
				req.sign = {
					...keys,
					accessKeyId: rng.pick(["nobody", "ASIAFAKE", "", "a b", "ÄKEY"]),
				};
				break;
			case "body-changed":
				req.sign = keys;
				req.tamper = { sentBody: Buffer.from(`${req.body.toString()} `) };
				break;
			case "target-changed":
				req.sign = keys;
				req.tamper = {
					headers: { "x-amz-target": `${TARGET_PREFIX}.ListIdentityPools` },
				};
				break;
			case "date-removed":
				req.sign = keys;
				req.tamper = { headers: { "x-amz-date": null } };
				break;
			case "expired":
				req.sign = {
					...keys,
					skewMs: -rng.pick([16, 60, 60 * 24 * 400]) * 60_000,
				};
				break;
			case "future":
				req.sign = { ...keys, skewMs: rng.pick([16, 60 * 24]) * 60_000 };
				break;
			case "other-service":
				req.sign = {
					...keys,
					service: rng.pick(["sts", "cognito-idp", "", "iam"]),
				};
				break;
			case "bogus-session-token":
				req.sign = {
					...keys,
					sessionToken: rng.pick(["x", "%F0%9F", "a".repeat(5000)]),
				};
				break;
			case "garbled":
				req.sign = undefined;
				req.headers.authorization = rng.pick([
					"AWS4-HMAC-SHA256",
					"AWS4-HMAC-SHA256 Credential=",
					"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-identity/aws4_request, SignedHeaders=host, Signature=00",
					"AWS4-HMAC-SHA256 Credential=test/x/y/z, SignedHeaders=, Signature=",
					"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-identity/aws4_request,SignedHeaders=host;x-amz-date,Signature=zz",
					"Bearer x",
					"Basic dGVzdDp0ZXN0",
					"AWS4-HMAC-SHA512 Credential=test",
					`AWS4-HMAC-SHA256 ${"Credential=x,".repeat(500)}`,
				]);
				req.headers["x-amz-date"] = rng.pick([
					"20260101T000000Z",
					"",
					"garbage",
					"20261301T000000Z",
					"99999999T999999Z",
				]);
				break;
			case "issued-credentials": {
				// Credentials the server minted: good for its STS endpoint only.
				const issued = this.#world.credentials;
				req.sign =
					issued.length > 0
						? (({ accessKeyId, secretKey, sessionToken }) => ({
								...keys,
								accessKeyId,
								secretAccessKey: secretKey,
								...(rng.chance(0.8) ? { sessionToken } : {}),
							}))(rng.pick(issued))
						: keys;
				break;
			}
			case "query-string":
				req.sign = undefined;
				req.path = `/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260101%2Fus-east-1%2F${service}%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00`;
				break;
		}
		return choice;
	}

	// --- Valid inputs bound to the world ------------------------------------------------

	#pickPool(operation: OperationName, withDev = false): PoolRef | undefined {
		const rng = this.#rng;
		let pools = this.#world.pools.filter(
			(p) => !(POOL_CHANGING.has(operation) && p.anchor),
		);
		if (withDev) pools = pools.filter((p) => p.dev !== undefined);
		if (pools.length === 0 || rng.chance(0.08)) return undefined;
		const anchors = pools.filter((p) => p.anchor);
		return anchors.length > 0 && rng.chance(0.5)
			? rng.pick(anchors)
			: rng.pick(pools);
	}

	#loginsFor(pool: PoolRef | undefined, max = 2): Record<string, string> {
		const rng = this.#rng;
		const logins: Record<string, string> = {};
		if (!pool) return logins;
		for (const key of rng.sample(pool.providers, rng.between(1, max))) {
			const tokens = this.#world.providerTokens[key];
			if (tokens && tokens.length > 0) logins[key] = rng.pick(tokens);
		}
		return logins;
	}

	#identityOf(pool: PoolRef | undefined) {
		const rng = this.#rng;
		const identities = this.#world.identities;
		const mine = pool ? identities.filter((i) => i.poolId === pool.id) : [];
		if (mine.length > 0 && rng.chance(0.85)) return rng.pick(mine);
		return identities.length > 0 && rng.chance(0.8)
			? rng.pick(identities)
			: undefined;
	}

	#devUser(pool: PoolRef | undefined) {
		const users = this.#world.devUsers.filter((u) => u.poolId === pool?.id);
		return users.length > 0 ? this.#rng.pick(users) : undefined;
	}

	/**
	 * Sets the input's `NextToken`: one an earlier answer gave (for the same pool), or none,
	 * or now and then the model's random value (which the server refuses).
	 */
	#setNextToken(
		input: Record<string, unknown>,
		operation:
			| "ListIdentityPools"
			| "ListIdentities"
			| "LookupDeveloperIdentity",
		poolId?: string,
	): void {
		const rng = this.#rng;
		const tokens = this.#world.nextTokens[operation].filter(
			(t) => poolId === undefined || t.poolId === poolId,
		);
		if (tokens.length > 0 && rng.chance(0.4))
			input.NextToken = rng.pick(tokens).token;
		else if (rng.chance(0.8)) delete input.NextToken;
	}

	/**
	 * A valid input of `operation`: random members from the model, then the ids and names
	 * that make it meaningful (a pool that exists, its identities, its providers' tokens...).
	 */
	#bound(operation: OperationName): BoundCall {
		const rng = this.#rng;
		const world = this.#world;
		const shape = OPERATIONS[operation].input;
		const input = (shape ? randomValid(shape, rng) : {}) as Record<
			string,
			unknown
		>;
		const call: BoundCall = { input };
		const set = (name: string, value: unknown) => {
			if (value !== undefined) input[name] = value;
		};
		const withDev =
			operation === "GetOpenIdTokenForDeveloperIdentity" ||
			operation === "LookupDeveloperIdentity" ||
			operation === "MergeDeveloperIdentities" ||
			operation === "UnlinkDeveloperIdentity";
		const pool = this.#pickPool(operation, withDev);
		const poolId = pool?.id;
		switch (operation) {
			case "CreateIdentityPool":
			case "UpdateIdentityPool": {
				if (operation === "UpdateIdentityPool") set("IdentityPoolId", poolId);
				const dev =
					operation === "UpdateIdentityPool" && pool?.dev && rng.chance(0.8)
						? pool.dev
						: rng.chance(0.5)
							? rng.pick(["fuzz.dev.a", "fuzz.dev.b", DEV])
							: undefined;
				if (dev) input.DeveloperProviderName = dev;
				else delete input.DeveloperProviderName;
				if (rng.chance(0.4)) {
					input.SupportedLoginProviders = Object.fromEntries(
						rng.sample(
							[
								[GOOGLE, GOOGLE_CLIENT],
								[FACEBOOK, FACEBOOK_APP],
								[AMAZON, AMAZON_APP],
								[TWITTER, `${TWITTER_CONSUMER_KEY};${TWITTER_CONSUMER_SECRET}`],
							],
							rng.between(1, 4),
						),
					);
				}
				// Providers the doubles answer for, or none, or (now and then) the model's
				// random values, which the server's own checks mostly refuse.
				const providers = (name: string, valid: unknown, p: number) => {
					const roll = rng.float();
					if (roll < p) input[name] = valid;
					else if (roll < 0.85) delete input[name];
				};
				providers("OpenIdConnectProviderARNs", [OIDC_ARN], 0.4);
				providers(
					"CognitoIdentityProviders",
					[
						{
							ProviderName: this.#setup.userPoolKey,
							ClientId: USER_POOL_CLIENT,
							ServerSideTokenCheck: rng.chance(0.5),
						},
					],
					0.4,
				);
				providers("SamlProviderARNs", [SAML_ARN], 0.2);
				call.learn = (json) => {
					if (json && typeof json.IdentityPoolId === "string")
						world.addPool(poolOf(json, false));
				};
				break;
			}
			case "DeleteIdentityPool":
				set("IdentityPoolId", poolId);
				call.learn = () => {
					if (poolId) world.removePool(poolId);
				};
				break;
			case "DescribeIdentityPool":
			case "GetIdentityPoolRoles":
				set("IdentityPoolId", poolId);
				break;
			case "ListIdentities":
				set("IdentityPoolId", poolId);
				this.#setNextToken(input, "ListIdentities", poolId);
				call.learn = (json) => {
					if (typeof json?.NextToken === "string")
						world.addNextToken("ListIdentities", json.NextToken, poolId);
				};
				break;
			case "ListIdentityPools":
				this.#setNextToken(input, "ListIdentityPools");
				call.learn = (json) => {
					if (typeof json?.NextToken === "string")
						world.addNextToken("ListIdentityPools", json.NextToken);
				};
				break;
			case "DescribeIdentity":
				set("IdentityId", this.#identityOf(pool)?.id);
				break;
			case "DeleteIdentities": {
				const ids = rng
					.sample(world.identities, rng.between(1, 4))
					.map((i) => i.id);
				if (ids.length > 0) input.IdentityIdsToDelete = ids;
				call.learn = (json) => {
					const unprocessed = new Set(
						(Array.isArray(json?.UnprocessedIdentityIds)
							? json.UnprocessedIdentityIds
							: []
						).map((u: { IdentityId?: unknown }) => u.IdentityId),
					);
					for (const id of ids)
						if (!unprocessed.has(id)) world.removeIdentity(id);
				};
				break;
			}
			case "GetId": {
				set("IdentityPoolId", poolId);
				delete input.AccountId;
				if (rng.chance(0.2)) input.AccountId = TEST_ACCOUNT;
				const logins = rng.chance(0.6) ? this.#loginsFor(pool) : {};
				if (Object.keys(logins).length > 0) input.Logins = logins;
				else delete input.Logins;
				call.learn = (json) => {
					if (typeof json?.IdentityId === "string" && poolId) {
						world.addIdentity({ id: json.IdentityId, poolId, logins });
					}
				};
				break;
			}
			case "GetCredentialsForIdentity":
			case "GetOpenIdToken": {
				const identity = this.#identityOf(pool);
				set("IdentityId", identity?.id);
				if (identity && rng.chance(0.85)) {
					const logins = loginsToPresent(identity.logins, operation);
					if (Object.keys(logins).length > 0) input.Logins = logins;
					else delete input.Logins;
				}
				if (operation === "GetCredentialsForIdentity") {
					if (rng.chance(0.8)) delete input.CustomRoleArn;
					else
						input.CustomRoleArn = rng.pick([
							AUTH_ROLE,
							UNAUTH_ROLE,
							`arn:aws:iam::${TEST_ACCOUNT}:role/Other`,
						]);
					call.learn = (json) => {
						const c = json?.Credentials as Record<string, unknown> | undefined;
						if (
							typeof c?.AccessKeyId === "string" &&
							typeof c.SecretKey === "string" &&
							typeof c.SessionToken === "string"
						) {
							world.addCredentials({
								accessKeyId: c.AccessKeyId,
								secretKey: c.SecretKey,
								sessionToken: c.SessionToken,
							});
						}
					};
				} else {
					call.learn = (json) => {
						if (typeof json?.Token === "string" && identity) {
							world.addOwnToken({
								token: json.Token,
								poolId: identity.poolId,
								identityId: identity.id,
							});
						}
					};
				}
				break;
			}
			case "GetOpenIdTokenForDeveloperIdentity": {
				set("IdentityPoolId", poolId);
				const dev = pool?.dev ?? DEV;
				const user = rng.chance(0.85)
					? rng.pick(USERS)
					: String(randomValid("DeveloperUserIdentifier", rng));
				const logins: Record<string, string> = { [dev]: user };
				if (rng.chance(0.15)) Object.assign(logins, this.#loginsFor(pool, 1));
				input.Logins = logins;
				const known = this.#identityOf(pool);
				if (known && rng.chance(0.15)) input.IdentityId = known.id;
				else delete input.IdentityId;
				call.learn = (json) => {
					if (!json || typeof json.IdentityId !== "string" || !poolId) return;
					const id = json.IdentityId;
					const devLogins = { ...logins };
					delete devLogins[dev];
					world.addIdentity({ id, poolId, logins: devLogins });
					world.addDevUser({
						poolId,
						provider: dev,
						user: String(
							input.Logins && (input.Logins as Record<string, unknown>)[dev],
						),
						identityId: id,
					});
					if (typeof json.Token === "string") {
						world.addOwnToken({ token: json.Token, poolId, identityId: id });
						// The server's own token is a login of the identity for the public calls.
						world.addIdentity({
							id,
							poolId,
							logins: { [OWN_KEY]: json.Token },
						});
					}
				};
				break;
			}
			case "GetPrincipalTagAttributeMap":
			case "SetPrincipalTagAttributeMap":
				set("IdentityPoolId", poolId);
				if (pool && pool.providers.length > 0 && rng.chance(0.8))
					input.IdentityProviderName = rng.pick(pool.providers);
				break;
			case "ListTagsForResource":
			case "TagResource":
			case "UntagResource":
				if (poolId) input.ResourceArn = poolArn(poolId);
				if (operation === "UntagResource" && rng.chance(0.5)) {
					input.TagKeys = ["value", "value1", "value2"].slice(
						0,
						rng.between(1, 3),
					);
				}
				break;
			case "LookupDeveloperIdentity": {
				set("IdentityPoolId", poolId);
				const user = this.#devUser(pool);
				delete input.IdentityId;
				delete input.DeveloperUserIdentifier;
				if (user && rng.chance(0.5)) input.DeveloperUserIdentifier = user.user;
				else if (user && rng.chance(0.7)) input.IdentityId = user.identityId;
				else set("IdentityId", this.#identityOf(pool)?.id);
				this.#setNextToken(input, "LookupDeveloperIdentity", poolId);
				call.learn = (json) => {
					if (typeof json?.NextToken === "string")
						world.addNextToken(
							"LookupDeveloperIdentity",
							json.NextToken,
							poolId,
						);
				};
				break;
			}
			case "MergeDeveloperIdentities":
			case "UnlinkDeveloperIdentity": {
				set("IdentityPoolId", poolId);
				if (pool?.dev) input.DeveloperProviderName = pool.dev;
				const a = this.#devUser(pool);
				const b = this.#devUser(pool);
				if (operation === "MergeDeveloperIdentities") {
					set("SourceUserIdentifier", a?.user);
					set("DestinationUserIdentifier", b?.user);
				} else {
					set("DeveloperUserIdentifier", a?.user);
					set("IdentityId", rng.chance(0.8) ? a?.identityId : b?.identityId);
				}
				break;
			}
			case "SetIdentityPoolRoles": {
				set("IdentityPoolId", poolId);
				const roles: Record<string, string> = {};
				if (rng.chance(0.8)) roles.authenticated = AUTH_ROLE;
				if (rng.chance(0.8)) roles.unauthenticated = UNAUTH_ROLE;
				input.Roles = roles;
				if (pool && pool.mappingKeys.length > 0 && rng.chance(0.4)) {
					const key = rng.pick(pool.mappingKeys);
					input.RoleMappings = {
						[key]: rng.chance(0.5)
							? { Type: "Token", AmbiguousRoleResolution: "AuthenticatedRole" }
							: {
									Type: "Rules",
									AmbiguousRoleResolution: rng.pick([
										"Deny",
										"AuthenticatedRole",
									]),
									RulesConfiguration: {
										Rules: [
											{
												Claim: rng.pick(["sub", "aud", "email", "custom:x"]),
												MatchType: rng.pick([
													"Equals",
													"Contains",
													"StartsWith",
													"NotEqual",
												]),
												Value: rng.pick(["fuzz-0", "a", "x"]),
												RoleARN: AUTH_ROLE,
											},
										],
									},
								},
					};
				} else delete input.RoleMappings;
				break;
			}
			case "UnlinkIdentity": {
				const identity = this.#identityOf(pool);
				set("IdentityId", identity?.id);
				const logins = loginsToPresent(identity?.logins ?? {}, operation);
				if (Object.keys(logins).length > 0) {
					input.Logins = logins;
					input.LoginsToRemove = rng.sample(Object.keys(logins), 1);
				}
				break;
			}
		}
		return call;
	}

	// --- The STS endpoint ----------------------------------------------------------------

	#sts(): Planned {
		const rng = this.#rng;
		const world = this.#world;
		const action = rng.weighted({
			AssumeRoleWithWebIdentity: 5,
			GetCallerIdentity: 4,
		});
		const params: [string, string][] = [
			["Action", action],
			["Version", STS_VERSION],
		];
		let sign: Signing | undefined;
		if (action === "AssumeRoleWithWebIdentity") {
			const token =
				world.ownTokens.length > 0 && rng.chance(0.9)
					? rng.pick(world.ownTokens).token
					: "eyJhbGciOiJSUzUxMiJ9.e30.sig";
			params.push(
				[
					"RoleArn",
					rng.pick([
						AUTH_ROLE,
						AUTH_ROLE,
						UNAUTH_ROLE,
						`arn:aws:iam::${TEST_ACCOUNT}:role/Other`,
					]),
				],
				["RoleSessionName", rng.pick(["fuzz-session", "a.b@c=d,e+f", "xx"])],
				["WebIdentityToken", token],
			);
			if (rng.chance(0.3))
				params.push(["DurationSeconds", String(rng.between(900, 43200))]);
			if (rng.chance(0.3)) sign = { ...TEST_KEYS, service: "sts" };
		} else {
			const issued =
				world.credentials.length > 0 && rng.chance(0.85)
					? rng.pick(world.credentials)
					: undefined;
			sign = issued
				? {
						service: "sts",
						region: REGION,
						accessKeyId: issued.accessKeyId,
						secretAccessKey: issued.secretKey,
						sessionToken: issued.sessionToken,
					}
				: { ...TEST_KEYS, service: "sts" };
		}
		const req: FuzzRequest = {
			label: `STS ${action}`,
			method: "POST",
			path: "/",
			contentType: FORM,
			target: undefined,
			headers: {},
			body: Buffer.alloc(0),
			sign,
		};
		let encoded: string | Buffer | undefined;
		const mutation = rng.weighted({
			none: 35,
			"drop-param": 8,
			"odd-value": 14,
			"duplicate-param": 4,
			"odd-duration": 5,
			"odd-version": 4,
			"odd-action": 7,
			"query-string": 4,
			"bad-encoding": 6,
			"content-type": 5,
			"with-target": 3,
			signature: 8,
			"json-body": 2,
		});
		req.label += ` ${mutation}`;
		switch (mutation) {
			case "none":
				break;
			case "drop-param":
				params.splice(rng.int(params.length), 1);
				break;
			case "odd-value": {
				const at = rng.int(params.length);
				const param = params[at] as [string, string];
				param[1] = oddString(rng, param[1]);
				req.label += ` ${param[0]}`;
				break;
			}
			case "duplicate-param": {
				const param = rng.pick(params);
				params.splice(rng.int(params.length + 1), 0, [
					param[0],
					oddString(rng),
				]);
				break;
			}
			case "odd-duration":
				params.push([
					"DurationSeconds",
					rng.pick([
						"abc",
						"1e3",
						"-1",
						"99999999999",
						" 900",
						"900.5",
						"",
						"0x384",
						"899",
						"43201",
						"\u0000",
					]),
				]);
				break;
			case "odd-version": {
				const version = rng.pick([
					"",
					"2010-01-01",
					"2011-06-15 ",
					"\u0000",
					"x".repeat(3000),
				]);
				const at = params.findIndex(([name]) => name === "Version");
				if (at >= 0) params[at] = ["Version", version];
				break;
			}
			case "odd-action":
				(params[0] as [string, string])[1] = rng.pick([
					"",
					action.toLowerCase(),
					"AssumeRole",
					"GetSessionToken",
					"__proto__",
					"constructor",
					"toString",
					"hasOwnProperty",
					"Nope",
					"CreateIdentityPool",
					`${action}\u0000`,
					`<${action}>&`,
					"A".repeat(5000),
					"\ud800",
				]);
				break;
			case "query-string":
				req.path = `/?${new URLSearchParams(params).toString()}`;
				params.length = 0;
				break;
			case "bad-encoding":
				encoded = rng.pick<string | Buffer>([
					`${new URLSearchParams(params).toString()}&%`,
					`${new URLSearchParams(params).toString()}&RoleArn=%zz`,
					`${new URLSearchParams(params).toString()}&%00=%00`,
					"&&&==",
					"Action",
					"=",
					`${new URLSearchParams(params).toString()}%ff%fe`,
					Buffer.concat([
						Buffer.from(
							`${new URLSearchParams(params).toString()}&RoleSessionName=`,
						),
						Buffer.from([0xff, 0xc0, 0x80]),
					]),
					new URLSearchParams(params).toString().replaceAll("&", ";"),
				]);
				break;
			case "content-type":
				req.contentType = rng.pick([
					`${FORM}; charset=utf-8`,
					FORM.toUpperCase(),
					` ${FORM}`,
					`${FORM}-x`,
					"text/plain",
					undefined,
					"application/json",
					"multipart/form-data",
				]);
				break;
			case "with-target":
				req.target = rng.pick([
					"AWSSecurityTokenServiceV20110615.GetCallerIdentity",
					`${TARGET_PREFIX}.ListIdentityPools`,
					"",
				]);
				break;
			case "signature":
				req.label += ` ${this.#badSignature(req, "sts")}`;
				break;
			case "json-body":
				encoded = JSON.stringify(Object.fromEntries(params));
				break;
		}
		const body = encoded ?? new URLSearchParams(params).toString();
		req.body = typeof body === "string" ? Buffer.from(body) : body;
		return {
			req,
			learn: (_json, text) => {
				if (!text.includes("<AssumeRoleWithWebIdentityResult>")) return;
				const read = (name: string) =>
					new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
				const accessKeyId = read("AccessKeyId");
				const secretKey = read("SecretAccessKey");
				const sessionToken = read("SessionToken");
				if (accessKeyId && secretKey && sessionToken)
					world.addCredentials({ accessKeyId, secretKey, sessionToken });
			},
		};
	}

	// --- HTTP oddities ---------------------------------------------------------------------

	#http(): Planned {
		const rng = this.#rng;
		const operation = rng.pick(OPERATION_NAMES);
		const req = this.#jsonRequest(operation, this.#bound(operation));
		const choice = rng.pick([
			"method",
			"method",
			"path",
			"path",
			"empty-body",
			"too-large",
		] as const);
		switch (choice) {
			case "method":
				req.method = rng.pick(["GET", "PUT", "DELETE", "PATCH", "PROPFIND"]);
				if (req.method === "GET") req.body = Buffer.alloc(0);
				break;
			case "path":
				req.path = rng.pick([
					"/foo",
					"/health",
					"/.well-known/jwks_uri",
					"/a//b",
					"/%2e%2e/",
					"/index.html",
					"/?",
					"/?Action=GetCallerIdentity&Version=2011-06-15",
					`/${"a".repeat(3000)}`,
					"/%00",
					"/%ff",
					"/%c0%80",
					"/%e2%82",
					"/%",
				]);
				break;
			case "empty-body":
				req.body = Buffer.alloc(0);
				break;
			case "too-large":
				req.body = Buffer.from(
					stringify({
						MaxResults: 5,
						Pad: "x".repeat(1024 * 1024 + rng.int(10)),
					}),
				);
				break;
		}
		req.label = `HTTP ${choice} ${req.method} ${req.path.slice(0, 60)} (${operation})`;
		return { req };
	}
}

/**
 * The logins of an identity to present to `operation`: this server's own token counts only
 * for GetCredentialsForIdentity (docs/federation.md).
 */
function loginsToPresent(
	logins: Record<string, string>,
	operation: OperationName,
): Record<string, string> {
	if (operation === "GetCredentialsForIdentity") return { ...logins };
	const { [OWN_KEY]: _own, ...others } = logins;
	return others;
}

interface BoundCall {
	input: Record<string, unknown>;
	learn?: (json: Record<string, unknown> | undefined, text: string) => void;
}

/** The world's view of a pool from a CreateIdentityPool/DescribeIdentityPool answer. */
export function poolOf(
	json: Record<string, unknown>,
	anchor: boolean,
): PoolRef {
	const providers: string[] = [];
	const mappingKeys: string[] = [];
	const supported = json.SupportedLoginProviders;
	if (supported && typeof supported === "object") {
		providers.push(...Object.keys(supported));
		mappingKeys.push(...Object.keys(supported));
	}
	for (const arn of strings(json.OpenIdConnectProviderARNs)) {
		if (arn === OIDC_ARN) providers.push(OIDC_KEY);
		mappingKeys.push(arn);
	}
	if (Array.isArray(json.CognitoIdentityProviders)) {
		for (const p of json.CognitoIdentityProviders as {
			ProviderName?: unknown;
			ClientId?: unknown;
		}[]) {
			if (typeof p.ProviderName !== "string") continue;
			providers.push(p.ProviderName);
			if (typeof p.ClientId === "string")
				mappingKeys.push(`${p.ProviderName}:${p.ClientId}`);
		}
	}
	mappingKeys.push(...strings(json.SamlProviderARNs));
	return {
		id: String(json.IdentityPoolId),
		anchor,
		dev:
			typeof json.DeveloperProviderName === "string"
				? json.DeveloperProviderName
				: undefined,
		providers,
		mappingKeys,
	};
}

function strings(value: unknown): string[] {
	return Array.isArray(value)
		? value.filter((v): v is string => typeof v === "string")
		: [];
}

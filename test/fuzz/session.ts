/**
 * One run of the wire fuzz test: a server (with the federation doubles of
 * `test/support/federation.ts`, on SQLite or a fresh PostgreSQL schema), a setup that gives
 * the requests something to find (two anchor pools naming every provider, scratch pools,
 * identities, developer users, credentials), the seeded requests one after the other, each
 * answer checked by the oracle, and at the end the checks that the server is still whole:
 * `/health`, a normal flow end to end, every pool listed can be described (with its roles,
 * tags and identities), and the anchor pools are as they were.
 */
import {
	CreateIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	AMAZON,
	AUTH_ROLE,
	DEV,
	FACEBOOK,
	type Federation,
	GOOGLE,
	OIDC_ARN,
	OIDC_KEY,
	SAML_ARN,
	TWITTER,
	UNAUTH_ROLE,
	USER_POOL_CLIENT,
	withFederation,
} from "../support/federation.ts";
import { freshSchema } from "../support/postgres.ts";
import type { StoreEngine } from "../support/stores.ts";
import { Generator, type Planned, poolOf } from "./generate.ts";
import { check, type Problem } from "./oracle.ts";
import { Rng } from "./prng.ts";
import {
	type FuzzAnswer,
	type FuzzRequest,
	type Signing,
	send,
} from "./request.ts";
import { poolArn, REGION, World } from "./world.ts";

/** One answer the oracle refused, with what the server logged for it. */
export interface Finding {
	req: FuzzRequest;
	answer: FuzzAnswer;
	problem: Problem;
	/** The server's log of an internal error with this request's id (message and first frames). */
	log: string | undefined;
	/** A smaller request that fails the same way, when one was found. */
	minimised?: { req: FuzzRequest; answer: FuzzAnswer };
}

export interface RunOptions {
	engine: StoreEngine;
	seed: number;
	requests: number;
	/** The known failure that excuses this one (its name), if any. */
	excuse(req: FuzzRequest, problem: Problem): string | undefined;
	/**
	 * A request that shows each known failure (by its name), sent after the run; `pool` is a
	 * pool that names every provider, with a developer provider (`DEV`).
	 */
	examples: { name: string; request(pool: string): FuzzRequest }[];
}

export interface RunResult {
	sent: number;
	/** Answers of the fuzz requests refused by the oracle and not excused. */
	findings: Finding[];
	/** Failures of the checks after the run. */
	integrity: string[];
	/** How many answers each known failure excused. */
	excused: Map<string, number>;
	/** Answers by status, for the log of the run. */
	statuses: Map<number, number>;
	/** Successful (200) answers by operation or action, for the log of the run. */
	succeeded: Map<string, number>;
	/** Whether the example of each known failure still fails as the entry says. */
	examples: Map<string, boolean>;
}

/** How many requests minimising one finding may send. */
const MINIMISE_BUDGET = 60;

/** The class of a finding: what failed, how, for which request kind. */
export function classOf(f: Pick<Finding, "req" | "problem">): string {
	const words = f.req.label.split(" ");
	return `${f.problem.kind} ${f.problem.status} ${f.problem.errorType ?? "-"} | ${words.slice(0, 2).join(" ")}`;
}

export async function runFuzz(options: RunOptions): Promise<RunResult> {
	const schema =
		options.engine === "postgres" ? await freshSchema() : undefined;
	const internalErrors = new Map<string, string>();
	try {
		return await withFederation(
			{
				config: {
					...(schema ? { db: schema.url } : {}),
					logLevel: "error",
					providerTimeoutSeconds: 2,
				},
				logStream: {
					write(line) {
						const entry = JSON.parse(line) as {
							requestId?: string;
							reqId?: string;
							err?: { message?: string; stack?: string };
						};
						const id = entry.requestId ?? entry.reqId;
						if (id && entry.err) {
							const stack = (entry.err.stack ?? entry.err.message ?? "")
								.split("\n")
								.slice(0, 4)
								.join(" | ");
							internalErrors.set(id, stack);
						}
					},
				},
			},
			(f) => fuzz(f, options, internalErrors),
		);
	} finally {
		await schema?.drop();
	}
}

async function fuzz(
	f: Federation,
	options: RunOptions,
	internalErrors: Map<string, string>,
): Promise<RunResult> {
	const url = f.ts.url;
	const world = new World(await providerTokens(f));
	const generator = new Generator(new Rng(options.seed), world, {
		userPoolKey: f.userPool.providerName,
	});
	const anchors = await setUp(f, world);
	const before = await snapshot(url, anchors);

	const result: RunResult = {
		sent: 0,
		findings: [],
		integrity: [],
		excused: new Map(),
		statuses: new Map(),
		succeeded: new Map(),
		examples: new Map(),
	};
	/** The first finding of each class, minimised after the run. */
	const firsts = new Map<string, Finding>();
	/** Checks an answer: a finding, or excused (answers the known failure's name). */
	const judge = (req: FuzzRequest, answer: FuzzAnswer): string | undefined => {
		const problem = check(req, answer);
		if (!problem) return undefined;
		const excuse = options.excuse(req, problem);
		if (excuse) {
			result.excused.set(excuse, (result.excused.get(excuse) ?? 0) + 1);
			return excuse;
		}
		const finding: Finding = {
			req,
			answer,
			problem,
			log: logOf(answer, internalErrors),
		};
		const key = classOf(finding);
		if (!firsts.has(key)) firsts.set(key, finding);
		result.findings.push(finding);
		return undefined;
	};
	for (let i = 0; i < options.requests; i++) {
		const planned = generator.next();
		const answer = await send(url, planned.req);
		result.sent++;
		learn(planned, answer);
		if (!("error" in answer)) {
			result.statuses.set(
				answer.status,
				(result.statuses.get(answer.status) ?? 0) + 1,
			);
			if (answer.status === 200) {
				const name = operationOf(planned.req);
				result.succeeded.set(name, (result.succeeded.get(name) ?? 0) + 1);
			}
		}
		judge(planned.req, answer);
	}
	// The known failures' examples: does each still fail as its entry says?
	for (const example of options.examples) {
		const req = example.request(anchors[0] as string);
		result.examples.set(
			example.name,
			judge(req, await send(url, req)) === example.name,
		);
	}
	// After the run, so that the requests a seed sends do not depend on what failed.
	for (const finding of firsts.values()) await minimise(url, finding);

	result.integrity = await afterTheRun(f, anchors, before);
	return result;
}

/** The operation (target) or STS action a request called. */
function operationOf(req: FuzzRequest): string {
	const target = req.tamper?.headers?.["x-amz-target"] ?? req.target;
	if (target) return target.slice(target.lastIndexOf(".") + 1);
	const query = req.path.includes("?")
		? req.path.slice(req.path.indexOf("?") + 1)
		: "";
	const action =
		new URLSearchParams(query).get("Action") ??
		new URLSearchParams(req.body.toString("utf8")).get("Action");
	return `STS ${action ?? "?"}`;
}

function logOf(
	answer: FuzzAnswer,
	internalErrors: Map<string, string>,
): string | undefined {
	if ("error" in answer) return undefined;
	const id = answer.headers.get("x-amzn-requestid");
	return id ? internalErrors.get(id) : undefined;
}

function learn(planned: Planned, answer: FuzzAnswer): void {
	if ("error" in answer || answer.status !== 200 || !planned.learn) return;
	planned.learn(answer.json, answer.text);
}

// --- Setup --------------------------------------------------------------------------------

/** A few valid tokens of every provider double, for three users. */
async function providerTokens(
	f: Federation,
): Promise<Record<string, string[]>> {
	const subs = ["fuzz-0", "fuzz-1", "fuzz-2"];
	const jwt = async (mint: (sub: string) => Promise<string>) =>
		Promise.all(subs.map(mint));
	return {
		[OIDC_KEY]: await jwt((s) => f.tokens.oidc(s)),
		[f.userPool.providerName]: await jwt((s) => f.tokens.userPool(s)),
		[GOOGLE]: await jwt((s) => f.tokens.google(s)),
		[FACEBOOK]: subs.map((s) => f.tokens.facebook(s)),
		[AMAZON]: subs.map((s) => f.tokens.amazon(s)),
		[TWITTER]: subs.map((s) => f.tokens.twitter(s)),
	};
}

/**
 * The anchor pools (every provider, both roles; the second without guests or the classic
 * flow, with role mappings), three scratch pools, and identities of each kind. Answers the
 * anchor pools' ids.
 */
async function setUp(f: Federation, world: World): Promise<string[]> {
	const everyProvider = [
		OIDC_KEY,
		f.userPool.providerName,
		GOOGLE,
		FACEBOOK,
		AMAZON,
		TWITTER,
	];
	const a = await f.pool();
	const b = await f.pool({
		AllowUnauthenticatedIdentities: false,
		AllowClassicFlow: false,
		DeveloperProviderName: "fuzz.dev.anchor",
	});
	await f.admin.send(
		new SetIdentityPoolRolesCommand({
			IdentityPoolId: b,
			Roles: { authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
			RoleMappings: {
				[OIDC_ARN]: { Type: "Token", AmbiguousRoleResolution: "Deny" },
				[`${f.userPool.providerName}:${USER_POOL_CLIENT}`]: {
					Type: "Rules",
					AmbiguousRoleResolution: "AuthenticatedRole",
					RulesConfiguration: {
						Rules: [
							{
								Claim: "sub",
								MatchType: "StartsWith",
								Value: "fuzz",
								RoleARN: AUTH_ROLE,
							},
						],
					},
				},
			},
		}),
	);
	const mappingKeys = [
		OIDC_ARN,
		`${f.userPool.providerName}:${USER_POOL_CLIENT}`,
		GOOGLE,
		FACEBOOK,
		AMAZON,
		TWITTER,
		SAML_ARN,
	];
	world.addPool({
		id: a,
		anchor: true,
		dev: DEV,
		providers: everyProvider,
		mappingKeys,
	});
	world.addPool({
		id: b,
		anchor: true,
		dev: "fuzz.dev.anchor",
		providers: everyProvider,
		mappingKeys,
	});
	for (let i = 0; i < 3; i++) {
		const created = await f.admin.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: `scratch ${i}`,
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: `fuzz.scratch${i}`,
			}),
		);
		const id = created.IdentityPoolId as string;
		if (i < 2) {
			await f.admin.send(
				new SetIdentityPoolRolesCommand({
					IdentityPoolId: id,
					Roles: { authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
				}),
			);
		}
		world.addPool(poolOf(created as unknown as Record<string, unknown>, false));
	}

	// Guests and a federated user of the first anchor; developer users of both anchors.
	for (let i = 0; i < 2; i++) {
		world.addIdentity({ id: await f.getId(a), poolId: a, logins: {} });
	}
	const oidcLogin = {
		[OIDC_KEY]: (world.providerTokens[OIDC_KEY] ?? [])[0] ?? "",
	};
	world.addIdentity({
		id: await f.getId(a, oidcLogin),
		poolId: a,
		logins: oidcLogin,
	});
	for (const [pool, dev] of [
		[a, DEV],
		[a, DEV],
		[b, "fuzz.dev.anchor"],
	] as const) {
		const user = `user-${world.devUsers.length}`;
		const out = await f.admin.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: pool,
				Logins: { [dev]: user },
			}),
		);
		const id = out.IdentityId as string;
		world.addIdentity({
			id,
			poolId: pool,
			logins: { "cognito-identity.amazonaws.com": out.Token as string },
		});
		world.addDevUser({ poolId: pool, provider: dev, user, identityId: id });
		world.addOwnToken({
			token: out.Token as string,
			poolId: pool,
			identityId: id,
		});
	}
	const guest = world.identities[0];
	if (guest) {
		const out = await f.app.send(
			new GetCredentialsForIdentityCommand({ IdentityId: guest.id }),
		);
		const c = out.Credentials;
		if (c?.AccessKeyId && c.SecretKey && c.SessionToken) {
			world.addCredentials({
				accessKeyId: c.AccessKeyId,
				secretKey: c.SecretKey,
				sessionToken: c.SessionToken,
			});
		}
	}
	return [a, b];
}

// --- Requests of the checks -----------------------------------------------------------------

/** A JSON call of the test account (or unsigned), as the checks send it. */
export function jsonCall(
	operation: string,
	input: Record<string, unknown>,
	signed = true,
): FuzzRequest {
	return {
		label: `check ${operation}`,
		method: "POST",
		path: "/",
		contentType: "application/x-amz-json-1.1",
		target: `AWSCognitoIdentityService.${operation}`,
		headers: {},
		body: Buffer.from(JSON.stringify(input)),
		sign: signed
			? {
					service: "cognito-identity",
					region: REGION,
					accessKeyId: "test",
					secretAccessKey: "test",
				}
			: undefined,
	};
}

/** A call of an action of the STS endpoint, as the checks send it. */
export function stsCall(
	action: string,
	params: Record<string, string>,
	sign?: Signing,
): FuzzRequest {
	return {
		label: `check STS ${action}`,
		method: "POST",
		path: "/",
		contentType: "application/x-www-form-urlencoded",
		target: undefined,
		headers: {},
		body: Buffer.from(
			new URLSearchParams({
				Action: action,
				Version: "2011-06-15",
				...params,
			}).toString(),
		),
		sign,
	};
}

/** Sends `req`; answers its JSON when the answer is a 200 the oracle accepts, else why not. */
async function expectOk(
	url: string,
	req: FuzzRequest,
): Promise<
	{ json: Record<string, unknown>; text: string } | { failed: string }
> {
	const answer = await send(url, req);
	const problem = check(req, answer);
	if ("error" in answer)
		return { failed: `${req.label}: no answer: ${answer.error}` };
	if (problem || answer.status !== 200) {
		return {
			failed: `${req.label} ${req.body.toString().slice(0, 200)} answered ${answer.status} ${answer.text.slice(0, 300)}${problem ? ` (${problem.kind}: ${problem.detail})` : ""}`,
		};
	}
	return { json: answer.json ?? {}, text: answer.text };
}

/** What the run must not change: the anchor pools and their roles. */
async function snapshot(url: string, anchors: string[]): Promise<string[]> {
	const out: string[] = [];
	for (const id of anchors) {
		for (const operation of ["DescribeIdentityPool", "GetIdentityPoolRoles"]) {
			const got = await expectOk(
				url,
				jsonCall(operation, { IdentityPoolId: id }),
			);
			if ("failed" in got) throw new Error(`setup: ${got.failed}`);
			const { IdentityPoolTags: _tags, ...rest } = got.json;
			out.push(JSON.stringify(rest));
		}
	}
	return out;
}

/** The checks after the run; answers what failed. */
async function afterTheRun(
	f: Federation,
	anchors: string[],
	before: string[],
): Promise<string[]> {
	const url = f.ts.url;
	const failures: string[] = [];
	const ok = async (req: FuzzRequest) => {
		const got = await expectOk(url, req);
		if ("failed" in got) {
			failures.push(got.failed);
			return undefined;
		}
		return got.json;
	};

	// The server answers.
	const health = await fetch(new URL("/health", url));
	if (health.status !== 200) failures.push(`/health answered ${health.status}`);

	// Every pool listed can be described, with its roles, tags and identities.
	const pools: string[] = [];
	let next: string | undefined;
	for (let page = 0; page < 100; page++) {
		const listed = await ok(
			jsonCall("ListIdentityPools", {
				MaxResults: 60,
				...(next ? { NextToken: next } : {}),
			}),
		);
		if (!listed) break;
		for (const p of (listed.IdentityPools ?? []) as {
			IdentityPoolId: string;
		}[])
			pools.push(p.IdentityPoolId);
		next = typeof listed.NextToken === "string" ? listed.NextToken : undefined;
		if (!next) break;
	}
	for (const anchor of anchors) {
		if (!pools.includes(anchor))
			failures.push(`the anchor pool ${anchor} is not listed`);
	}
	let described = 0;
	for (const id of pools) {
		await ok(jsonCall("DescribeIdentityPool", { IdentityPoolId: id }));
		await ok(jsonCall("GetIdentityPoolRoles", { IdentityPoolId: id }));
		await ok(jsonCall("ListTagsForResource", { ResourceArn: poolArn(id) }));
		let token: string | undefined;
		for (let page = 0; page < 20; page++) {
			const listed = await ok(
				jsonCall("ListIdentities", {
					IdentityPoolId: id,
					MaxResults: 60,
					...(token ? { NextToken: token } : {}),
				}),
			);
			if (!listed) break;
			for (const identity of (listed.Identities ?? []) as {
				IdentityId: string;
			}[]) {
				if (described++ < 400)
					await ok(
						jsonCall("DescribeIdentity", { IdentityId: identity.IdentityId }),
					);
			}
			token =
				typeof listed.NextToken === "string" ? listed.NextToken : undefined;
			if (!token) break;
		}
	}

	// The anchor pools are as they were.
	const after = await snapshot(url, anchors).catch((err: Error) => [
		err.message,
	]);
	for (const [i, was] of before.entries()) {
		if (after[i] !== was)
			failures.push(`an anchor pool changed: was ${was}, is ${after[i]}`);
	}

	// A normal flow, end to end: a guest's credentials, checked by the STS endpoint; a
	// developer user's token, exchanged with the STS endpoint.
	const [a] = anchors;
	const id = await ok(jsonCall("GetId", { IdentityPoolId: a }, false));
	const creds = id
		? await ok(
				jsonCall(
					"GetCredentialsForIdentity",
					{ IdentityId: id.IdentityId },
					false,
				),
			)
		: undefined;
	const c = creds?.Credentials as Record<string, string> | undefined;
	if (c) {
		const caller = await expectOk(
			url,
			stsCall(
				"GetCallerIdentity",
				{},
				{
					service: "sts",
					region: REGION,
					accessKeyId: c.AccessKeyId ?? "",
					secretAccessKey: c.SecretKey ?? "",
					sessionToken: c.SessionToken ?? "",
				},
			),
		);
		if ("failed" in caller) failures.push(caller.failed);
	}
	const dev = await ok(
		jsonCall("GetOpenIdTokenForDeveloperIdentity", {
			IdentityPoolId: a,
			Logins: { [DEV]: "after-the-run" },
		}),
	);
	if (dev) {
		const assumed = await expectOk(
			url,
			stsCall("AssumeRoleWithWebIdentity", {
				RoleArn: AUTH_ROLE,
				RoleSessionName: "after-the-run",
				WebIdentityToken: String(dev.Token),
			}),
		);
		if ("failed" in assumed) failures.push(assumed.failed);
	}
	return failures;
}

// --- Minimising -----------------------------------------------------------------------------

/**
 * Looks for a smaller request that fails the same way (same class): members of the JSON
 * body or parameters of the form body left out one at a time, long strings halved. Sends at
 * most {@link MINIMISE_BUDGET} requests.
 */
async function minimise(url: string, finding: Finding): Promise<void> {
	const target = classOf(finding);
	let budget = MINIMISE_BUDGET;
	let best = finding.req;
	let bestAnswer = finding.answer;
	const fails = async (req: FuzzRequest): Promise<boolean> => {
		if (budget-- <= 0) return false;
		const answer = await send(url, req);
		const problem = check(req, answer);
		if (!problem || classOf({ req, problem }) !== target) return false;
		best = req;
		bestAnswer = answer;
		return true;
	};
	const withBody = (req: FuzzRequest, body: Buffer): FuzzRequest => ({
		...req,
		body,
		...(req.tamper?.sentBody
			? { tamper: { ...req.tamper, sentBody: body } }
			: {}),
	});

	const text = finding.req.body.toString("utf8");
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	if (json !== null && typeof json === "object" && !Array.isArray(json)) {
		// Members, top level first, each left out while the failure stays.
		let current = json as Record<string, unknown>;
		for (const key of Object.keys(current)) {
			const { [key]: _dropped, ...rest } = current;
			if (await fails(withBody(best, Buffer.from(JSON.stringify(rest)))))
				current = rest;
		}
		// Long strings halved.
		for (const key of Object.keys(current)) {
			let value = current[key];
			while (typeof value === "string" && value.length > 16) {
				const half = value.slice(0, Math.ceil(value.length / 2));
				const candidate = { ...current, [key]: half };
				if (
					!(await fails(withBody(best, Buffer.from(JSON.stringify(candidate)))))
				)
					break;
				current = candidate;
				value = half;
			}
		}
	} else if (finding.req.contentType?.startsWith("application/x-www-form")) {
		let params = [...new URLSearchParams(text)];
		for (let i = params.length - 1; i >= 0; i--) {
			const rest = params.filter((_, j) => j !== i);
			if (
				await fails(
					withBody(best, Buffer.from(new URLSearchParams(rest).toString())),
				)
			)
				params = rest;
		}
	}
	if (best !== finding.req)
		finding.minimised = { req: best, answer: bestAnswer };
}

/**
 * Test support: stand-ins for the identity providers idpool validates logins with, served on
 * 127.0.0.1 with their own generated keys and speaking each provider's real format, so that
 * the verifier is exercised end to end without a network:
 * - {@link startFakeOidc}: an OpenID Connect issuer with a discovery document and a JWKS that
 *   mints ID tokens (with whatever `iss` the test needs) and rotates its keys;
 * - {@link startFakeUserPool}: the same, shaped as a Cognito user pool (ID and access tokens
 *   with `token_use`, `cognito:groups`, `cognito:roles`, `cognito:preferred_role`);
 * - {@link startFakeFacebook}, {@link startFakeAmazon}, {@link startFakeTwitter}: the Graph
 *   API, Login with Amazon's tokeninfo and Twitter's verify_credentials (which checks the
 *   OAuth 1.0a signature with its own implementation, independent of the server's).
 * Every double can be switched to answer errors, hang, or drop connections.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import {
	createServer,
	type IncomingMessage,
	type Server,
	type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import {
	type CryptoKey,
	exportJWK,
	generateKeyPair,
	type JWK,
	type JWTPayload,
	type KeyObject,
	SignJWT,
} from "jose";
import { type Clock, systemClock } from "../../src/lib/clock.ts";

/**
 * How a double answers: `ok` normally, `error` with HTTP 503, `hang` never (the connection
 * stays open until close), `down` by dropping the connection at once.
 */
export type FakeMode = "ok" | "error" | "hang" | "down";

/** What every double offers. */
export interface FakeServer {
	/** `http://127.0.0.1:<port>`. */
	readonly origin: string;
	/** Paths (with query) of the requests received, oldest first. */
	readonly requests: string[];
	setMode(mode: FakeMode): void;
	close(): Promise<void>;
}

type Handler = (
	req: IncomingMessage,
	url: URL,
) =>
	| { status: number; body: unknown }
	| Promise<{ status: number; body: unknown }>;

async function startFakeHttp(handler: Handler): Promise<FakeServer> {
	let mode: FakeMode = "ok";
	const requests: string[] = [];
	const server: Server = createServer((req, res: ServerResponse) => {
		requests.push(req.url ?? "/");
		if (mode === "down") {
			req.socket.destroy();
			return;
		}
		if (mode === "hang") return;
		if (mode === "error") {
			send(res, 503, { message: "Service Unavailable" });
			return;
		}
		const url = new URL(req.url ?? "/", "http://127.0.0.1");
		Promise.resolve(handler(req, url)).then(
			({ status, body }) => send(res, status, body),
			(err: unknown) => send(res, 500, { message: String(err) }),
		);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		requests,
		setMode(next) {
			mode = next;
		},
		close() {
			return new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}

function send(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		"content-type": "application/json",
		"content-length": Buffer.byteLength(text),
	});
	res.end(text);
}

// ---------------------------------------------------------------------------------------------
// OpenID Connect issuer and Cognito user pool

/** How {@link FakeOidc.mint} signs. */
export interface MintOptions {
	/** The `kid` header (default: the current key's; `null` leaves it out). */
	kid?: string | null;
	/** The algorithm (default: the current key's). */
	alg?: string;
	/** Seconds from now to `exp` when the claims carry no `exp` (default 3600). */
	expiresIn?: number;
	/** Signs with this key instead of the current one (a forged or symmetric token). */
	key?: CryptoKey | KeyObject | Uint8Array;
}

export interface FakeOidc extends FakeServer {
	/** `http://127.0.0.1:<port>/<issuerPath>`, the default `iss`. */
	readonly issuer: string;
	/** The issuer without its scheme, as a `Logins` key. */
	readonly host: string;
	readonly jwksUri: string;
	readonly discoveryUrl: string;
	/** The `kid` that signs now. */
	readonly kid: string;
	/** A signed ID token: `iss` defaults to {@link issuer}, `iat` to now, `exp` to now + expiresIn. */
	mint(claims: JWTPayload, options?: MintOptions): Promise<string>;
	/**
	 * Generates a new key that signs from now on and publishes it; the old keys stay published
	 * unless `dropOld`. Answers the new `kid`.
	 */
	rotateKey(options?: { alg?: string; dropOld?: boolean }): Promise<string>;
}

interface SigningKey {
	kid: string;
	alg: string;
	privateKey: CryptoKey;
	publicJwk: JWK;
}

let kidCounter = 0;

async function newKey(alg: string): Promise<SigningKey> {
	const { privateKey, publicKey } = await generateKeyPair(alg, {
		extractable: true,
	});
	kidCounter += 1;
	const kid = `fake-${kidCounter}-${randomBytes(4).toString("hex")}`;
	return {
		kid,
		alg,
		privateKey,
		publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" },
	};
}

/**
 * An OpenID Connect issuer at `http://127.0.0.1:<port>/<issuerPath>` with
 * `/.well-known/openid-configuration` and `/.well-known/jwks.json` under it.
 */
export async function startFakeOidc(
	options: { issuerPath?: string; clock?: Clock; alg?: string } = {},
): Promise<FakeOidc> {
	const clock = options.clock ?? systemClock;
	const path = (options.issuerPath ?? "oidc").replace(/^\/+|\/+$/g, "");
	let keys: SigningKey[] = [await newKey(options.alg ?? "RS256")];
	const current = (): SigningKey => keys[keys.length - 1] as SigningKey;
	let issuer = "";
	const prefix = path === "" ? "" : `/${path}`;
	const http = await startFakeHttp((_req, url) => {
		if (url.pathname === `${prefix}/.well-known/openid-configuration`) {
			return {
				status: 200,
				body: {
					issuer,
					jwks_uri: `${issuer}/.well-known/jwks.json`,
					response_types_supported: ["id_token"],
					subject_types_supported: ["public"],
					id_token_signing_alg_values_supported: [
						...new Set(keys.map((k) => k.alg)),
					],
				},
			};
		}
		if (url.pathname === `${prefix}/.well-known/jwks.json`) {
			return { status: 200, body: { keys: keys.map((k) => k.publicJwk) } };
		}
		return { status: 404, body: { message: "not found" } };
	});
	issuer = `${http.origin}${prefix}`;
	return {
		...http,
		issuer,
		host: issuer.replace(/^http:\/\//, ""),
		jwksUri: `${issuer}/.well-known/jwks.json`,
		discoveryUrl: `${issuer}/.well-known/openid-configuration`,
		get kid() {
			return current().kid;
		},
		async mint(claims, mintOptions = {}) {
			const key = current();
			const now = Math.floor(clock.now() / 1000);
			const payload: JWTPayload = {
				iss: issuer,
				iat: now,
				exp: now + (mintOptions.expiresIn ?? 3600),
				...claims,
			};
			const alg = mintOptions.alg ?? key.alg;
			const kid = mintOptions.kid === undefined ? key.kid : mintOptions.kid;
			return new SignJWT(payload)
				.setProtectedHeader(
					kid === null ? { alg, typ: "JWT" } : { alg, kid, typ: "JWT" },
				)
				.sign(mintOptions.key ?? key.privateKey);
		},
		async rotateKey(rotateOptions = {}) {
			const key = await newKey(rotateOptions.alg ?? current().alg);
			keys = rotateOptions.dropOld ? [key] : [...keys, key];
			return key.kid;
		},
	};
}

export interface FakeUserPool extends FakeOidc {
	readonly region: string;
	readonly userPoolId: string;
	/** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the `Logins` key and ProviderName. */
	readonly providerName: string;
	/** `https://<providerName>`: the `iss` of its tokens, as on AWS. */
	readonly realIssuer: string;
	/** An ID token of `sub` for the app client `aud`. */
	mintIdToken(
		user: {
			sub: string;
			aud: string;
			groups?: string[];
			roles?: string[];
			preferredRole?: string;
			username?: string;
			[claim: string]: unknown;
		},
		options?: MintOptions,
	): Promise<string>;
	/** An access token (no `aud`, `client_id` instead), which identity pools refuse. */
	mintAccessToken(
		user: { sub: string; clientId: string },
		options?: MintOptions,
	): Promise<string>;
}

/**
 * A Cognito user pool: its JWKS is served at `<issuer>/.well-known/jwks.json` (the path of
 * the real one), its tokens carry the real issuer `https://cognito-idp.<region>.amazonaws.com/<id>`.
 */
export async function startFakeUserPool(
	options: { region?: string; userPoolId?: string; clock?: Clock } = {},
): Promise<FakeUserPool> {
	const region = options.region ?? "us-east-1";
	const userPoolId =
		options.userPoolId ??
		`${region}_${randomBytes(6).toString("base64url").replace(/[-_]/g, "x")}`;
	const oidc = await startFakeOidc({
		issuerPath: userPoolId,
		...(options.clock ? { clock: options.clock } : {}),
	});
	const providerName = `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
	const realIssuer = `https://${providerName}`;
	const extra = {
		region,
		userPoolId,
		providerName,
		realIssuer,
		mintIdToken(
			user: Parameters<FakeUserPool["mintIdToken"]>[0],
			mintOptions?: MintOptions,
		) {
			const { sub, aud, groups, roles, preferredRole, username, ...rest } =
				user;
			return oidc.mint(
				{
					sub,
					aud,
					iss: realIssuer,
					token_use: "id",
					auth_time: Math.floor((options.clock ?? systemClock).now() / 1000),
					"cognito:username": username ?? sub,
					...(groups ? { "cognito:groups": groups } : {}),
					...(roles ? { "cognito:roles": roles } : {}),
					...(preferredRole ? { "cognito:preferred_role": preferredRole } : {}),
					event_id: randomUUID(),
					...rest,
				},
				mintOptions,
			);
		},
		mintAccessToken(
			user: { sub: string; clientId: string },
			mintOptions?: MintOptions,
		) {
			return oidc.mint(
				{
					sub: user.sub,
					iss: realIssuer,
					token_use: "access",
					client_id: user.clientId,
					scope: "aws.cognito.signin.user.admin",
					username: user.sub,
				},
				mintOptions,
			);
		},
	};
	// Descriptors, not Object.assign: the issuer's `kid` getter must stay live after rotation.
	return Object.defineProperties(
		oidc,
		Object.getOwnPropertyDescriptors(extra),
	) as FakeUserPool;
}

// ---------------------------------------------------------------------------------------------
// Facebook Graph API

export interface FakeFacebook extends FakeServer {
	/** The Graph API base URL (what `verifyUrl` points at). */
	readonly url: string;
	/** A new access token of `userId` for the app `appId` (default: the double's app). */
	issueToken(userId: string, appId?: string): string;
}

/**
 * The Graph API: `GET /app?access_token=T` answers the token's app, `GET /me?fields=id&...`
 * its user; an unknown token answers the real OAuthException (HTTP 400, code 190).
 */
export async function startFakeFacebook(options: {
	appId: string;
}): Promise<FakeFacebook> {
	const tokens = new Map<string, { userId: string; appId: string }>();
	const invalid = {
		status: 400,
		body: {
			error: {
				message: "Invalid OAuth access token - Cannot parse access token",
				type: "OAuthException",
				code: 190,
				fbtrace_id: randomBytes(8).toString("base64url"),
			},
		},
	};
	const http = await startFakeHttp((_req, url) => {
		const entry = tokens.get(url.searchParams.get("access_token") ?? "");
		if (url.pathname === "/app") {
			if (!entry) return invalid;
			return {
				status: 200,
				body: {
					link: `https://www.facebook.com/games/?app_id=${entry.appId}`,
					name: "Fake App",
					id: entry.appId,
				},
			};
		}
		if (url.pathname === "/me") {
			if (!entry) return invalid;
			return { status: 200, body: { id: entry.userId } };
		}
		return {
			status: 400,
			body: {
				error: {
					message: "Unsupported get request.",
					type: "GraphMethodException",
					code: 100,
				},
			},
		};
	});
	return {
		...http,
		url: http.origin,
		issueToken(userId, appId = options.appId) {
			const token = `EAA${randomBytes(24).toString("base64url")}`;
			tokens.set(token, { userId, appId });
			return token;
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Login with Amazon

export interface FakeAmazon extends FakeServer {
	/** The tokeninfo endpoint (what `verifyUrl` points at). */
	readonly url: string;
	/** A new access token of `userId` (`amzn1.account.…`) for the client and app given. */
	issueToken(
		userId: string,
		app?: { clientId?: string; appId?: string },
	): string;
}

/** `GET /auth/o2/tokeninfo?access_token=T`, answering as Login with Amazon does. */
export async function startFakeAmazon(options: {
	clientId: string;
	appId: string;
	clock?: Clock;
}): Promise<FakeAmazon> {
	const clock = options.clock ?? systemClock;
	const tokens = new Map<
		string,
		{ userId: string; clientId: string; appId: string; iat: number }
	>();
	const http = await startFakeHttp((_req, url) => {
		if (url.pathname !== "/auth/o2/tokeninfo") {
			return { status: 404, body: { error: "not_found" } };
		}
		const entry = tokens.get(url.searchParams.get("access_token") ?? "");
		if (!entry) {
			return {
				status: 400,
				body: {
					error: "invalid_token",
					error_description:
						"The request has an invalid parameter : access_token",
				},
			};
		}
		const now = Math.floor(clock.now() / 1000);
		return {
			status: 200,
			body: {
				iss: "https://www.amazon.com",
				user_id: entry.userId,
				aud: entry.clientId,
				app_id: entry.appId,
				exp: Math.max(0, 3600 - (now - entry.iat)),
				iat: entry.iat,
			},
		};
	});
	return {
		...http,
		url: `${http.origin}/auth/o2/tokeninfo`,
		issueToken(userId, app = {}) {
			const token = `Atza|${randomBytes(24).toString("base64url")}`;
			tokens.set(token, {
				userId,
				clientId: app.clientId ?? options.clientId,
				appId: app.appId ?? options.appId,
				iat: Math.floor(clock.now() / 1000),
			});
			return token;
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Twitter

export interface FakeTwitter extends FakeServer {
	/** The verify_credentials endpoint (what `verifyUrl` points at). */
	readonly url: string;
	/** A new `token;secret` login value of the user `id`. */
	issueToken(id: string, screenName?: string): string;
}

/** RFC 3986 encoding, written again here so that the double checks the server independently. */
function rfc3986(value: string): string {
	return encodeURIComponent(value).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/**
 * `GET /1.1/account/verify_credentials.json`: answers the user when the OAuth 1.0a HMAC-SHA1
 * signature made with the app's consumer secret and the user's token secret is right, else
 * Twitter's 401 errors (32 "Could not authenticate you.", 89 "Invalid or expired token.").
 */
export async function startFakeTwitter(options: {
	consumerKey: string;
	consumerSecret: string;
}): Promise<FakeTwitter> {
	const tokens = new Map<
		string,
		{ secret: string; id: string; screenName: string }
	>();
	let url = "";
	const refuse = (code: number, message: string) => ({
		status: 401,
		body: { errors: [{ code, message }] },
	});
	const http = await startFakeHttp((req, requestUrl) => {
		if (requestUrl.pathname !== "/1.1/account/verify_credentials.json") {
			return refuse(34, "Sorry, that page does not exist.");
		}
		const header = req.headers.authorization ?? "";
		if (!header.startsWith("OAuth "))
			return refuse(215, "Bad Authentication data.");
		const oauth = new Map<string, string>();
		for (const m of header.slice(6).matchAll(/([\w%]+)="([^"]*)"/g)) {
			oauth.set(decodeURIComponent(m[1] ?? ""), decodeURIComponent(m[2] ?? ""));
		}
		const user = tokens.get(oauth.get("oauth_token") ?? "");
		if (!user) return refuse(89, "Invalid or expired token.");
		if (
			oauth.get("oauth_consumer_key") !== options.consumerKey ||
			oauth.get("oauth_signature_method") !== "HMAC-SHA1"
		) {
			return refuse(32, "Could not authenticate you.");
		}
		const params = [...oauth.entries(), ...requestUrl.searchParams.entries()]
			.filter(([k]) => k !== "oauth_signature")
			.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
			.sort();
		const base = `GET&${rfc3986(url)}&${rfc3986(params.join("&"))}`;
		const expected = createHmac(
			"sha1",
			`${rfc3986(options.consumerSecret)}&${rfc3986(user.secret)}`,
		)
			.update(base)
			.digest("base64");
		if (oauth.get("oauth_signature") !== expected) {
			return refuse(32, "Could not authenticate you.");
		}
		return {
			status: 200,
			body: {
				id: Number(user.id),
				id_str: user.id,
				name: user.screenName,
				screen_name: user.screenName,
			},
		};
	});
	url = `${http.origin}/1.1/account/verify_credentials.json`;
	return {
		...http,
		url,
		issueToken(id, screenName = `user${id}`) {
			const token = `${id}-${randomBytes(12).toString("base64url")}`;
			const secret = randomBytes(18).toString("base64url");
			tokens.set(token, { secret, id, screenName });
			return `${token};${secret}`;
		},
	};
}

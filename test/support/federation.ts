/**
 * Test support for the federated public flows through the official JS v3 client: a real
 * server whose `providers` point at the doubles of fake-idp.ts on loopback (an OpenID Connect
 * issuer under the real name `oidc.example.com`, a Cognito user pool, Google, Facebook, Login
 * with Amazon and Twitter), an unsigned client as an app has, a signed one for the developer
 * calls, and a pool that names every one of those providers: {@link useFederation} for the
 * tests of a `describe`, {@link withFederation} for one test.
 */
import { after, before } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	type CreateIdentityPoolInput,
	DescribeIdentityCommand,
	GetIdCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import type { Config } from "../../src/config/schema.ts";
import type { ProviderSettings } from "../../src/federation/providers.ts";
import type { Clock } from "../../src/lib/clock.ts";
import {
	type FakeAmazon,
	type FakeFacebook,
	type FakeOidc,
	type FakeTwitter,
	type FakeUserPool,
	startFakeAmazon,
	startFakeFacebook,
	startFakeOidc,
	startFakeTwitter,
	startFakeUserPool,
} from "./fake-idp.ts";
import {
	type ServerFixture,
	type ServerOptions,
	serverFixture,
	TEST_ACCOUNT,
} from "./server.ts";

/** The developer provider of the pools made here. */
export const DEV = "login.example.app";
/** An OpenID Connect provider known by a real name; its keys come from a double. */
export const OIDC_KEY = "oidc.example.com";
export const OIDC_ARN = `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${OIDC_KEY}`;
export const OIDC_ISSUER = `https://${OIDC_KEY}`;
export const OIDC_CLIENT = "oidc-web-app";
export const USER_POOL_CLIENT = "7lhlkkfbfb4q5kpp90urffao";
export const GOOGLE = "accounts.google.com";
export const GOOGLE_CLIENT = "123-abc.apps.googleusercontent.com";
export const FACEBOOK = "graph.facebook.com";
export const FACEBOOK_APP = "492844718097981";
export const AMAZON = "www.amazon.com";
export const AMAZON_CLIENT = "amzn1.application-oa2-client.0123456789abcdef";
export const AMAZON_APP = "amzn1.application.0123456789abcdef";
export const TWITTER = "api.twitter.com";
export const TWITTER_CONSUMER_KEY = "twConsumerKey";
export const TWITTER_CONSUMER_SECRET = "twConsumerSecret";
export const SAML_ARN = `arn:aws:iam::${TEST_ACCOUNT}:saml-provider/corp`;
export const AUTH_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/Cognito_Auth`;
export const UNAUTH_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/Cognito_Unauth`;

/** Observed texts (docs/behaviour.md#errors, docs/behaviour.md#getid, docs/behaviour.md#getcredentialsforidentity and docs/behaviour.md#getopenidtoken; docs/federation.md). */
export const MESSAGES = {
	notSupported: "Token is not from a supported provider of this identity pool.",
	issuer: "Invalid login token. Issuer doesn't match providerName",
	couldNotVerify: "Invalid login token. Couldn't verify signed token.",
	missingAud: "Invalid login token. Missing a required claim: aud",
	audience: "Invalid login token. Incorrect token audience.",
	cognitoToken: "Invalid login token. Can't pass in a Cognito token.",
	saml: "SAML logins are not supported yet by idpool.",
	loginsDontMatch:
		"Logins don't match. Please include at least one valid login for this identity or identity pool.",
	forbidden: (id: string) => `Access to Identity '${id}' is forbidden.`,
	notFound: (id: string) => `Identity '${id}' not found.`,
	expired: (now: number, exp: number) =>
		`Invalid login token. Token expired: ${now} >= ${exp}`,
} as const;

export interface Federation {
	/** The server (`ts.url`, `ts.server`...). */
	ts: ServerFixture;
	/** Signed with the test account's keys (admin and developer calls). */
	admin: CognitoIdentityClient;
	/** Unsigned, as an app calls the public operations. */
	app: CognitoIdentityClient;
	oidc: FakeOidc;
	userPool: FakeUserPool;
	google: FakeOidc;
	facebook: FakeFacebook;
	amazon: FakeAmazon;
	twitter: FakeTwitter;
	/** The `Logins` value of each provider for the user `sub`. */
	tokens: {
		oidc(sub: string, claims?: Record<string, unknown>): Promise<string>;
		userPool(sub: string, claims?: Record<string, unknown>): Promise<string>;
		google(sub: string, claims?: Record<string, unknown>): Promise<string>;
		facebook(userId: string): string;
		amazon(userId: string): string;
		twitter(userId: string): string;
	};
	/**
	 * A pool naming every provider above (and SAML and the developer provider), with both
	 * default roles. Answers its id.
	 */
	pool(extra?: Partial<CreateIdentityPoolInput>): Promise<string>;
	/** GetId (unsigned) with `logins`; answers the identity id. */
	getId(poolId: string, logins?: Record<string, string>): Promise<string>;
	/** The provider names DescribeIdentity lists for `identityId`, sorted. */
	loginsOf(identityId: string): Promise<string[] | undefined>;
}

/** What {@link useFederation} and {@link withFederation} start. */
export interface FederationOptions {
	clock?: Clock;
	/** Providers beyond the doubles' (other doubles a test started). */
	extraProviders?: Record<string, ProviderSettings>;
	/** Other settings of the server. */
	config?: Partial<Config>;
	/** Where the server's log lines go (see {@link ServerOptions}). */
	logStream?: ServerOptions["logStream"];
}

/**
 * The doubles and a server for the tests of the enclosing `describe`, started in a `before`
 * and stopped in an `after` registered here. `options` may be a function, called in that
 * `before` (for providers that earlier hooks started).
 */
export function useFederation(
	options: FederationOptions | (() => FederationOptions) = {},
): Federation {
	let running: RunningFederation | undefined;
	before(async () => {
		running = await startFederation(
			typeof options === "function" ? options() : options,
		);
	});
	after(() => running?.stop());
	const current = (): Federation => {
		if (!running) {
			throw new Error(
				"the federation is not running: use it inside a test, or in a hook registered after useFederation()",
			);
		}
		return running;
	};
	return new Proxy({} as Federation, {
		get: (_target, key) => Reflect.get(current(), key),
	});
}

/** Runs `body` with doubles and a server of its own, stopped after. */
export async function withFederation<T>(
	options: FederationOptions,
	body: (f: Federation) => Promise<T>,
): Promise<T> {
	const f = await startFederation(options);
	try {
		return await body(f);
	} finally {
		await f.stop();
	}
}

interface RunningFederation extends Federation {
	stop(): Promise<void>;
}

/**
 * Starts the doubles, then a server whose `providers` point at them (plus `extraProviders`),
 * and the two clients.
 */
async function startFederation(
	options: FederationOptions,
): Promise<RunningFederation> {
	const clock = options.clock ? { clock: options.clock } : {};
	const [oidc, userPool, google, facebook, amazon, twitter] = await Promise.all(
		[
			startFakeOidc({ issuerPath: "oidc", ...clock }),
			startFakeUserPool(clock),
			startFakeOidc({ issuerPath: "google", ...clock }),
			startFakeFacebook({ appId: FACEBOOK_APP }),
			startFakeAmazon({
				clientId: AMAZON_CLIENT,
				appId: AMAZON_APP,
				...clock,
			}),
			startFakeTwitter({
				consumerKey: TWITTER_CONSUMER_KEY,
				consumerSecret: TWITTER_CONSUMER_SECRET,
			}),
		],
	);
	const ts = serverFixture({
		...clock,
		...(options.logStream ? { logStream: options.logStream } : {}),
		config: {
			...options.config,
			providers: {
				[OIDC_KEY]: { jwksUri: oidc.jwksUri, clientIds: [OIDC_CLIENT] },
				[userPool.providerName]: { jwksUri: userPool.jwksUri },
				[GOOGLE]: { jwksUri: google.jwksUri },
				[FACEBOOK]: { verifyUrl: facebook.url },
				[AMAZON]: { verifyUrl: amazon.url },
				[TWITTER]: { verifyUrl: twitter.url },
				...options.extraProviders,
			},
		},
	});
	await ts.start();
	const admin = ts.client;
	const app = ts.app;
	return {
		ts,
		admin,
		app,
		oidc,
		userPool,
		google,
		facebook,
		amazon,
		twitter,
		tokens: {
			oidc: (sub, claims = {}) =>
				oidc.mint({ sub, aud: OIDC_CLIENT, iss: OIDC_ISSUER, ...claims }),
			userPool: (sub, claims = {}) =>
				userPool.mintIdToken({ sub, aud: USER_POOL_CLIENT, ...claims }),
			google: (sub, claims = {}) =>
				google.mint({
					sub,
					aud: GOOGLE_CLIENT,
					iss: "https://accounts.google.com",
					...claims,
				}),
			facebook: (userId) => facebook.issueToken(userId),
			amazon: (userId) => amazon.issueToken(userId),
			twitter: (userId) => twitter.issueToken(userId),
		},
		async pool(extra = {}) {
			const out = await admin.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "federated",
					AllowUnauthenticatedIdentities: true,
					DeveloperProviderName: DEV,
					SupportedLoginProviders: {
						[GOOGLE]: GOOGLE_CLIENT,
						[FACEBOOK]: FACEBOOK_APP,
						[AMAZON]: AMAZON_APP,
						[TWITTER]: `${TWITTER_CONSUMER_KEY};${TWITTER_CONSUMER_SECRET}`,
					},
					CognitoIdentityProviders: [
						{
							ProviderName: userPool.providerName,
							ClientId: USER_POOL_CLIENT,
						},
					],
					OpenIdConnectProviderARNs: [OIDC_ARN],
					SamlProviderARNs: [SAML_ARN],
					...extra,
				}),
			);
			const poolId = out.IdentityPoolId as string;
			await admin.send(
				new SetIdentityPoolRolesCommand({
					IdentityPoolId: poolId,
					Roles: { authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
				}),
			);
			return poolId;
		},
		async getId(poolId, logins) {
			const out = await app.send(
				new GetIdCommand({
					IdentityPoolId: poolId,
					...(logins ? { Logins: logins } : {}),
				}),
			);
			return out.IdentityId as string;
		},
		async loginsOf(identityId) {
			const out = await admin.send(
				new DescribeIdentityCommand({ IdentityId: identityId }),
			);
			return out.Logins ? [...out.Logins].sort() : undefined;
		},
		async stop() {
			await ts.stop();
			await Promise.all(
				[oidc, userPool, google, facebook, amazon, twitter].map((f) =>
					f.close(),
				),
			);
		},
	};
}

/**
 * Test support for the STS-compatible endpoint: a node:http server on 127.0.0.1 that routes
 * `POST /` form bodies to `handleStsRequest` with real dependencies (a SQLite `:memory:`
 * store, a key ring and token issuer minting real tokens, the local credentials provider),
 * a pool with roles, and the official STS client pointed at it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { STSClient } from "@aws-sdk/client-sts";
import { CredentialRegistry } from "../../src/auth/credentials.ts";
import {
	type CredentialsProvider,
	localCredentialsProvider,
} from "../../src/credentials/provider.ts";
import type { PoolRecord } from "../../src/domain/records.ts";
import { tokenFrame } from "../../src/domain/tokens.ts";
import { FakeClock } from "../../src/lib/clock.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";
import {
	createStsEndpoint,
	isStsRequest,
	ownTokenVerifier,
} from "../../src/sts/index.ts";
import { KeyRing } from "../../src/tokens/key-ring.ts";
import { TokenIssuer } from "../../src/tokens/tokens.ts";

export const ACCOUNT = "000000000000";
export const AUTH_ROLE = `arn:aws:iam::${ACCOUNT}:role/Cognito_Auth`;
export const UNAUTH_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/Cognito_Unauth`;

export interface StsEnv {
	/** `http://127.0.0.1:<port>`: the endpoint and the issuer. */
	url: string;
	issuer: string;
	store: Store;
	clock: FakeClock;
	keys: KeyRing;
	tokens: TokenIssuer;
	pool: PoolRecord;
	/** The local provider the endpoint issues through (GetCredentialsForIdentity's too). */
	local: CredentialsProvider;
	/** A token of this server for an identity of the pool. */
	mint(options?: {
		identityId?: string;
		amr?: string[];
		principalTags?: Record<string, string>;
		lifetimeSeconds?: number;
		aud?: string;
		iss?: string;
	}): Promise<string>;
	/** An official STS client for the endpoint. */
	client(credentials?: {
		accessKeyId: string;
		secretAccessKey: string;
		sessionToken?: string;
	}): STSClient;
	/** Internal failures the endpoint reported. */
	internalErrors: unknown[];
	stop(): Promise<void>;
}

/** Starts the endpoint with a fresh store holding one pool with both roles. */
export async function startStsEnv(): Promise<StsEnv> {
	// The first signing key is made active three hours ago, so tests may move the clock back
	// to issue credentials that have expired by now.
	const clock = new FakeClock(Date.now() - 3 * 3600_000);
	const store = openStore(":memory:");
	await store.migrate();
	const keys = new KeyRing(store.signingKeys, clock);
	await keys.init();
	clock.set(Date.now());
	const tokens = new TokenIssuer(keys);
	const local = localCredentialsProvider(store.credentials, clock);
	const registry = new CredentialRegistry([
		{ accessKeyId: "test", secretAccessKey: "test", accountId: ACCOUNT },
	]);
	const poolId = `us-east-1:${randomUUID()}`;
	const poolKey = { accountId: ACCOUNT, region: "us-east-1", poolId };
	await store.pools.create(
		{
			...poolKey,
			settings: {
				IdentityPoolName: "sts",
				AllowUnauthenticatedIdentities: true,
			},
			tags: {},
			now: clock.now(),
		},
		1000,
	);
	await store.pools.setRoles(
		poolKey,
		{ authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
		undefined,
		clock.now(),
	);
	const pool = (await store.pools.get(poolKey)) as PoolRecord;

	let issuer = "http://127.0.0.1";
	const internalErrors: unknown[] = [];
	const endpoint = createStsEndpoint({
		store,
		clock,
		verifyOwnToken: ownTokenVerifier({
			issuer: () => issuer,
			jwks: () => keys.jwks(),
			clock,
		}),
		issueCredentials: (request) => local.issue(request),
		lookupAccessKey: (id) => registry.lookup(id),
		onInternalError: (err) => internalErrors.push(err),
	});

	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (c: Buffer) => chunks.push(c));
		req.on("end", () => {
			if (
				req.method !== "POST" ||
				(req.url ?? "/").split("?")[0] !== "/" ||
				!isStsRequest(req.headers)
			) {
				res.writeHead(404).end();
				return;
			}
			endpoint(
				{
					method: req.method,
					url: req.url ?? "/",
					headers: req.headers,
					body: Buffer.concat(chunks),
				},
				randomUUID(),
			).then((answer) => {
				res.writeHead(answer.statusCode, answer.headers);
				res.end(answer.body);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;
	issuer = url;
	const clients: STSClient[] = [];

	return {
		url,
		issuer,
		store,
		clock,
		keys,
		tokens,
		pool,
		local,
		internalErrors,
		async mint(options = {}) {
			return tokens.mint({
				...tokenFrame({
					identityId: options.identityId ?? `us-east-1:${randomUUID()}`,
					poolId: options.aud ?? poolId,
					region: "us-east-1",
					accountId: ACCOUNT,
					issuer: options.iss ?? issuer,
					nowMs: clock.now(),
					lifetimeSeconds: options.lifetimeSeconds ?? 600,
				}),
				amr: options.amr ?? ["authenticated", "login.example.app"],
				...(options.principalTags
					? { principalTags: options.principalTags }
					: {}),
			});
		},
		client(credentials = { accessKeyId: "test", secretAccessKey: "test" }) {
			const client = new STSClient({
				endpoint: url,
				region: "us-east-1",
				credentials,
				maxAttempts: 1,
			});
			clients.push(client);
			return client;
		},
		async stop() {
			for (const c of clients) c.destroy();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await store.close();
		},
	};
}

/** Asserts that `promise` rejects with an SDK error of this name, status and message. */
export async function rejectsWithSts(
	promise: Promise<unknown>,
	name: string,
	status: number,
	message?: string | RegExp,
): Promise<void> {
	try {
		await promise;
	} catch (err) {
		const e = err as Error & { $metadata?: { httpStatusCode?: number } };
		if (e.name !== name) {
			throw new Error(
				`expected ${name}, got ${e.name}: ${e.message} (${e.$metadata?.httpStatusCode})`,
				{ cause: err },
			);
		}
		if (e.$metadata?.httpStatusCode !== status) {
			throw new Error(
				`expected HTTP ${status}, got ${e.$metadata?.httpStatusCode} (${e.name}: ${e.message})`,
			);
		}
		if (typeof message === "string" && e.message !== message) {
			throw new Error(`expected message "${message}", got "${e.message}"`);
		}
		if (message instanceof RegExp && !message.test(e.message)) {
			throw new Error(
				`expected message matching ${message}, got "${e.message}"`,
			);
		}
		return;
	}
	throw new Error(`expected ${name}, but the call succeeded`);
}

/** POSTs a raw form body to the endpoint. */
export async function postForm(
	url: string,
	form: Record<string, string> | string,
	headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
	const body =
		typeof form === "string" ? form : new URLSearchParams(form).toString();
	const response = await fetch(`${url}/`, {
		method: "POST",
		headers: {
			"content-type": "application/x-www-form-urlencoded; charset=utf-8",
			...headers,
		},
		body,
	});
	return {
		status: response.status,
		text: await response.text(),
		headers: response.headers,
	};
}

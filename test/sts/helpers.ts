/**
 * Test support for the STS-compatible endpoint: a real server on 127.0.0.1 (a SQLite
 * `:memory:` store, a clock the test moves), a pool with roles, a token issuer minting real
 * tokens with the server's keys, the local credentials provider, and the official STS client
 * pointed at it. Internal failures the server logs are collected.
 */
import { randomUUID } from "node:crypto";
import { STSClient } from "@aws-sdk/client-sts";
import { defaultConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import {
	type CredentialsProvider,
	localCredentialsProvider,
} from "../../src/credentials/provider.ts";
import type { PoolRecord } from "../../src/domain/records.ts";
import { tokenFrame } from "../../src/domain/tokens.ts";
import { FakeClock } from "../../src/lib/clock.ts";
import { createServer } from "../../src/server/create-server.ts";
import type { Store } from "../../src/store/store.ts";
import type { KeyRing } from "../../src/tokens/key-ring.ts";
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

/** Starts a server with a fresh store holding one pool with both roles. */
export async function startStsEnv(
	config: Partial<Config> = {},
): Promise<StsEnv> {
	// The first signing key is made active three hours ago, so tests may move the clock back
	// to issue credentials that have expired by now.
	const clock = new FakeClock(Date.now() - 3 * 3600_000);
	const internalErrors: unknown[] = [];
	const server = await createServer(
		defaultConfig({ port: 0, db: ":memory:", logLevel: "error", ...config }),
		{
			clock,
			credentials: [
				{ accessKeyId: "test", secretAccessKey: "test", accountId: ACCOUNT },
			],
			// Internal failures are logged at error level with the message "internal error".
			logStream: {
				write(line: string) {
					const entry = JSON.parse(line) as { msg?: string; err?: unknown };
					if (entry.msg === "internal error") internalErrors.push(entry.err);
				},
			},
		},
	);
	clock.set(Date.now());
	const { store, keys } = server;
	const tokens = new TokenIssuer(keys);
	const local = localCredentialsProvider(store.credentials, clock);
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
	const url = await server.listen();
	const issuer = url;
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
			await server.close();
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

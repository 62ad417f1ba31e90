/**
 * Test support: a real idpool server on 127.0.0.1 and a free port, on a temporary SQLite
 * file, and official SDK clients pointed at it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import type { AccountCredential } from "../../src/auth/credentials.ts";
import { defaultConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import type { Clock } from "../../src/lib/clock.ts";
import {
	createServer,
	type IdpoolServer,
} from "../../src/server/create-server.ts";

export interface TestServer {
	server: IdpoolServer;
	url: string;
	dbPath: string;
	/** Stops the server; `keepData` leaves the database file for a restart. */
	stop(options?: { keepData?: boolean }): Promise<void>;
}

export const TEST_ACCOUNT = "000000000000";

/**
 * The temporary folders created for databases. A restart reuses its predecessor's file
 * (`dbPath`), so whichever server on that file stops last without `keepData` removes it.
 */
const createdDirs = new Set<string>();

/** Starts a server on a free port. `dbPath` reuses a database (for restart tests). */
export async function startServer(
	options: {
		config?: Partial<Config>;
		dbPath?: string;
		clock?: Clock;
		credentials?: AccountCredential[];
	} = {},
): Promise<TestServer> {
	const dir = options.dbPath
		? undefined
		: mkdtempSync(join(tmpdir(), "idpool-test-"));
	const dbPath = options.dbPath ?? join(dir as string, "idpool.db");
	if (dir) createdDirs.add(dir);
	const config = defaultConfig({
		port: 0,
		db: dbPath,
		logLevel: "silent",
		...options.config,
	});
	const server = await createServer(config, {
		...(options.clock ? { clock: options.clock } : {}),
		...(options.credentials ? { credentials: options.credentials } : {}),
	});
	const url = await server.listen();
	return {
		server,
		url,
		dbPath,
		async stop({ keepData = false } = {}) {
			await server.close();
			const folder = dirname(dbPath);
			if (!keepData && createdDirs.delete(folder)) {
				rmSync(folder, { recursive: true, force: true });
			}
		},
	};
}

/** An official JS v3 client for `url`, signing with the given (default: test/test) keys. */
export function sdkClient(
	url: string,
	options: {
		region?: string;
		accessKeyId?: string;
		secretAccessKey?: string;
	} = {},
): CognitoIdentityClient {
	return new CognitoIdentityClient({
		endpoint: url,
		region: options.region ?? "us-east-1",
		credentials: {
			accessKeyId: options.accessKeyId ?? "test",
			secretAccessKey: options.secretAccessKey ?? "test",
		},
		maxAttempts: 1,
	});
}

/** Asserts that `promise` rejects with an SDK error of `name` (HTTP status and message too). */
export async function rejectsWith(
	promise: Promise<unknown>,
	name: string,
	message?: string | RegExp,
	status = 400,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
	try {
		await promise;
	} catch (err) {
		const e = err as Error & { $metadata?: { httpStatusCode?: number } };
		if (e.name !== name) {
			throw new Error(`expected ${name}, got ${e.name}: ${e.message}`, {
				cause: err,
			});
		}
		if (e.$metadata?.httpStatusCode !== status) {
			throw new Error(
				`expected HTTP ${status}, got ${e.$metadata?.httpStatusCode}`,
			);
		}
		if (typeof message === "string" && e.message !== message) {
			throw new Error(
				`expected message ${JSON.stringify(message)}, got ${JSON.stringify(e.message)}`,
			);
		}
		if (message instanceof RegExp && !message.test(e.message)) {
			throw new Error(
				`expected message matching ${message}, got ${JSON.stringify(e.message)}`,
			);
		}
		return e;
	}
	throw new Error(`expected ${name}, but the call succeeded`);
}

/**
 * Test support: cognito-local (the npm package), a local emulator of Cognito user pools, run
 * as its own process on a free port with its data in a temporary folder, and set up through
 * its API with the official user-pools client: a user pool, an app client, users with
 * permanent passwords.
 *
 * Its tokens carry `iss: http://localhost:<port>/<userPoolId>`, so the login's name (what
 * Amplify sends and what the identity pool lists) is `localhost:<port>/<userPoolId>`.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import {
	createUser,
	createUserPool,
	emulatorClient,
} from "../../examples/amplify-browser/setup.ts";

import { loadConfig } from "../../src/config/load.ts";
import type { ProviderMap } from "../../src/federation/providers.ts";
import { codeBlocks } from "./docs.ts";
import { freePort } from "./sockets.ts";

/** How long cognito-local may take to answer its health check after it starts. */
const START_TIMEOUT_MS = 30_000;

/** A running cognito-local. */
export interface CognitoLocal {
	/** `http://localhost:<port>`: the user-pool endpoint. */
	readonly url: string;
	/** `localhost:<port>`: its address, the first part of its pools' login names. */
	readonly address: string;
	readonly port: number;
	/** A user-pools client pointed at it. */
	readonly client: CognitoIdentityProviderClient;
	/** A new user pool and app client; the login name of the pool (`localhost:<port>/<id>`). */
	createPool(name: string): Promise<LocalUserPool>;
	/** Stops the process and removes its data. */
	stop(): Promise<void>;
}

export interface LocalUserPool {
	readonly userPoolId: string;
	readonly clientId: string;
	/** `localhost:<port>/<userPoolId>`: the ProviderName and the `Logins` key. */
	readonly providerName: string;
	/** A confirmed user with a permanent password; answers the user's `sub`. */
	createUser(username: string, password: string): Promise<string>;
}

/** cognito-local's executable script, from the installed package. */
function startScript(): string {
	const require = createRequire(import.meta.url);
	return join(
		dirname(require.resolve("cognito-local/package.json")),
		"lib/bin/start.js",
	);
}

/** Resolves once `url`/health answers 200; rejects if the process exits first or in time. */
async function ready(url: string, child: ChildProcess, log: () => string) {
	const deadline = performance.now() + START_TIMEOUT_MS;
	let exited = false;
	child.once("exit", () => {
		exited = true;
	});
	while (performance.now() < deadline) {
		if (exited) throw new Error(`cognito-local exited:\n${log()}`);
		try {
			const answer = await fetch(`${url}/health`);
			if (answer.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`cognito-local did not start in time:\n${log()}`);
}

/** Starts cognito-local on a free port, its data in a new temporary folder. */
export async function startCognitoLocal(): Promise<CognitoLocal> {
	const dir = mkdtempSync(join(tmpdir(), "idpool-cognito-local-"));
	const port = await freePort();
	const address = `localhost:${port}`;
	const url = `http://${address}`;
	// Its data goes to .cognito/ under its working directory; PORT and HOST also make the
	// issuer of its tokens.
	const child = spawn(process.execPath, [startScript()], {
		cwd: dir,
		env: { ...process.env, PORT: String(port), HOST: "localhost", DEBUG: "" },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	const collect = (chunk: Buffer) => {
		output = (output + chunk.toString()).slice(-20_000);
	};
	child.stdout?.on("data", collect);
	child.stderr?.on("data", collect);
	const exited = new Promise<void>((done) => child.once("exit", () => done()));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill("SIGTERM");
			await exited;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		await ready(url, child, () => output);
	} catch (err) {
		await stop();
		throw err;
	}
	const client = emulatorClient(url);
	return {
		url,
		address,
		port,
		client,
		async createPool(name) {
			const { userPoolId, clientId } = await createUserPool(client, name);
			return {
				userPoolId,
				clientId,
				providerName: `${address}/${userPoolId}`,
				createUser: (username, password) =>
					createUser(client, userPoolId, username, password),
			};
		},
		async stop() {
			client.destroy();
			await stop();
		},
	};
}

/** The JSON snippet of docs/federation.md#a-local-user-pool-emulator, as written there. */
export function documentedEmulatorSnippet(): string {
	const snippet =
		codeBlocks("docs/federation.md", "A local user-pool emulator").find(
			(b) => b.lang === "json",
		)?.code ?? "";
	assert.ok(snippet.includes('"localhost:9229/*"'), "the documented snippet");
	return snippet;
}

/** examples/amplify-browser/idpool.json, as written there. */
export function exampleConfigFile(): string {
	return readFileSync(
		new URL("../../examples/amplify-browser/idpool.json", import.meta.url),
		"utf8",
	);
}

/**
 * The `providers` of the configuration file `text`, for cognito-local at `port` instead of
 * 9229, loaded as `idpool serve --config` loads it.
 */
function providersOf(text: string, port: number): ProviderMap {
	const dir = mkdtempSync(join(tmpdir(), "idpool-emulator-config-"));
	try {
		const path = join(dir, "idpool.json");
		writeFileSync(path, text.replaceAll("9229", String(port)));
		return loadConfig({ config: path }, {}).providers;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The providers of the snippet of docs/federation.md, for cognito-local at `port`. */
export function documentedEmulatorProviders(port: number): ProviderMap {
	return providersOf(documentedEmulatorSnippet(), port);
}

/** The providers of the example's idpool.json, for cognito-local at `port`. */
export function exampleProviders(port: number): ProviderMap {
	return providersOf(exampleConfigFile(), port);
}

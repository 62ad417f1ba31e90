/**
 * Test support: the web console (docs/console.md) built once per test process into a
 * temporary folder, for servers to serve (`useServer(async () => ({ consoleDir: await
 * builtConsole() }))`). The repository's dist/ is neither needed nor touched, so tests that
 * run at the same time and serve dist/console/ never see it half rebuilt. And the console's
 * API called as the page calls it: GETs signed with SigV4.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { buildConsole } from "../../scripts/build-console.ts";

let built: Promise<string> | undefined;

/** The folder of the console built from console/, once per process; removed at exit. */
export function builtConsole(): Promise<string> {
	built ??= (async () => {
		const dir = mkdtempSync(join(tmpdir(), "idpool-console-"));
		process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
		return buildConsole(join(dir, "console"));
	})();
	return built;
}

/** The headers of a GET of `url` signed with SigV4 for `cognito-identity`, `host` included. */
export async function signedHeaders(
	url: string,
	key: { accessKeyId: string; secretAccessKey: string },
): Promise<Record<string, string>> {
	const target = new URL(url);
	const signed = await new SignatureV4({
		service: "cognito-identity",
		region: "us-east-1",
		credentials: key,
		sha256: Sha256,
	}).sign({
		method: "GET",
		protocol: target.protocol,
		hostname: target.hostname,
		port: Number(target.port),
		path: target.pathname,
		headers: { host: target.host },
	});
	return signed.headers;
}

/** A GET of `url` signed with SigV4 for `cognito-identity`, as the console signs it. */
export async function signedGet(
	url: string,
	key: { accessKeyId: string; secretAccessKey: string },
	signal?: AbortSignal,
): Promise<Response> {
	const target = new URL(url);
	const headers = new Headers();
	for (const [name, value] of Object.entries(await signedHeaders(url, key))) {
		if (name !== "host") headers.set(name, value);
	}
	return fetch(target, { headers, ...(signal ? { signal } : {}) });
}

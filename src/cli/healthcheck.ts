/**
 * @module cli/healthcheck
 * `idpool healthcheck`: asks a running server whether it can serve, for a container's
 * `HEALTHCHECK` (the image has no curl) or any supervisor. It calls the readiness endpoint of
 * the server that the same settings describe (`--host`/`--port`, `IDPOOL_HOST`/`IDPOOL_PORT`,
 * an address of every interface asked on loopback), or `--endpoint`; it answers 0 when the
 * endpoint answers 200 and 1 otherwise (never 2, which Docker reserves), with one line on
 * standard error saying why (the checks that failed, with their reasons).
 */
import { loadConfig } from "../config/load.ts";
import type { Output } from "./output.ts";

/** The path asked: the server's readiness endpoint (docs/operating.md#health). */
export const HEALTHCHECK_PATH = "/health/ready";

/**
 * How long the server may take to answer, in milliseconds: well within the image's
 * `HEALTHCHECK --timeout` (5 s), so that a slow server is reported with a reason.
 */
const HEALTHCHECK_TIMEOUT_MS = 3000;

/** The URL of the server's health endpoint, from `--endpoint` or the listening address. */
function healthUrl(
	endpoint: string | undefined,
	host: string,
	port: number,
): URL {
	if (endpoint !== undefined) {
		let base: URL;
		try {
			base = new URL(endpoint);
		} catch {
			throw new Error(`--endpoint must be an http(s) URL, got '${endpoint}'`);
		}
		if (base.protocol !== "http:" && base.protocol !== "https:") {
			throw new Error(`--endpoint must be an http(s) URL, got '${endpoint}'`);
		}
		return new URL(HEALTHCHECK_PATH, base);
	}
	// A server listening on every interface is reached on loopback.
	const reach =
		host === "0.0.0.0"
			? "127.0.0.1"
			: host === "::"
				? "[::1]"
				: host.includes(":") && !host.startsWith("[")
					? `[${host}]`
					: host;
	return new URL(`http://${reach}:${port}${HEALTHCHECK_PATH}`);
}

/**
 * Why the server is not ready, from its answer: the checks that failed with their reasons
 * (`: store: SQLITE_FULL; signing-keys: ...`), or the `problem` of an older server's
 * `/health`; nothing when the answer says neither.
 */
async function answerProblem(response: Response): Promise<string> {
	const text = await response.text().catch(() => "");
	let body: { problem?: unknown; checks?: unknown };
	try {
		body = JSON.parse(text) as typeof body;
	} catch {
		// Not JSON: the status says enough.
		return "";
	}
	if (Array.isArray(body?.checks)) {
		const failed = (
			body.checks as { name?: unknown; status?: unknown; detail?: unknown }[]
		)
			.filter((c) => c?.status !== "ok" && typeof c?.name === "string")
			.map(
				(c) =>
					`${c.name}${typeof c.detail === "string" ? `: ${c.detail}` : ""}`,
			);
		if (failed.length > 0) return `: ${failed.join("; ")}`;
	}
	if (typeof body?.problem === "string") return `: ${body.problem}`;
	return "";
}

/**
 * Runs `idpool healthcheck`: `flags` are the parsed settings flags plus `endpoint`. Answers
 * the exit code; never throws.
 */
export async function healthcheckCommand(
	flags: Readonly<Record<string, string | undefined>>,
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<number> {
	let url: URL;
	try {
		const { endpoint, ...settings } = flags;
		const config = loadConfig(settings, env);
		url = healthUrl(endpoint, config.host, config.port);
	} catch (err) {
		output.err(`idpool healthcheck: ${(err as Error).message}`);
		return 1;
	}
	try {
		const response = await fetch(url, {
			signal: AbortSignal.timeout(HEALTHCHECK_TIMEOUT_MS),
			redirect: "manual",
		});
		if (response.status === 200) {
			await response.body?.cancel();
			output.out(`idpool healthcheck: ${url} answered 200`);
			return 0;
		}
		output.err(
			`idpool healthcheck: ${url} answered ${response.status}${await answerProblem(response)}`,
		);
		return 1;
	} catch (err) {
		const e = err as Error & { cause?: { code?: string } };
		const reason =
			e.name === "TimeoutError"
				? `no answer within ${HEALTHCHECK_TIMEOUT_MS / 1000} s`
				: (e.cause?.code ?? e.message);
		output.err(`idpool healthcheck: ${url}: ${reason}`);
		return 1;
	}
}

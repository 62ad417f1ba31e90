/**
 * @module cli/dev-token
 * `idpool dev-token`: asks a running server's development issuer
 * (docs/federation.md#a-development-issuer) for an ID token and prints it on standard output,
 * alone, so that a shell can capture it (`TOKEN=$(idpool dev-token --sub alice)`). The server
 * is asked over HTTP like any client would, so the token is exactly what the endpoint mints.
 * Whatever keeps a token from coming (no server there, the issuer off, a request it refuses)
 * is one line on standard error and a non-zero exit.
 */
import { parseArgs } from "node:util";
import { OutboundFailure, outboundRequest } from "../lib/outbound-http.ts";
import { DEV_ISSUER_PATH } from "../server/paths.ts";
import type { Output } from "./output.ts";

/** A mistake in how `dev-token` was called (exit code 2, like every usage error). */
export class DevTokenUsageError extends Error {
	override readonly name = "DevTokenUsageError";
}

/** How long the server may take to answer. */
const TIMEOUT_MS = 10_000;

export const DEV_TOKEN_USAGE =
	"usage: idpool dev-token --sub SUBJECT [--aud AUDIENCE] [--claim NAME=VALUE | --claim NAME:=JSON ...] [--expires-in SECONDS] [--endpoint URL]";

/**
 * The default endpoint: where `idpool serve` listens with the same environment
 * (`IDPOOL_PORT`, else 8700, on 127.0.0.1).
 */
function defaultEndpoint(
	env: Readonly<Record<string, string | undefined>>,
): string {
	const port = env.IDPOOL_PORT || "8700";
	return `http://127.0.0.1:${port}`;
}

/**
 * The claims of `--claim` options: `NAME=VALUE` gives a string, `NAME:=JSON` any JSON value
 * (a list, a number, `true`...). A name given twice is refused.
 */
export function parseClaims(
	options: readonly string[],
): Record<string, unknown> {
	const claims: Record<string, unknown> = {};
	for (const option of options) {
		const eq = option.indexOf("=");
		if (eq <= 0) {
			throw new DevTokenUsageError(
				`--claim must be NAME=VALUE or NAME:=JSON, got '${option}'`,
			);
		}
		const json = option[eq - 1] === ":";
		const name = option.slice(0, json ? eq - 1 : eq);
		const text = option.slice(eq + 1);
		if (name === "") {
			throw new DevTokenUsageError(`--claim '${option}' has no claim name`);
		}
		if (Object.hasOwn(claims, name)) {
			throw new DevTokenUsageError(`--claim ${name} is given twice`);
		}
		let value: unknown = text;
		if (json) {
			try {
				value = JSON.parse(text);
			} catch {
				throw new DevTokenUsageError(
					`--claim ${name}:= must be followed by JSON (for example ${name}:='["a","b"]'), got '${text}'`,
				);
			}
		}
		// defineProperty: a claim named __proto__ stays a claim.
		Object.defineProperty(claims, name, {
			value,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return claims;
}

/** The request body and endpoint the arguments describe. */
function parseDevTokenArgs(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
): { endpoint: string; body: Record<string, unknown> } {
	let values: {
		sub?: string;
		aud?: string;
		claim?: string[];
		"expires-in"?: string;
		endpoint?: string;
	};
	try {
		({ values } = parseArgs({
			args,
			options: {
				sub: { type: "string" },
				aud: { type: "string" },
				claim: { type: "string", multiple: true },
				"expires-in": { type: "string" },
				endpoint: { type: "string" },
			},
			strict: true,
			allowPositionals: false,
		}));
	} catch (err) {
		throw new DevTokenUsageError(
			`${(err as Error).message.split("\n")[0]}\n${DEV_TOKEN_USAGE}`,
		);
	}
	if (values.sub === undefined || values.sub === "") {
		throw new DevTokenUsageError(`--sub is required\n${DEV_TOKEN_USAGE}`);
	}
	const body: Record<string, unknown> = { sub: values.sub };
	if (values.aud !== undefined) body.aud = values.aud;
	if (values.claim !== undefined) body.claims = parseClaims(values.claim);
	const expiresIn = values["expires-in"];
	if (expiresIn !== undefined) {
		if (!/^\d+$/.test(expiresIn)) {
			throw new DevTokenUsageError(
				`--expires-in must be a whole number of seconds, got '${expiresIn}'`,
			);
		}
		body.expiresIn = Number(expiresIn);
	}
	const endpoint = (values.endpoint ?? defaultEndpoint(env)).replace(
		/\/+$/,
		"",
	);
	let protocol: string;
	try {
		protocol = new URL(endpoint).protocol;
	} catch {
		protocol = "";
	}
	if (protocol !== "http:" && protocol !== "https:") {
		throw new DevTokenUsageError(
			`--endpoint must be the server's http(s) URL, got '${endpoint}'`,
		);
	}
	return { endpoint, body };
}

/** The `message` of an error answer, if it is one of the server's JSON errors. */
function errorMessage(text: string): string | undefined {
	try {
		const doc = JSON.parse(text) as { message?: unknown };
		return typeof doc.message === "string" ? doc.message : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Runs `idpool dev-token args`: prints the token and answers 0, or prints why not and
 * answers 1.
 * @throws DevTokenUsageError for arguments that are wrong before anything is asked
 */
export async function devTokenCommand(
	args: string[],
	env: Readonly<Record<string, string | undefined>>,
	output: Output,
): Promise<number> {
	const { endpoint, body } = parseDevTokenArgs(args, env);
	let answer: { status: number; text: string };
	try {
		answer = await outboundRequest(`${endpoint}${DEV_ISSUER_PATH}/token`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
			timeoutMs: TIMEOUT_MS,
		});
	} catch (err) {
		if (!(err instanceof OutboundFailure)) throw err;
		output.err(
			`idpool: cannot reach idpool at ${endpoint} (${err.reason}): is \`idpool serve --dev-issuer\` running there? (--endpoint names another server)`,
		);
		return 1;
	}
	if (answer.status === 404) {
		output.err(
			`idpool: the development issuer is off at ${endpoint}: start the server with --dev-issuer (or IDPOOL_DEV_ISSUER=true)`,
		);
		return 1;
	}
	if (answer.status !== 200) {
		const message = errorMessage(answer.text);
		output.err(
			`idpool: the development issuer at ${endpoint} refused the request (HTTP ${answer.status})${message ? `: ${message}` : ""}`,
		);
		return 1;
	}
	let token: unknown;
	try {
		token = (JSON.parse(answer.text) as { id_token?: unknown }).id_token;
	} catch {
		token = undefined;
	}
	if (typeof token !== "string") {
		output.err(
			`idpool: ${endpoint} answered without an id_token: is it an idpool server?`,
		);
		return 1;
	}
	output.out(token);
	return 0;
}

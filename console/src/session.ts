/**
 * The signed-in user: an access key, its secret and a region, kept in the tab's session
 * storage only (gone when the tab closes, never sent anywhere but in signatures), and the
 * clients that sign with them: the official SDK's Cognito Identity and STS clients against
 * this server, and SigV4-signed `fetch` for the console's own two routes.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";

export interface Credentials {
	accessKeyId: string;
	secretAccessKey: string;
	region: string;
	/** The key's account, as the STS endpoint answered it at sign-in. */
	account?: string;
}

const KEY = "idpool-console-session";

/** The credentials of this tab, if signed in. */
export function signedIn(): Credentials | undefined {
	const raw = sessionStorage.getItem(KEY);
	if (!raw) return undefined;
	try {
		const c = JSON.parse(raw) as Credentials;
		return c.accessKeyId && c.secretAccessKey && c.region ? c : undefined;
	} catch {
		return undefined;
	}
}

export function signIn(credentials: Credentials): void {
	sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

export function signOut(): void {
	sessionStorage.removeItem(KEY);
}

/** This server: the console is served by the idpool it manages. */
export const endpoint = location.origin;

/** A Cognito Identity client signing with `c`. */
export function cognito(c: Credentials): CognitoIdentityClient {
	return new CognitoIdentityClient({
		endpoint,
		region: c.region,
		credentials: {
			accessKeyId: c.accessKeyId,
			secretAccessKey: c.secretAccessKey,
		},
		maxAttempts: 1,
	});
}

/** An STS client of this server's STS endpoint, signing with `credentials`. */
export function sts(
	region: string,
	credentials: {
		accessKeyId: string;
		secretAccessKey: string;
		sessionToken?: string;
	},
): STSClient {
	return new STSClient({ endpoint, region, credentials, maxAttempts: 1 });
}

/**
 * `fetch` of a `GET` of the console's API, signed with SigV4 for `cognito-identity` as the
 * SDK signs its calls (EventSource cannot send headers, so the live view reads its stream
 * with this too).
 */
export async function signedGet(
	c: Credentials,
	path: string,
	init: { signal?: AbortSignal } = {},
): Promise<Response> {
	const url = new URL(path, endpoint);
	const signer = new SignatureV4({
		service: "cognito-identity",
		region: c.region,
		credentials: {
			accessKeyId: c.accessKeyId,
			secretAccessKey: c.secretAccessKey,
		},
		sha256: Sha256,
	});
	const signed = await signer.sign({
		method: "GET",
		protocol: url.protocol,
		hostname: url.hostname,
		...(url.port ? { port: Number(url.port) } : {}),
		path: url.pathname,
		headers: { host: url.host },
	});
	const headers = new Headers();
	for (const [name, value] of Object.entries(signed.headers)) {
		if (name.toLowerCase() !== "host") headers.set(name, value);
	}
	return fetch(url, { headers, cache: "no-store", ...init });
}

/** The AWS error of a failed answer of the console's API. */
export async function apiError(response: Response): Promise<Error> {
	let name = `HTTP ${response.status}`;
	let message = response.statusText;
	try {
		const body = (await response.json()) as {
			__type?: string;
			message?: string;
		};
		name = body.__type ?? name;
		message = body.message ?? message;
	} catch {}
	const error = new Error(message);
	error.name = name;
	return error;
}

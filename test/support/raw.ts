/**
 * Test support: raw HTTP calls to a running server, signed with the same SigV4 signer the
 * JS v3 SDK uses, or unsigned, or tampered with, for protocol tests.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export interface RawOptions {
	target?: string | undefined;
	body?: string | Buffer;
	contentType?: string | undefined;
	sign?: boolean;
	region?: string;
	accessKeyId?: string;
	secretAccessKey?: string;
	signingDate?: Date;
	/** The SigV4 signing name (default `cognito-identity`; `sts` for the STS endpoint). */
	service?: string;
	/** A session token, signed as `x-amz-security-token` (credentials the server issued). */
	sessionToken?: string;
	/** Changes headers after signing (to tamper with a signed request). */
	afterSign?: (headers: Record<string, string>) => void;
	/** The body sent instead of `body` (which is what is signed): a body changed after signing. */
	sentBody?: string | Buffer;
	extraHeaders?: Record<string, string>;
	method?: string;
	path?: string;
}

export interface RawAnswer {
	status: number;
	headers: Headers;
	text: string;
	json: Record<string, unknown> | undefined;
}

/** Sends one request and reads the whole answer. */
export async function raw(
	url: string,
	options: RawOptions = {},
): Promise<RawAnswer> {
	const target =
		"target" in options
			? options.target
			: "AWSCognitoIdentityService.ListIdentityPools";
	const body = options.body ?? "{}";
	const u = new URL(options.path ?? "/", url);
	const headers: Record<string, string> = {
		host: u.host,
		...options.extraHeaders,
	};
	const contentType =
		"contentType" in options
			? options.contentType
			: "application/x-amz-json-1.1";
	if (contentType !== undefined) headers["content-type"] = contentType;
	if (target !== undefined) headers["x-amz-target"] = target;
	if (options.sign ?? true) {
		const signer = new SignatureV4({
			service: options.service ?? "cognito-identity",
			region: options.region ?? "us-east-1",
			credentials: {
				accessKeyId: options.accessKeyId ?? "test",
				secretAccessKey: options.secretAccessKey ?? "test",
				...(options.sessionToken === undefined
					? {}
					: { sessionToken: options.sessionToken }),
			},
			sha256: Sha256,
		});
		const signed = await signer.sign(
			{
				method: options.method ?? "POST",
				protocol: u.protocol,
				hostname: u.hostname,
				port: Number(u.port),
				path: u.pathname,
				headers,
				body,
			},
			{ signingDate: options.signingDate ?? new Date() },
		);
		Object.assign(headers, signed.headers);
	}
	options.afterSign?.(headers);
	const { host: _host, ...sendHeaders } = headers;
	const res = await fetch(u, {
		method: options.method ?? "POST",
		headers: sendHeaders,
		...(options.method === "GET" || options.method === "OPTIONS"
			? {}
			: { body: options.sentBody ?? body }),
	});
	const text = await res.text();
	let json: Record<string, unknown> | undefined;
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/**
 * @module sts/handler
 * The STS-compatible endpoint (DECISIONS 21): the AWS query protocol (`POST /`,
 * `Content-Type: application/x-www-form-urlencoded`, `Action=...&Version=2011-06-15&...`;
 * parameters in the query string are read too), answered in STS's XML, for
 *
 * - `AssumeRoleWithWebIdentity` (unsigned): a token this server issued becomes credentials of
 *   the local provider for the role asked, recorded with the token's identity (`sub`), pool
 *   (`aud`) and session tags (its `https://aws.amazon.com/tags` claim): the classic flow, end
 *   to end.
 * - `GetCallerIdentity` (SigV4, service `sts`): who signed. Credentials this server issued
 *   (with their session token in `X-Amz-Security-Token`) answer their assumed-role ARN; the
 *   server's own access keys answer their account's root.
 *
 * Independent of Fastify: {@link handleStsRequest} takes the raw request and answers status,
 * headers and body, and never throws (anything unexpected is a 500 `InternalFailure`).
 */
import { type SigningCredential, verifySigV4 } from "../auth/sigv4.ts";
import {
	COGNITO_ROLE_SESSION_NAME,
	type CredentialRequest,
	type IssuedCredentials,
} from "../credentials/provider.ts";
import {
	ROLE_SESSION_NAME,
	sessionNameOf,
} from "../credentials/session-token.ts";
import type { IssuedCredentialRecord, PoolRecord } from "../domain/records.ts";
import {
	IncompleteSignatureException,
	InvalidSignatureException,
	MissingAuthenticationTokenException,
	UnrecognizedClientException,
} from "../errors/protocol-errors.ts";
import type { Clock } from "../lib/clock.ts";
import type { CredentialRepository, PoolRepository } from "../store/store.ts";
import {
	EXPIRED_SECURITY_TOKEN,
	INCORRECT_AUDIENCE,
	INVALID_ARN,
	INVALID_CLIENT_TOKEN,
	invalidIdentityToken,
	MISSING_AUTHENTICATION_TOKEN,
	NOT_AUTHORIZED_TO_ASSUME,
	StsError,
	validationError,
} from "./errors.ts";
import { assumedRole, parseRoleArn } from "./identity.ts";
import type { WebIdentityClaims, WebIdentityVerifier } from "./web-identity.ts";
import { element, STS_NAMESPACE, STS_VERSION } from "./xml.ts";

/** A received request, as the server hands it over (header names lower-cased). */
export interface StsRequest {
	method: string;
	/** Path and query as received. */
	url: string;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

/** The answer to write. */
export interface StsResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: Buffer;
}

/** What the endpoint needs of the server. */
export interface StsDeps {
	/** Pools (the token's audience) and the credentials this server issued. */
	store: {
		readonly pools: Pick<PoolRepository, "findById">;
		readonly credentials: Pick<CredentialRepository, "get">;
	};
	clock: Clock;
	/** Checks a `WebIdentityToken` (see `ownTokenVerifier`); throws an `StsError`. */
	verifyOwnToken: WebIdentityVerifier;
	/**
	 * Issues and records credentials: the *local* provider's `issue`, whatever provider
	 * GetCredentialsForIdentity uses (this endpoint is the STS that knows them).
	 */
	issueCredentials: (request: CredentialRequest) => Promise<IssuedCredentials>;
	/** The server's own access keys (the credential registry's `lookup`). */
	lookupAccessKey: (accessKeyId: string) => SigningCredential | undefined;
	/** Written as `<RequestId>` and `x-amzn-RequestId`. */
	requestId: string;
	/** Told about failures answered as `InternalFailure` (to log them). */
	onInternalError?: (error: unknown) => void;
}

/** The STS actions this endpoint answers. */
export const STS_ACTIONS = [
	"AssumeRoleWithWebIdentity",
	"GetCallerIdentity",
] as const;

/** STS actions that exist but are not implemented here (answered with a clear refusal). */
const OTHER_STS_ACTIONS = new Set([
	"AssumeRole",
	"AssumeRoleWithSAML",
	"AssumeRoot",
	"DecodeAuthorizationMessage",
	"GetAccessKeyInfo",
	"GetDelegatedAccessToken",
	"GetFederationToken",
	"GetSessionToken",
	"GetWebIdentityToken",
]);

const FORM = "application/x-www-form-urlencoded";

/**
 * Whether a `POST /` is an STS query-protocol request rather than a Cognito Identity one:
 * a form-encoded body and no `X-Amz-Target`.
 */
export function isStsRequest(
	headers: Record<string, string | string[] | undefined>,
): boolean {
	if (headers["x-amz-target"] !== undefined) return false;
	const raw = headers["content-type"];
	const contentType = (Array.isArray(raw) ? raw[0] : raw) ?? "";
	return contentType.trim().toLowerCase().startsWith(FORM);
}

/** Answers one STS request. Never throws. */
export async function handleStsRequest(
	request: StsRequest,
	deps: StsDeps,
): Promise<StsResponse> {
	try {
		const params = readParams(request);
		const action = params.get("Action");
		if (action === undefined || action === "") {
			throw new StsError("MissingAction", "Missing Action");
		}
		const version = params.get("Version");
		const known = (STS_ACTIONS as readonly string[]).includes(action);
		if (!known || (version !== undefined && version !== STS_VERSION)) {
			if (OTHER_STS_ACTIONS.has(action) && version === STS_VERSION) {
				throw new StsError(
					"InvalidAction",
					`idpool's STS endpoint does not implement ${action}; it answers ${STS_ACTIONS.join(" and ")}.`,
				);
			}
			throw new StsError(
				"InvalidAction",
				`Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`,
			);
		}
		const result =
			action === "AssumeRoleWithWebIdentity"
				? await assumeRoleWithWebIdentity(params, deps)
				: await getCallerIdentity(request, deps);
		return answer(
			200,
			`<${action}Response xmlns="${STS_NAMESPACE}"><${action}Result>${result}</${action}Result><ResponseMetadata>${element("RequestId", deps.requestId)}</ResponseMetadata></${action}Response>`,
			deps.requestId,
		);
	} catch (err) {
		let error: StsError;
		if (err instanceof StsError) {
			error = err;
		} else {
			deps.onInternalError?.(err);
			error = new StsError(
				"InternalFailure",
				"The request processing has failed because of an unknown error, exception or failure.",
				500,
			);
		}
		return errorResponse(error, deps.requestId);
	}
}

/** The `<ErrorResponse>` of an error. */
export function errorResponse(error: StsError, requestId: string): StsResponse {
	return answer(
		error.statusCode,
		`<ErrorResponse xmlns="${STS_NAMESPACE}"><Error>${element("Type", error.type)}${element("Code", error.code)}${element("Message", error.message)}</Error>${element("RequestId", requestId)}</ErrorResponse>`,
		requestId,
	);
}

function answer(
	statusCode: number,
	xml: string,
	requestId: string,
): StsResponse {
	return {
		statusCode,
		headers: { "content-type": "text/xml", "x-amzn-RequestId": requestId },
		body: Buffer.from(xml, "utf8"),
	};
}

/** The query string's parameters, then the form body's (the first value of a name wins). */
function readParams(request: StsRequest): Map<string, string> {
	const params = new Map<string, string>();
	const add = (search: URLSearchParams) => {
		for (const [name, value] of search) {
			if (!params.has(name)) params.set(name, value);
		}
	};
	const q = request.url.indexOf("?");
	if (q !== -1) add(new URLSearchParams(request.url.slice(q + 1)));
	if (request.body.length > 0) {
		add(new URLSearchParams(request.body.toString("utf8")));
	}
	return params;
}

// --- AssumeRoleWithWebIdentity ---------------------------------------------------------

const DEFAULT_DURATION_SECONDS = 3600;
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43200;
const SENSITIVE = "*** Sensitive Data Redacted ***";

/** The parameters, checked against the STS model's constraints (Coral's wording). */
function validateAssumeParams(params: Map<string, string>): {
	roleArn: string;
	roleSessionName: string;
	token: string;
	durationSeconds: number;
} {
	const problems: string[] = [];
	const value = (v: string, sensitive = false) =>
		`Value '${sensitive ? SENSITIVE : v}'`;
	const lengths = (
		member: string,
		v: string | undefined,
		min: number,
		max: number,
		sensitive = false,
	) => {
		if (v === undefined) {
			problems.push(
				`Value null at '${member}' failed to satisfy constraint: Member must not be null`,
			);
			return;
		}
		if (v.length < min) {
			problems.push(
				`${value(v, sensitive)} at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
			);
		}
		if (v.length > max) {
			problems.push(
				`${value(v, sensitive)} at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
			);
		}
	};
	const roleArn = params.get("RoleArn");
	const roleSessionName = params.get("RoleSessionName");
	const token = params.get("WebIdentityToken");
	const duration = params.get("DurationSeconds");
	lengths("roleArn", roleArn, 20, 2048);
	lengths("roleSessionName", roleSessionName, 2, 64);
	if (roleSessionName !== undefined && !/^[\w+=,.@-]*$/.test(roleSessionName)) {
		problems.push(
			`${value(roleSessionName)} at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
		);
	}
	lengths("webIdentityToken", token, 4, 20000, true);
	let durationSeconds = DEFAULT_DURATION_SECONDS;
	if (duration !== undefined) {
		if (!/^-?\d{1,10}$/.test(duration.trim())) {
			problems.push(
				`${value(duration)} at 'durationSeconds' failed to satisfy constraint: Member must be an integer`,
			);
		} else {
			durationSeconds = Number(duration.trim());
			if (durationSeconds < MIN_DURATION_SECONDS) {
				problems.push(
					`${value(duration)} at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_DURATION_SECONDS}`,
				);
			}
			if (durationSeconds > MAX_DURATION_SECONDS) {
				problems.push(
					`${value(duration)} at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${MAX_DURATION_SECONDS}`,
				);
			}
		}
	}
	if (problems.length > 0) {
		throw validationError(
			`${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`,
		);
	}
	return {
		roleArn: roleArn as string,
		roleSessionName: roleSessionName as string,
		token: token as string,
		durationSeconds,
	};
}

/**
 * Whether the pool "trusts" its identities with the role, as the trust policy of a Cognito
 * role does on AWS (`aud` = the pool, `amr` = authenticated or unauthenticated): a guest's
 * token may assume only the pool's unauthenticated role; an authenticated identity's token
 * the authenticated role or a role of a `Rules` mapping, and, when the pool has a `Token`
 * mapping (roles chosen by the login provider's `cognito:roles` claim), any role of the
 * pool's account.
 */
export function poolTrustsRole(
	pool: PoolRecord,
	amr: readonly string[],
	roleArn: string,
): boolean {
	if (amr.includes("unauthenticated")) {
		return pool.roles.unauthenticated === roleArn;
	}
	if (!amr.includes("authenticated")) return false;
	if (pool.roles.authenticated === roleArn) return true;
	for (const mapping of Object.values(pool.roleMappings ?? {})) {
		if (mapping.Type === "Token") {
			if (parseRoleArn(roleArn)?.accountId === pool.accountId) return true;
			continue;
		}
		for (const rule of mapping.RulesConfiguration?.Rules ?? []) {
			if (rule.RoleARN === roleArn) return true;
		}
	}
	return false;
}

async function assumeRoleWithWebIdentity(
	params: Map<string, string>,
	deps: StsDeps,
): Promise<string> {
	const { roleArn, roleSessionName, token, durationSeconds } =
		validateAssumeParams(params);
	if (!parseRoleArn(roleArn)) throw validationError(INVALID_ARN);
	const claims: WebIdentityClaims = await deps.verifyOwnToken(token);
	// The pool is the IAM OIDC provider's client id: a pool that no longer exists is no audience.
	const pool = await deps.store.pools.findById(claims.aud);
	if (!pool) throw invalidIdentityToken(INCORRECT_AUDIENCE);
	if (!poolTrustsRole(pool, claims.amr, roleArn)) {
		throw new StsError("AccessDenied", NOT_AUTHORIZED_TO_ASSUME, 403);
	}
	const issued = await deps.issueCredentials({
		identityId: claims.sub,
		poolId: pool.poolId,
		accountId: pool.accountId,
		region: pool.region,
		roleArn,
		principalTags: claims.principalTags,
		amr: claims.amr,
		roleSessionName,
		durationSeconds,
	});
	const role = assumedRole(roleArn, roleSessionName, pool.accountId);
	const provider = claims.iss.replace(/^https?:\/\//, "");
	return [
		"<Credentials>",
		element("AccessKeyId", issued.AccessKeyId),
		element("SecretAccessKey", issued.SecretKey),
		element("SessionToken", issued.SessionToken),
		element("Expiration", isoSeconds(issued.expiresAt)),
		"</Credentials>",
		element("SubjectFromWebIdentityToken", claims.sub),
		"<AssumedRoleUser>",
		element("AssumedRoleId", role.assumedRoleId),
		element("Arn", role.arn),
		"</AssumedRoleUser>",
		element("Provider", provider),
		element("Audience", claims.aud),
	].join("");
}

/** `2026-01-01T00:00:00Z`: ISO 8601 to the second, as STS prints times. */
function isoSeconds(ms: number): string {
	return new Date(Math.floor(ms / 1000) * 1000)
		.toISOString()
		.replace(/\.\d{3}Z$/, "Z");
}

// --- GetCallerIdentity -----------------------------------------------------------------

/** The access key id named in a SigV4 `Authorization` header, if one can be read. */
function signingKeyId(request: StsRequest): string | undefined {
	const raw = request.headers.authorization;
	const authorization = Array.isArray(raw) ? raw.join(",") : raw;
	if (!authorization) return undefined;
	return /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
}

function securityToken(request: StsRequest): string | undefined {
	const raw = request.headers["x-amz-security-token"];
	return Array.isArray(raw) ? raw.join(",") : raw;
}

/** SigV4 failures in STS's codes and statuses. */
function asStsError(err: unknown): unknown {
	if (err instanceof MissingAuthenticationTokenException) {
		return new StsError(
			"MissingAuthenticationToken",
			MISSING_AUTHENTICATION_TOKEN,
			403,
		);
	}
	if (err instanceof IncompleteSignatureException) {
		return new StsError("IncompleteSignature", err.message, 400);
	}
	if (err instanceof UnrecognizedClientException) {
		return new StsError("InvalidClientTokenId", INVALID_CLIENT_TOKEN, 403);
	}
	if (err instanceof InvalidSignatureException) {
		return new StsError("SignatureDoesNotMatch", err.message, 403);
	}
	return err;
}

async function getCallerIdentity(
	request: StsRequest,
	deps: StsDeps,
): Promise<string> {
	const now = deps.clock.now();
	const keyId = signingKeyId(request);
	// Credentials this server issued live in the store, which is asynchronous; the verifier's
	// lookup is synchronous, so the record is read first.
	let issued: IssuedCredentialRecord | undefined;
	if (keyId !== undefined && deps.lookupAccessKey(keyId) === undefined) {
		issued = await deps.store.credentials.get(keyId);
	}
	const token = securityToken(request);
	let verified: { accessKeyId: string; accountId: string };
	try {
		verified = verifySigV4(
			request,
			(id) => {
				const own = deps.lookupAccessKey(id);
				if (own) {
					// A long-term key has no session token to present.
					if (token !== undefined) {
						throw new StsError(
							"InvalidClientTokenId",
							INVALID_CLIENT_TOKEN,
							403,
						);
					}
					return own;
				}
				if (!issued || issued.accessKeyId !== id) return undefined;
				if (token !== issued.sessionToken) {
					throw new StsError("InvalidClientTokenId", INVALID_CLIENT_TOKEN, 403);
				}
				if (now >= issued.expiresAt) {
					throw new StsError("ExpiredToken", EXPIRED_SECURITY_TOKEN, 403);
				}
				return {
					accessKeyId: issued.accessKeyId,
					secretAccessKey: issued.secretAccessKey,
					accountId: issued.accountId,
				};
			},
			new Date(now),
			"sts",
		);
	} catch (err) {
		throw asStsError(err);
	}
	if (issued && issued.accessKeyId === verified.accessKeyId) {
		const session = sessionNameOf(issued.sessionToken);
		const role = assumedRole(
			issued.roleArn,
			session !== undefined && ROLE_SESSION_NAME.test(session)
				? session
				: COGNITO_ROLE_SESSION_NAME,
			issued.accountId,
		);
		return (
			element("Arn", role.arn) +
			element("UserId", role.assumedRoleId) +
			element("Account", role.accountId)
		);
	}
	// The server's own keys: the account's root, as STS answers for root access keys.
	return (
		element("Arn", `arn:aws:iam::${verified.accountId}:root`) +
		element("UserId", verified.accountId) +
		element("Account", verified.accountId)
	);
}

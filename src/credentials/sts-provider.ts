/**
 * @module credentials/sts-provider
 * The *sts* credentials provider (docs/behaviour.md#credentials): GetCredentialsForIdentity's credentials come
 * from an STS endpoint (AWS STS, or any STS-compatible one), as on AWS: this server mints the
 * identity's own OpenID token (its session tags in the `https://aws.amazon.com/tags` claim,
 * the only way tags travel: the call has no tags parameter) and calls
 * `AssumeRoleWithWebIdentity` with it, the role chosen and the role session name
 * `CognitoIdentityCredentials`. The call is unsigned (STS needs no credentials for it) and goes
 * through the shared outbound client (`lib/outbound-http.ts`): a deadline, no redirects, at most
 * 1 MiB read.
 *
 * Failures, as Cognito Identity answers them: STS refusing (a 4xx: the role's trust policy,
 * an issuer that is not an IAM OIDC provider, an audience that is not its client id, ...) →
 * `InvalidIdentityPoolConfigurationException` with AWS's message; STS throttling →
 * `TooManyRequestsException`; STS unreachable, too slow, a 5xx, `IDPCommunicationError` (STS
 * could not fetch this server's keys) or an answer that is not STS's →
 * `ExternalServiceException`. The STS error travels as the `cause`, for the logs.
 */
import { INVALID_POOL_CONFIGURATION } from "../domain/role-resolution.ts";
import {
	ExternalServiceException,
	InvalidIdentityPoolConfigurationException,
	TooManyRequestsException,
} from "../errors/service-errors.ts";
import {
	type FetchLike,
	OutboundFailure,
	outboundRequest,
} from "../lib/outbound-http.ts";
import { contentOf, STS_VERSION, textOf } from "../lib/xml.ts";
import {
	COGNITO_ROLE_SESSION_NAME,
	type CredentialRequest,
	type CredentialsProvider,
	type IssuedCredentials,
} from "./provider.ts";

const DEFAULT_STS_TIMEOUT_MS = 5000;

export interface StsProviderOptions {
	/**
	 * The STS endpoint (`https://sts.eu-west-1.amazonaws.com`, or a local STS). Default: the
	 * regional AWS endpoint of `region`, else of the pool's region.
	 */
	endpoint?: string;
	/** The region whose AWS STS endpoint is used when `endpoint` is not given. */
	region?: string;
	/** Mints the identity's own token for a request (see `ownTokenMinter`). */
	mintToken: (request: CredentialRequest) => Promise<string>;
	/** The longest STS may take to answer (default 5000 ms). */
	timeoutMs?: number;
	/** Replaces global `fetch` (tests). */
	fetch?: FetchLike;
}

/** A failed call, with what STS said (when it said anything). */
class StsCallFailed extends Error {
	override readonly name = "StsCallFailed";
	readonly status: number | undefined;
	readonly code: string | undefined;
	constructor(
		message: string,
		details: { status?: number; code?: string; cause?: unknown } = {},
	) {
		super(
			message,
			details.cause === undefined ? undefined : { cause: details.cause },
		);
		this.status = details.status;
		this.code = details.code;
	}
}

/** The sts provider. */
export function stsCredentialsProvider(
	options: StsProviderOptions,
): CredentialsProvider {
	const timeoutMs = options.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS;
	const endpointFor = (request: CredentialRequest): string =>
		options.endpoint ??
		`https://sts.${options.region ?? request.region}.amazonaws.com`;

	return {
		async issue(request) {
			const token = await options.mintToken(request);
			const form = new URLSearchParams({
				Action: "AssumeRoleWithWebIdentity",
				Version: STS_VERSION,
				RoleArn: request.roleArn,
				RoleSessionName: request.roleSessionName ?? COGNITO_ROLE_SESSION_NAME,
				WebIdentityToken: token,
				DurationSeconds: String(request.durationSeconds ?? 3600),
			});
			const endpoint = endpointFor(request);
			let status: number;
			let text: string;
			try {
				({ status, text } = await outboundRequest(endpoint, {
					method: "POST",
					headers: {
						"content-type": "application/x-www-form-urlencoded; charset=utf-8",
						accept: "text/xml",
					},
					body: form.toString(),
					timeoutMs,
					fetch: options.fetch,
				}));
			} catch (err) {
				throw unreachable(
					err instanceof OutboundFailure ? err.reason : "connection failed",
					err,
				);
			}
			return interpret(status, text);
		},
	};
}

function unreachable(
	reason: string,
	cause?: unknown,
): InstanceType<typeof ExternalServiceException> {
	return new ExternalServiceException(
		`STS could not be reached: ${reason}.`,
		cause === undefined ? undefined : { cause },
	);
}

/** The credentials of an STS answer, or the Cognito Identity error it means. */
export function interpret(status: number, xml: string): IssuedCredentials {
	if (status >= 200 && status < 300) {
		const credentials = contentOf(xml, "Credentials");
		const AccessKeyId = credentials && textOf(credentials, "AccessKeyId");
		const SecretKey = credentials && textOf(credentials, "SecretAccessKey");
		const SessionToken = credentials && textOf(credentials, "SessionToken");
		const expiration = credentials && textOf(credentials, "Expiration");
		const expiresAt = expiration ? Date.parse(expiration) : Number.NaN;
		if (
			!AccessKeyId ||
			!SecretKey ||
			!SessionToken ||
			!Number.isFinite(expiresAt)
		) {
			throw unreachable(
				`HTTP ${status} answer is not an AssumeRoleWithWebIdentity result`,
			);
		}
		return { AccessKeyId, SecretKey, SessionToken, expiresAt };
	}
	const code = textOf(xml, "Code");
	const message = textOf(xml, "Message");
	const cause = new StsCallFailed(
		`STS answered HTTP ${status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`,
		{ status, ...(code === undefined ? {} : { code }) },
	);
	if (status >= 400 && status < 500 && code !== undefined) {
		if (code === "Throttling" || code === "ThrottlingException") {
			return throwing(new TooManyRequestsException("Rate exceeded", { cause }));
		}
		if (code === "IDPCommunicationError") {
			return throwing(
				new ExternalServiceException(
					"STS could not reach this server's OpenID Connect keys (IDPCommunicationError).",
					{ cause },
				),
			);
		}
		return throwing(
			new InvalidIdentityPoolConfigurationException(
				INVALID_POOL_CONFIGURATION,
				{ cause },
			),
		);
	}
	return throwing(
		unreachable(`HTTP ${status}${code ? ` ${code}` : ""}`, cause),
	);
}

function throwing(error: Error): never {
	throw error;
}

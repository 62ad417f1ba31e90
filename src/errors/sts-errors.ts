/**
 * @module errors/sts-errors
 * The errors of the STS-compatible endpoint, named as STS names them (the `<Code>` of the
 * query protocol's `<ErrorResponse>`), with STS's HTTP statuses: 400 for most client
 * errors, 403 for authentication and authorisation failures (as `@aws-sdk/client-sts`'s model
 * and AWS's common errors list them). Where STS's wording is known it is copied, because
 * tools match on it.
 */

/** An error answered in the STS `<ErrorResponse>` envelope. */
export class StsError extends Error {
	/** The `<Code>`. */
	readonly code: string;
	/** HTTP status. */
	readonly statusCode: number;
	/** `<Type>`: `Sender` for the caller's faults, `Receiver` for the server's. */
	readonly type: "Sender" | "Receiver";

	constructor(
		code: string,
		message: string,
		statusCode = 400,
		options?: { cause?: unknown; type?: "Sender" | "Receiver" },
	) {
		super(message, options?.cause === undefined ? undefined : options);
		this.code = code;
		this.statusCode = statusCode;
		this.type = options?.type ?? (statusCode >= 500 ? "Receiver" : "Sender");
	}

	override get name(): string {
		return this.code;
	}
}

/** A parameter violates a constraint of the STS model (Coral wording). */
export function validationError(message: string): StsError {
	return new StsError("ValidationError", message);
}

/** The web identity token is not one this server issued, or not acceptable. */
export function invalidIdentityToken(message: string): StsError {
	return new StsError("InvalidIdentityToken", message);
}

/** Observed STS wording: `Token expired: current date/time <now> must be before the expiration date/time <exp>`. */
export function expiredWebIdentityToken(now: number, exp: number): StsError {
	return new StsError(
		"ExpiredTokenException",
		`Token expired: current date/time ${now} must be before the expiration date/time ${exp}`,
	);
}

/** Observed STS wording when the role's trust policy does not allow the caller. */
export const NOT_AUTHORIZED_TO_ASSUME =
	"Not authorized to perform sts:AssumeRoleWithWebIdentity";

/** Observed STS wording for a syntactically invalid role ARN. */
export const INVALID_ARN = "Request ARN is invalid";

/** Observed wording: a token that is not a JWS compact JWT. */
export const NOT_A_JWT =
	"The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)";

/** Observed wording: the token's `aud` is not a client id of the IAM OIDC provider. */
export const INCORRECT_AUDIENCE = "Incorrect token audience";

/** Observed wording: no key of the issuer's JWKS has the token's `kid`. */
export const NO_VERIFICATION_KEY =
	"Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/** The STS model's description of InvalidIdentityToken, for a signature that does not verify. */
export const NOT_VALIDATED =
	"The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.";

/** Observed form: the token's issuer is not an IAM OIDC provider of the account. */
export function noOidcProvider(issuer: string): string {
	return `No OpenIDConnect provider found in your account for ${issuer}`;
}

/** Signed call without an `Authorization` header (HTTP 403). */
export const MISSING_AUTHENTICATION_TOKEN =
	"Request is missing Authentication Token";

/** Unknown access key, or a session token that is missing or not the key's (HTTP 403). */
export const INVALID_CLIENT_TOKEN =
	"The security token included in the request is invalid.";

/** Credentials past their expiration (HTTP 403). */
export const EXPIRED_SECURITY_TOKEN =
	"The security token included in the request is expired";

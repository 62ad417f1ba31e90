/**
 * @module errors/service-errors
 * The errors of the Cognito Identity service model, named exactly as AWS names them
 * (the `__type` a client sees), plus the base class every error the server answers with
 * derives from. Anything thrown that is not a {@link ServiceError} is answered as
 * `InternalErrorException` with a generic message (see `protocol/aws-json.ts`).
 */

/** Every error the wire layer knows how to encode. */
export abstract class ServiceError extends Error {
	/** The bare AWS error name written as `__type`. */
	abstract readonly type: string;
	/** HTTP status. AWS answers 400 for every client error and 500 for server faults (docs/behaviour.md#errors). */
	readonly statusCode: number = 400;
	/** Whether the caller (client) or the service (server) is at fault. */
	readonly fault: "client" | "server" = "client";

	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
	}

	override get name(): string {
		return this.type;
	}
}

/** Defines a service error class whose `type` is its AWS name. */
function defineError<const T extends string>(type: T) {
	return class extends ServiceError {
		readonly type = type;
		static readonly type = type;
	};
}

// Errors of the service model (all have a single `message` member).
export const InvalidParameterException = defineError(
	"InvalidParameterException",
);
export const NotAuthorizedException = defineError("NotAuthorizedException");
export const ResourceConflictException = defineError(
	"ResourceConflictException",
);
export const ResourceNotFoundException = defineError(
	"ResourceNotFoundException",
);
export const TooManyRequestsException = defineError("TooManyRequestsException");
export const LimitExceededException = defineError("LimitExceededException");
const ConcurrentModificationException = defineError(
	"ConcurrentModificationException",
);
export const DeveloperUserAlreadyRegisteredException = defineError(
	"DeveloperUserAlreadyRegisteredException",
);
export const ExternalServiceException = defineError("ExternalServiceException");
export const InvalidIdentityPoolConfigurationException = defineError(
	"InvalidIdentityPoolConfigurationException",
);

/** The one server fault of the model: HTTP 500. */
export class InternalErrorException extends ServiceError {
	readonly type = "InternalErrorException";
	static readonly type = "InternalErrorException";
	override readonly statusCode = 500;
	override readonly fault = "server" as const;
}

/** The names of the errors declared by the service model. */
export const MODELED_ERRORS = [
	InvalidParameterException,
	NotAuthorizedException,
	ResourceConflictException,
	ResourceNotFoundException,
	TooManyRequestsException,
	LimitExceededException,
	ConcurrentModificationException,
	DeveloperUserAlreadyRegisteredException,
	ExternalServiceException,
	InvalidIdentityPoolConfigurationException,
	InternalErrorException,
] as const;

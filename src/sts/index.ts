/**
 * @module sts/index
 * What the composition root needs of the STS-compatible endpoint: {@link isStsRequest} to
 * tell an STS query-protocol `POST /` from a Cognito Identity one, and
 * {@link createStsEndpoint} (or {@link handleStsRequest}) to answer it.
 */
import {
	handleStsRequest,
	type StsDeps,
	type StsRequest,
	type StsResponse,
} from "./handler.ts";

export { StsError } from "./errors.ts";
export {
	errorResponse,
	handleStsRequest,
	isStsRequest,
	poolTrustsRole,
	STS_ACTIONS,
	type StsDeps,
	type StsRequest,
	type StsResponse,
} from "./handler.ts";
export {
	type OwnTokenVerifierOptions,
	ownTokenVerifier,
	type WebIdentityClaims,
	type WebIdentityVerifier,
} from "./web-identity.ts";

/** The endpoint with its per-server dependencies bound: answers one request. */
export type StsEndpoint = (
	request: StsRequest,
	requestId: string,
) => Promise<StsResponse>;

/** Binds the per-server dependencies once; the request id comes with each request. */
export function createStsEndpoint(
	deps: Omit<StsDeps, "requestId">,
): StsEndpoint {
	return (request, requestId) =>
		handleStsRequest(request, { ...deps, requestId });
}

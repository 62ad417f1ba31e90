/**
 * @module operations/not-yet-available
 * The placeholder for an operation of the service whose implementation has not landed yet:
 * it is routed, authenticated and validated like any other, then answers an AWS-shaped
 * `UnsupportedOperationException` naming the operation (never a 500).
 */
import { UnsupportedOperationException } from "../errors/protocol-errors.ts";
import { defineOperation, type Operation } from "./operation.ts";

/** An operation that answers that it is not available yet. */
export function notYetAvailable(
	name: string,
	auth: "sigv4" | "none",
): Operation<unknown, never> {
	return defineOperation<unknown, never>({
		name,
		auth,
		supported: false,
		async handler() {
			throw new UnsupportedOperationException(
				`${name} is not available in this version of idpool yet.`,
			);
		},
	});
}

/**
 * @module domain/ids
 * Identifier and ARN formats of Cognito Identity. Pool ids and identity ids are
 * `<region>:<lowercase uuid>` (docs/behaviour.md#ids-and-arns; observed e.g. `us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed`),
 * pool ARNs are `arn:aws:cognito-identity:<region>:<account>:identitypool/<poolId>`.
 */
import { randomUUID } from "node:crypto";

/** A new pool or identity id in `region`. */
export function newRegionalId(region: string): string {
	return `${region}:${randomUUID()}`;
}

/** The region prefix of a pool or identity id (the text before the first `:`). */
export function regionOfId(id: string): string {
	const i = id.indexOf(":");
	return i < 0 ? "" : id.slice(0, i);
}

/** The ARN of an identity pool, as used by the tagging operations and the token's pool-ARN claim. */
export function identityPoolArn(
	region: string,
	accountId: string,
	poolId: string,
): string {
	return `arn:${partitionOf(region)}:cognito-identity:${region}:${accountId}:identitypool/${poolId}`;
}

/** The AWS partition a region belongs to. */
export function partitionOf(region: string): string {
	if (region.startsWith("cn-")) return "aws-cn";
	if (region.startsWith("us-gov-")) return "aws-us-gov";
	return "aws";
}

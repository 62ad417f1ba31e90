/**
 * @module domain/ids
 * Identifier and ARN formats of Cognito Identity, and the region names they are built from.
 * Pool ids and identity ids are `<region>:<lowercase uuid>` (docs/behaviour.md#ids-and-arns;
 * observed e.g. `us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed`), pool ARNs are
 * `arn:<partition>:cognito-identity:<region>:<account>:identitypool/<poolId>`. A region name
 * has AWS's form in one of its partitions ({@link isRegionName}), and is short enough that
 * the ids made from it fit the model's 55 characters (docs/behaviour.md#accounts-and-regions).
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

/**
 * AWS's partitions and the form of their region names, as the endpoint rules of the AWS
 * SDKs write them (`partitions.json`), with lower-case letters where they write `\w`. The
 * first that matches names the partition; `aws` comes last, as the broadest.
 */
const PARTITIONS: readonly (readonly [partition: string, form: RegExp])[] = [
	["aws-us-gov", /^us-gov-[a-z]+-\d{1,2}$/],
	["aws-iso", /^us-iso-[a-z]+-\d{1,2}$/],
	["aws-iso-b", /^us-isob-[a-z]+-\d{1,2}$/],
	["aws-iso-e", /^eu-isoe-[a-z]+-\d{1,2}$/],
	["aws-iso-f", /^us-isof-[a-z]+-\d{1,2}$/],
	["aws-eusc", /^eusc-de-[a-z]+-\d{1,2}$/],
	["aws-cn", /^cn-[a-z]+-\d{1,2}$/],
	["aws", /^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d{1,2}$/],
];

/** The length of the random part of an id, `:` and a UUID. */
const ID_SUFFIX_LENGTH = 1 + 36;
/** The model's longest IdentityPoolId and IdentityId. */
const MAX_ID_LENGTH = 55;
/** The longest region name whose ids fit the model: 18 characters. */
const MAX_REGION_LENGTH = MAX_ID_LENGTH - ID_SUFFIX_LENGTH;

/** The partition of a region name of AWS's form, or `undefined`. */
function partitionMatching(region: string): string | undefined {
	if (region.length > MAX_REGION_LENGTH) return undefined;
	for (const [partition, form] of PARTITIONS) {
		if (form.test(region)) return partition;
	}
	return undefined;
}

/**
 * Whether `region` can be the region of a call: a name of AWS's form in one of its
 * partitions (`us-east-1`, `cn-north-1`, `us-gov-west-1`, `eusc-de-east-1`, ...), at most
 * {@link MAX_REGION_LENGTH} characters so that every id made from it is one the operations
 * accept.
 */
export function isRegionName(region: string): boolean {
	return partitionMatching(region) !== undefined;
}

/** The AWS partition a region belongs to (`aws` for a name of no known form). */
export function partitionOf(region: string): string {
	return partitionMatching(region) ?? "aws";
}

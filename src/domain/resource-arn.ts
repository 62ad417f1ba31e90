/**
 * @module domain/resource-arn
 * The `ResourceArn` of the tagging operations (TagResource, UntagResource,
 * ListTagsForResource; docs/behaviour.md#tagresource, docs/behaviour.md#untagresource and docs/behaviour.md#listtagsforresource): an identity pool's ARN,
 * `arn:<partition>:cognito-identity:<region>:<account>:identitypool/<IdentityPoolId>`
 * (docs/behaviour.md#ids-and-arns, as built by `identityPoolArn`). A malformed ARN is
 * InvalidParameterException; a well-formed ARN of another account or region than the
 * caller's is ResourceNotFoundException, exactly as if the pool did not exist (docs/behaviour.md#accounts-and-regions).
 */
import { InvalidParameterException } from "../errors/service-errors.ts";
import { isRegionName, partitionOf, regionOfId } from "./ids.ts";
import { poolNotFound } from "./pools.ts";
import type { PoolKey } from "./records.ts";

/** The parts of a well-formed identity-pool ARN. */
export interface PoolArn {
	partition: string;
	region: string;
	accountId: string;
	poolId: string;
}

const EXPECTED =
	"arn:<partition>:cognito-identity:<region>:<12-digit account id>:identitypool/<IdentityPoolId>";
const PARTITION = /^[a-z][a-z0-9-]*$/;
const ACCOUNT = /^\d{12}$/;
/** The model's IdentityPoolId: 1..55 characters, `[\w-]+:[0-9a-f-]+`. */
const POOL_ID = /^[A-Za-z0-9_-]+:[0-9a-f-]+$/;
const POOL_ID_MAX = 55;
const RESOURCE_PREFIX = "identitypool/";

function invalidArn(
	reason: string,
): InstanceType<typeof InvalidParameterException> {
	return new InvalidParameterException(
		`Invalid ResourceArn: ${reason}. Expected ${EXPECTED}.`,
	);
}

/**
 * Splits an identity-pool ARN into its parts.
 * @throws InvalidParameterException when it is not an identity-pool ARN, or its parts
 *   disagree (the pool id's region or the partition is not the ARN's region's).
 */
function parsePoolArn(arn: string): PoolArn {
	const parts = arn.split(":");
	if (parts.length < 6 || parts[0] !== "arn") {
		throw invalidArn("it is not an ARN");
	}
	const [, partition = "", service = "", region = "", accountId = ""] = parts;
	// The resource is everything after the fifth colon: the pool id holds a colon itself.
	const resource = parts.slice(5).join(":");
	if (!PARTITION.test(partition)) {
		throw invalidArn(`'${partition}' is not a partition`);
	}
	if (service !== "cognito-identity") {
		throw invalidArn(`the service is '${service}', not 'cognito-identity'`);
	}
	if (!isRegionName(region)) {
		throw invalidArn(`'${region}' is not a region`);
	}
	if (!ACCOUNT.test(accountId)) {
		throw invalidArn(`the account id '${accountId}' is not 12 digits`);
	}
	if (!resource.startsWith(RESOURCE_PREFIX)) {
		throw invalidArn(
			`the resource '${resource}' is not identitypool/<IdentityPoolId>`,
		);
	}
	const poolId = resource.slice(RESOURCE_PREFIX.length);
	if (poolId.length > POOL_ID_MAX || !POOL_ID.test(poolId)) {
		throw invalidArn(`'${poolId}' is not an identity pool id`);
	}
	const poolRegion = regionOfId(poolId);
	if (poolRegion !== region) {
		throw invalidArn(
			`the identity pool '${poolId}' is of region '${poolRegion}', not of the ARN's region '${region}'`,
		);
	}
	const expectedPartition = partitionOf(region);
	if (partition !== expectedPartition) {
		throw invalidArn(
			`the region '${region}' is in partition '${expectedPartition}', not '${partition}'`,
		);
	}
	return { partition, region, accountId, poolId };
}

/**
 * The key of the pool an ARN names, for a caller.
 * @throws InvalidParameterException for a malformed ARN (see {@link parsePoolArn});
 *   ResourceNotFoundException (`IdentityPool '<id>' not found.`) for an ARN of another
 *   account or region than the caller's (docs/behaviour.md#accounts-and-regions).
 */
export function poolKeyOfArn(
	arn: string,
	caller: { accountId: string; region: string },
): PoolKey {
	const { accountId, region, poolId } = parsePoolArn(arn);
	if (accountId !== caller.accountId || region !== caller.region) {
		throw poolNotFound(poolId);
	}
	return { accountId, region, poolId };
}

/**
 * @module operations/index
 * The registry of every operation idpool answers, keyed by their AWS names: the 23 operations
 * of Cognito Identity (API 2014-06-30) and the two actions of its STS-compatible endpoint.
 * The dispatcher finds an operation here once per request, by service and name.
 */
import { AssumeRoleWithWebIdentity } from "./assume-role-with-web-identity.ts";
import { CreateIdentityPool } from "./create-identity-pool.ts";
import { DeleteIdentities } from "./delete-identities.ts";
import { DeleteIdentityPool } from "./delete-identity-pool.ts";
import { DescribeIdentity } from "./describe-identity.ts";
import { DescribeIdentityPool } from "./describe-identity-pool.ts";
import { GetCallerIdentity } from "./get-caller-identity.ts";
import { GetCredentialsForIdentity } from "./get-credentials-for-identity.ts";
import { GetId } from "./get-id.ts";
import { GetIdentityPoolRoles } from "./get-identity-pool-roles.ts";
import { GetOpenIdToken } from "./get-open-id-token.ts";
import { GetOpenIdTokenForDeveloperIdentity } from "./get-open-id-token-for-developer-identity.ts";
import { GetPrincipalTagAttributeMap } from "./get-principal-tag-attribute-map.ts";
import { ListIdentities } from "./list-identities.ts";
import { ListIdentityPools } from "./list-identity-pools.ts";
import { ListTagsForResource } from "./list-tags-for-resource.ts";
import { LookupDeveloperIdentity } from "./lookup-developer-identity.ts";
import { MergeDeveloperIdentities } from "./merge-developer-identities.ts";
import type { Operation, ServiceName } from "./operation.ts";
import { SetIdentityPoolRoles } from "./set-identity-pool-roles.ts";
import { SetPrincipalTagAttributeMap } from "./set-principal-tag-attribute-map.ts";
import { TagResource } from "./tag-resource.ts";
import { UnlinkDeveloperIdentity } from "./unlink-developer-identity.ts";
import { UnlinkIdentity } from "./unlink-identity.ts";
import { UntagResource } from "./untag-resource.ts";
import { UpdateIdentityPool } from "./update-identity-pool.ts";

export const OPERATIONS = {
	CreateIdentityPool,
	DeleteIdentities,
	DeleteIdentityPool,
	DescribeIdentity,
	DescribeIdentityPool,
	GetCredentialsForIdentity,
	GetId,
	GetIdentityPoolRoles,
	GetOpenIdToken,
	GetOpenIdTokenForDeveloperIdentity,
	GetPrincipalTagAttributeMap,
	ListIdentities,
	ListIdentityPools,
	ListTagsForResource,
	LookupDeveloperIdentity,
	MergeDeveloperIdentities,
	SetIdentityPoolRoles,
	SetPrincipalTagAttributeMap,
	TagResource,
	UnlinkDeveloperIdentity,
	UnlinkIdentity,
	UntagResource,
	UpdateIdentityPool,
	// The STS-compatible endpoint.
	AssumeRoleWithWebIdentity,
	GetCallerIdentity,
} as const satisfies Record<string, Operation<never, unknown>>;

/** The name of an operation idpool answers. */
type RegisteredOperationName = keyof typeof OPERATIONS;

/** Finds an operation of `service` by its AWS name (own properties only). */
export function findOperation(
	service: ServiceName,
	name: string,
): Operation<never, unknown> | undefined {
	if (!Object.hasOwn(OPERATIONS, name)) return undefined;
	const op = OPERATIONS[name as RegisteredOperationName] as Operation<
		never,
		unknown
	>;
	return op.service === service ? op : undefined;
}

/** The names of the operations of `service`, in the registry's order. */
export function operationNames(service: ServiceName): string[] {
	return Object.values(OPERATIONS)
		.filter((op) => op.service === service)
		.map((op) => op.name);
}

/**
 * @module operations/index
 * The registry of the 23 operations of Cognito Identity (API 2014-06-30), keyed by their AWS
 * names. The wire layer dispatches through it; `OperationName` is derived from it.
 */
import { CreateIdentityPool } from "./create-identity-pool.ts";
import { DeleteIdentities } from "./delete-identities.ts";
import { DeleteIdentityPool } from "./delete-identity-pool.ts";
import { DescribeIdentity } from "./describe-identity.ts";
import { DescribeIdentityPool } from "./describe-identity-pool.ts";
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
import type { Operation } from "./operation.ts";
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
} as const satisfies Record<string, Operation<never, unknown>>;

/** The name of an operation of the service. */
export type RegisteredOperationName = keyof typeof OPERATIONS;

/** Finds an operation by its AWS name (own properties only). */
export function findOperation(
	name: string,
): Operation<never, unknown> | undefined {
	return Object.hasOwn(OPERATIONS, name)
		? (OPERATIONS[name as RegisteredOperationName] as Operation<never, unknown>)
		: undefined;
}

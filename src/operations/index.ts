/**
 * @module operations/index
 * The registry of the 23 operations of Cognito Identity (API 2014-06-30), keyed by their AWS
 * names. The wire layer dispatches through it; `OperationName` is derived from it.
 */
import { CreateIdentityPool } from "./create-identity-pool.ts";
import { DeleteIdentityPool } from "./delete-identity-pool.ts";
import { DescribeIdentityPool } from "./describe-identity-pool.ts";
import { ListIdentityPools } from "./list-identity-pools.ts";
import { notYetAvailable } from "./not-yet-available.ts";
import type { Operation } from "./operation.ts";
import { UpdateIdentityPool } from "./update-identity-pool.ts";

export const OPERATIONS = {
	CreateIdentityPool,
	DeleteIdentities: notYetAvailable("DeleteIdentities", "sigv4"),
	DeleteIdentityPool,
	DescribeIdentity: notYetAvailable("DescribeIdentity", "sigv4"),
	DescribeIdentityPool,
	GetCredentialsForIdentity: notYetAvailable(
		"GetCredentialsForIdentity",
		"none",
	),
	GetId: notYetAvailable("GetId", "none"),
	GetIdentityPoolRoles: notYetAvailable("GetIdentityPoolRoles", "sigv4"),
	GetOpenIdToken: notYetAvailable("GetOpenIdToken", "none"),
	GetOpenIdTokenForDeveloperIdentity: notYetAvailable(
		"GetOpenIdTokenForDeveloperIdentity",
		"sigv4",
	),
	GetPrincipalTagAttributeMap: notYetAvailable(
		"GetPrincipalTagAttributeMap",
		"sigv4",
	),
	ListIdentities: notYetAvailable("ListIdentities", "sigv4"),
	ListIdentityPools,
	ListTagsForResource: notYetAvailable("ListTagsForResource", "sigv4"),
	LookupDeveloperIdentity: notYetAvailable("LookupDeveloperIdentity", "sigv4"),
	MergeDeveloperIdentities: notYetAvailable(
		"MergeDeveloperIdentities",
		"sigv4",
	),
	SetIdentityPoolRoles: notYetAvailable("SetIdentityPoolRoles", "sigv4"),
	SetPrincipalTagAttributeMap: notYetAvailable(
		"SetPrincipalTagAttributeMap",
		"sigv4",
	),
	TagResource: notYetAvailable("TagResource", "sigv4"),
	UnlinkDeveloperIdentity: notYetAvailable("UnlinkDeveloperIdentity", "sigv4"),
	UnlinkIdentity: notYetAvailable("UnlinkIdentity", "none"),
	UntagResource: notYetAvailable("UntagResource", "sigv4"),
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

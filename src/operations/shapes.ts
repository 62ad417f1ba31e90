/**
 * @module operations/shapes
 * The API's output shapes made from the domain's records: the `IdentityPool` that the pool
 * operations answer, the roles of GetIdentityPoolRoles and the `IdentityDescription` of
 * DescribeIdentity and ListIdentities. Values stay values (dates are `Date`s): the protocol
 * encodes them.
 */

import { loginProviders } from "../domain/identities.ts";
import type { IdentityRecord, PoolRecord } from "../domain/records.ts";
import type {
	GetIdentityPoolRolesResponse,
	IdentityDescription,
	IdentityPool,
} from "../model/types.generated.ts";

/**
 * The `IdentityPool` shape answered by Create/Describe/UpdateIdentityPool. `IdentityPoolTags`
 * is always answered, even when empty (docs/behaviour.md).
 */
export function identityPoolShape(pool: PoolRecord): IdentityPool {
	return {
		IdentityPoolId: pool.poolId,
		...pool.settings,
		IdentityPoolTags: { ...pool.tags },
	};
}

/**
 * GetIdentityPoolRoles' answer: the default roles (always, `{}` when unset) and the role
 * mappings (only when set).
 */
export function poolRolesShape(pool: PoolRecord): GetIdentityPoolRolesResponse {
	return {
		IdentityPoolId: pool.poolId,
		Roles: { ...pool.roles },
		...(pool.roleMappings === undefined
			? {}
			: { RoleMappings: structuredClone(pool.roleMappings) }),
	};
}

/** The `IdentityDescription` shape; a guest (no login) has no `Logins` member. */
export function identityDescription(
	identity: IdentityRecord,
): IdentityDescription {
	const logins = loginProviders(identity);
	return {
		IdentityId: identity.identityId,
		...(logins ? { Logins: logins } : {}),
		CreationDate: new Date(identity.createdAt),
		LastModifiedDate: new Date(identity.updatedAt),
	};
}

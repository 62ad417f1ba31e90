/**
 * @module operations/set-identity-pool-roles
 * SetIdentityPoolRoles: replaces the pool's default roles and role mappings (docs/behaviour.md#roles:
 * an omitted or empty `RoleMappings` clears them, `Roles: {}` clears the roles). Answers
 * `{}`. The mapping keys are checked against the pool's providers once more inside the
 * write transaction, so an UpdateIdentityPool that removes a provider meanwhile cannot leave
 * that provider's mapping stored.
 * @remarks Role ARNs are checked for length only (AWS also checks iam:PassRole). At most 25 rules per mapping and 10 mappings per pool (configurable: `--max-mapping-rules`, `--max-role-mappings`).
 */

import { poolNotFound } from "../domain/pools.ts";
import { roleConfigurationFromInput } from "../domain/roles.ts";
import { callerPoolKey, requirePool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";

export const SetIdentityPoolRoles = defineOperation({
	name: "SetIdentityPoolRoles",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = callerPoolKey(ctx, input.IdentityPoolId);
		const pool = await requirePool(ctx.store, key);
		const limits = {
			maxRoleMappings: ctx.settings.maxRoleMappings,
			maxRulesPerMapping: ctx.settings.maxMappingRules,
		};
		const { roles, roleMappings } = roleConfigurationFromInput(
			pool.settings,
			input,
			limits,
		);
		if (
			!(await ctx.store.pools.setRoles(
				key,
				roles,
				roleMappings,
				ctx.clock.now(),
				// The providers may have changed since the pool was read: check again, in the
				// transaction, that every mapping names one the pool still has.
				(current) =>
					roleConfigurationFromInput(current.settings, input, limits),
			))
		) {
			// Deleted since it was read.
			throw poolNotFound(key.poolId);
		}
		return {};
	},
});

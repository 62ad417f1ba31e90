/**
 * @module operations/unlink-developer-identity
 * UnlinkDeveloperIdentity: removes one developer user identifier from an identity
 * (docs/behaviour.md#unlinkdeveloperidentity). The user is a new identity the next time it is seen; an identity left
 * with no login is inaccessible (docs/behaviour.md#identities). An identifier not linked to that identity is
 * ResourceConflictException. Answers `{}`.
 */

import { planUnlink } from "../domain/identities.ts";
import {
	checkDeveloperUserIdentifier,
	requireDeveloperProvider,
} from "../domain/logins.ts";
import type { LoginRef } from "../domain/records.ts";
import { callerPoolKey, requirePool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";

export const UnlinkDeveloperIdentity = defineOperation({
	name: "UnlinkDeveloperIdentity",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = callerPoolKey(ctx, input.IdentityPoolId);
		const pool = await requirePool(ctx.store, key);
		const provider = requireDeveloperProvider(
			pool,
			input.DeveloperProviderName,
		);
		const subject = input.DeveloperUserIdentifier;
		checkDeveloperUserIdentifier(subject);
		const login: LoginRef = { provider, subject, kind: "developer" };
		const identityId = input.IdentityId;
		await ctx.store.identities.change(
			key,
			{ identityIds: [identityId], logins: [login] },
			(snapshot) => planUnlink(snapshot, { identityId, logins: [login] }),
			ctx.clock.now(),
		);
		return {};
	},
});

/**
 * @module operations/describe-identity
 * DescribeIdentity: an identity's linked provider names and its dates. Disabled (merged)
 * and inaccessible identities are still described (docs/behaviour.md#identities).
 */

import { requireIdentity } from "./lookups.ts";
import { defineOperation, signedCaller } from "./operation.ts";
import { identityDescription } from "./shapes.ts";

export const DescribeIdentity = defineOperation({
	name: "DescribeIdentity",
	auth: "sigv4",
	async handler(input, ctx) {
		const identity = await requireIdentity(
			ctx.store,
			signedCaller(ctx),
			input.IdentityId,
		);
		return identityDescription(identity);
	},
});

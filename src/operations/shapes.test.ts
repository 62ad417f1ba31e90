import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { IdentityRecord } from "../domain/records.ts";
import { encodeResult } from "../protocol/aws-json.ts";
import { identityDescription } from "./shapes.ts";

const G = "us-east-1:00000000-0000-4000-8000-000000000009";
const A = "us-east-1:00000000-0000-4000-8000-00000000000a";

function identity(
	identityId: string,
	logins: IdentityRecord["logins"],
	createdAt: number,
): IdentityRecord {
	return {
		identityId,
		poolId: "us-east-1:00000000-0000-4000-8000-000000000001",
		accountId: "000000000000",
		region: "us-east-1",
		state: "active",
		authenticated: logins.length > 0,
		logins,
		createdAt,
		updatedAt: createdAt,
	};
}

describe("identityDescription, on the wire", () => {
	test("dates are Dates in the shape and epoch seconds on the wire; a guest has no Logins", () => {
		const guest = identityDescription(identity(G, [], 1_500));
		assert.deepEqual(guest, {
			IdentityId: G,
			CreationDate: new Date(1_500),
			LastModifiedDate: new Date(1_500),
		});
		assert.deepEqual(JSON.parse(encodeResult("DescribeIdentity", guest)), {
			IdentityId: G,
			CreationDate: 1.5,
			LastModifiedDate: 1.5,
		});
		const google = identityDescription(
			identity(
				A,
				[{ provider: "accounts.google.com", subject: "g", kind: "external" }],
				2_000,
			),
		);
		assert.deepEqual(
			JSON.parse(encodeResult("ListIdentities", { Identities: [google] })),
			{
				Identities: [
					{
						IdentityId: A,
						Logins: ["accounts.google.com"],
						CreationDate: 2,
						LastModifiedDate: 2,
					},
				],
			},
		);
	});
});

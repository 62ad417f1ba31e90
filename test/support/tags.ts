/**
 * Test support for the tagging operations: a pool's ARN written out by hand (not with the
 * server's own ARN builder, so that a mistake there cannot hide), a pool to tag, and its tags.
 */
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	ListTagsForResourceCommand,
} from "@aws-sdk/client-cognito-identity";
import { TEST_ACCOUNT } from "./server.ts";

/** `arn:aws:cognito-identity:<region>:<account>:identitypool/<poolId>`. */
export function arnOf(
	poolId: string,
	account = TEST_ACCOUNT,
	region = "us-east-1",
): string {
	return `arn:aws:cognito-identity:${region}:${account}:identitypool/${poolId}`;
}

/** A new pool, with `tags` as its IdentityPoolTags when given. */
export async function createPool(
	client: CognitoIdentityClient,
	tags?: Record<string, string>,
	name = "tagged",
): Promise<string> {
	const out = await client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: name,
			AllowUnauthenticatedIdentities: true,
			...(tags ? { IdentityPoolTags: tags } : {}),
		}),
	);
	return out.IdentityPoolId as string;
}

/** The pool's tags as ListTagsForResource answers them. */
export async function tagsOf(
	client: CognitoIdentityClient,
	poolId: string,
): Promise<Record<string, string> | undefined> {
	const out = await client.send(
		new ListTagsForResourceCommand({ ResourceArn: arnOf(poolId) }),
	);
	return out.Tags;
}

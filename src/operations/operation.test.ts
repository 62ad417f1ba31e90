/**
 * What `defineOperation` guarantees at compile time (the type check runs over the tests): the
 * name must be an operation of the model, and the handler's input and output types follow
 * from it, required members non-optional. The `@ts-expect-error` lines fail the type check if
 * the error they expect ever goes away.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { defineOperation } from "./operation.ts";

test("an operation's types follow from its name; a misspelt name does not compile", () => {
	const op = defineOperation({
		name: "CreateIdentityPool",
		auth: "sigv4",
		async handler(input) {
			// Required members are non-optional: no cast, no undefined.
			const name: string = input.IdentityPoolName;
			const guests: boolean = input.AllowUnauthenticatedIdentities;
			// @ts-expect-error an optional member may be undefined
			const classic: boolean = input.AllowClassicFlow;
			void classic;
			return {
				IdentityPoolId: "x",
				IdentityPoolName: name,
				AllowUnauthenticatedIdentities: guests,
			};
		},
	});
	assert.equal(op.service, "cognito-identity");
	const misspelt = () =>
		defineOperation({
			// @ts-expect-error not an operation of the model
			name: "CreateIdentityPol",
			auth: "sigv4",
			async handler() {
				return {};
			},
		});
	assert.equal(typeof misspelt, "function");
});

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import * as sdk from "@aws-sdk/client-cognito-identity";
import { OPERATIONS } from "../../src/operations/index.ts";
import {
	OPERATIONS as MODEL,
	OPERATION_NAMES,
} from "../../src/protocol/model.generated.ts";

const root = new URL("../../", import.meta.url);
const kebab = (name: string) =>
	name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();

describe("operation registry", () => {
	test("holds exactly the 23 operations of the model", () => {
		assert.equal(OPERATION_NAMES.length, 23);
		assert.deepEqual(
			Object.keys(OPERATIONS).sort(),
			[...OPERATION_NAMES].sort(),
		);
	});

	for (const [name, op] of Object.entries(OPERATIONS)) {
		test(`${name}: named, authenticated and tested as the SDK and model say`, () => {
			assert.equal(op.name, name);
			assert.equal(
				typeof (sdk as Record<string, unknown>)[`${name}Command`],
				"function",
			);
			const model = (MODEL as Record<string, { auth: string }>)[name];
			assert.equal(op.auth, model?.auth === "none" ? "none" : "sigv4");
			if (op.supported !== false) {
				assert.ok(
					existsSync(new URL(`src/operations/${kebab(name)}.ts`, root)),
					`src/operations/${kebab(name)}.ts`,
				);
				assert.ok(
					existsSync(new URL(`test/sdk/${kebab(name)}.test.ts`, root)),
					`test/sdk/${kebab(name)}.test.ts`,
				);
			}
		});
	}

	test("exactly the four public operations are unsigned", () => {
		const publicOps = Object.values(OPERATIONS)
			.filter((op) => op.auth === "none")
			.map((op) => op.name)
			.sort();
		assert.deepEqual(publicOps, [
			"GetCredentialsForIdentity",
			"GetId",
			"GetOpenIdToken",
			"UnlinkIdentity",
		]);
	});
});

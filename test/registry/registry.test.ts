import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import * as sdk from "@aws-sdk/client-cognito-identity";
import * as stsSdk from "@aws-sdk/client-sts";
import {
	OPERATIONS as MODEL,
	OPERATION_NAMES,
} from "../../src/model/model.generated.ts";
import { OPERATIONS } from "../../src/operations/index.ts";

const root = new URL("../../", import.meta.url);
const kebab = (name: string) =>
	name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();

const cognito = Object.entries(OPERATIONS).filter(
	([, op]) => op.service === "cognito-identity",
);
const sts = Object.entries(OPERATIONS).filter(([, op]) => op.service === "sts");

describe("operation registry", () => {
	test("holds exactly the 23 operations of the model, and the two STS actions", () => {
		assert.equal(OPERATION_NAMES.length, 23);
		assert.deepEqual(
			cognito.map(([name]) => name).sort(),
			[...OPERATION_NAMES].sort(),
		);
		assert.deepEqual(sts.map(([name]) => name).sort(), [
			"AssumeRoleWithWebIdentity",
			"GetCallerIdentity",
		]);
	});

	for (const [name, op] of cognito) {
		test(`${name}: named, authenticated and tested as the SDK and model say`, () => {
			assert.equal(op.name, name);
			assert.equal(
				typeof (sdk as Record<string, unknown>)[`${name}Command`],
				"function",
			);
			const model = (MODEL as Record<string, { auth: string }>)[name];
			assert.equal(op.auth, model?.auth === "none" ? "none" : "sigv4");
			assert.ok(
				existsSync(new URL(`src/operations/${kebab(name)}.ts`, root)),
				`src/operations/${kebab(name)}.ts`,
			);
			assert.ok(
				existsSync(new URL(`test/sdk/${kebab(name)}.test.ts`, root)),
				`test/sdk/${kebab(name)}.test.ts`,
			);
		});
	}

	for (const [name, op] of sts) {
		test(`${name}: named as the STS client's command, with its file and tests`, () => {
			assert.equal(op.name, name);
			assert.equal(
				typeof (stsSdk as Record<string, unknown>)[`${name}Command`],
				"function",
			);
			assert.ok(
				existsSync(new URL(`src/operations/${kebab(name)}.ts`, root)),
				`src/operations/${kebab(name)}.ts`,
			);
			assert.ok(
				existsSync(new URL(`test/sts/${kebab(name)}.test.ts`, root)),
				`test/sts/${kebab(name)}.test.ts`,
			);
		});
	}

	test("exactly the four public operations are unsigned", () => {
		const publicOps = cognito
			.map(([, op]) => op)
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

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import * as sdk from "@aws-sdk/client-cognito-identity";
import * as protocolErrors from "../../src/errors/protocol-errors.ts";
import { MODELED_ERRORS } from "../../src/errors/service-errors.ts";

const doc = readFileSync(
	new URL("../../docs/errors.md", import.meta.url),
	"utf8",
);
const documented = new Set(
	[...doc.matchAll(/^\| `(\w+)` +\|/gm)].map((m) => m[1]),
);

describe("error catalog", () => {
	test("every modeled error is an exception class of the official SDK", () => {
		for (const cls of MODELED_ERRORS) {
			const exported = (sdk as Record<string, unknown>)[cls.type];
			assert.equal(typeof exported, "function", cls.type);
		}
	});

	test("every error class is documented, and nothing else is", () => {
		const names = new Set<string>(MODELED_ERRORS.map((c) => c.type));
		for (const value of Object.values(protocolErrors)) {
			const type = (value as { type?: string }).type;
			if (type) names.add(type);
		}
		assert.deepEqual([...documented].sort(), [...names].sort());
	});
});

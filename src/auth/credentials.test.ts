/**
 * @module auth/credentials.test
 * Unit tests of the credentials file parser (each problem gives one line naming the file)
 * and of the access key registry.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	type AccountCredential,
	CredentialRegistry,
	CredentialsFileError,
	DEFAULT_CREDENTIAL,
	parseCredentialsFile,
} from "./credentials.ts";

const FILE = "/etc/idpool/credentials.json";
const A: AccountCredential = {
	accessKeyId: "AKIAAAAAAAAAAAAAAAAA",
	secretAccessKey: "secret-a",
	accountId: "111111111111",
};
const B: AccountCredential = {
	accessKeyId: "AKIABBBBBBBBBBBBBBBB",
	secretAccessKey: "secret-b",
	accountId: "222222222222",
};

/** Asserts that parsing fails with a one-line CredentialsFileError naming the file and matching `problem`. */
function fails(text: string, problem: RegExp) {
	assert.throws(
		() => parseCredentialsFile(text, FILE),
		(error: unknown) => {
			assert.ok(error instanceof CredentialsFileError);
			assert.ok(error instanceof Error);
			assert.equal(error.name, "CredentialsFileError");
			assert.ok(
				error.message.startsWith(`credentials file ${FILE}: `),
				error.message,
			);
			assert.doesNotMatch(error.message, /[\r\n]/);
			assert.match(error.message, problem);
			return true;
		},
	);
}

describe("parseCredentialsFile", () => {
	test("a valid file", () => {
		const text = JSON.stringify([{ ...A, note: "ignored" }, B], null, 2);
		assert.deepEqual(parseCredentialsFile(text, FILE), [A, B]);
	});

	test("not JSON", () => {
		fails("[{", /not valid JSON/);
		fails("", /not valid JSON/);
	});

	test("not an array", () => {
		fails(JSON.stringify(A), /expected a JSON array/);
		fails("null", /expected a JSON array/);
	});

	test("an empty array", () => {
		fails("[]", /empty/);
	});

	test("an entry that is not an object", () => {
		fails(JSON.stringify([A, "x"]), /entry 1 is not an object/);
		fails(JSON.stringify([null]), /entry 0 is not an object/);
		fails(JSON.stringify([[A]]), /entry 0 is not an object/);
	});

	test("a missing, empty or non-string field", () => {
		const { secretAccessKey: _s, ...noSecret } = B;
		fails(
			JSON.stringify([A, noSecret]),
			/entry 1 is missing "secretAccessKey"/,
		);
		fails(
			JSON.stringify([{ ...A, accessKeyId: "" }]),
			/entry 0: "accessKeyId" is empty/,
		);
		fails(
			JSON.stringify([{ ...A, accountId: 111111111111 }]),
			/entry 0: "accountId" must be a string/,
		);
		fails(
			JSON.stringify([{ ...A, accountId: null }]),
			/entry 0 is missing "accountId"/,
		);
	});

	test("an accountId that is not 12 digits", () => {
		for (const accountId of [
			"12345678901",
			"1234567890123",
			"12345678901a",
			" 111111111111",
		]) {
			fails(
				JSON.stringify([{ ...A, accountId }]),
				/entry 0: "accountId" must be exactly 12 digits/,
			);
		}
	});

	test("an accessKeyId a SigV4 credential cannot carry", () => {
		for (const accessKeyId of [
			"AKIA A",
			"AKIA/A",
			"AKIA,A",
			"AKIA=A",
			"AKIA\nA",
			"AKIAé",
		]) {
			fails(
				JSON.stringify([{ ...A, accessKeyId }]),
				/entry 0: "accessKeyId" must be printable ASCII/,
			);
		}
	});

	test("a duplicate accessKeyId", () => {
		fails(
			JSON.stringify([
				A,
				B,
				{ ...A, secretAccessKey: "other", accountId: "333333333333" },
			]),
			/entry 2: duplicate "accessKeyId" "AKIAAAAAAAAAAAAAAAAA" \(already in entry 0\)/,
		);
	});
});

describe("CredentialRegistry", () => {
	test("lookup, size and list", () => {
		const registry = new CredentialRegistry([A, B]);
		assert.equal(registry.size, 2);
		assert.deepEqual(registry.lookup(B.accessKeyId), B);
		assert.equal(registry.lookup("AKIAUNKNOWN"), undefined);
		assert.equal(registry.lookup(A.accessKeyId.toLowerCase()), undefined);
		assert.deepEqual(registry.list(), [A, B]);
	});

	test("the registry keeps its own frozen copies", () => {
		const input = { ...A };
		const registry = new CredentialRegistry([input]);
		input.secretAccessKey = "changed";
		assert.equal(registry.lookup(A.accessKeyId)?.secretAccessKey, "secret-a");
		assert.ok(Object.isFrozen(registry.list()));
		assert.ok(Object.isFrozen(registry.lookup(A.accessKeyId)));
	});

	test("a duplicate access key id is refused", () => {
		assert.throws(
			() => new CredentialRegistry([A, { ...A }]),
			/duplicate access key id/,
		);
	});

	test("the default credential", () => {
		assert.deepEqual(DEFAULT_CREDENTIAL, {
			accessKeyId: "test",
			secretAccessKey: "test",
			accountId: "000000000000",
		});
		const registry = new CredentialRegistry([DEFAULT_CREDENTIAL]);
		assert.equal(registry.lookup("test")?.accountId, "000000000000");
	});
});

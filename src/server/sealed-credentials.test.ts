import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import type { IssuedCredentialRecord } from "../domain/records.ts";
import type { CredentialRepository } from "../store/store.ts";
import { KeyEncryption } from "../tokens/key-encryption.ts";
import { sealedCredentials } from "./sealed-credentials.ts";

/** A repository in memory: what a store would keep. */
function memoryRepo(): CredentialRepository & {
	rows: Map<string, IssuedCredentialRecord>;
} {
	const rows = new Map<string, IssuedCredentialRecord>();
	return {
		rows,
		async insert(c) {
			rows.set(c.accessKeyId, { ...c });
		},
		async get(id) {
			return rows.get(id);
		},
		async prune() {
			return 0;
		},
	};
}

const credential = (accessKeyId: string): IssuedCredentialRecord => ({
	accessKeyId,
	secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	sessionToken: "token",
	identityId: "us-east-1:00000000-0000-4000-8000-000000000000",
	poolId: "us-east-1:11111111-1111-4111-8111-111111111111",
	accountId: "000000000000",
	region: "us-east-1",
	roleArn: "arn:aws:iam::000000000000:role/r",
	principalTags: {},
	createdAt: 1,
	expiresAt: 2,
});

describe("issued credentials' secrets at rest", () => {
	const kek = randomBytes(32);

	test("with a key-encryption key: sealed in the store, the secret itself to the caller", async () => {
		const repo = memoryRepo();
		const sealed = sealedCredentials(repo, new KeyEncryption([kek]));
		const c = credential("ASIAAAAAAAAAAAAAAAAA");
		await sealed.insert(c);
		const stored = repo.rows.get(c.accessKeyId)?.secretAccessKey ?? "";
		assert.match(stored, /^aes-256-gcm:v1:/);
		assert.ok(!stored.includes(c.secretAccessKey));
		assert.deepEqual(await sealed.get(c.accessKeyId), c);
		assert.equal(await sealed.get("ASIANOTISSUEDATALL00"), undefined);
	});

	test("a sealed secret moved to another access key, or sealed with a KEK not given, makes the credentials unknown", async () => {
		const repo = memoryRepo();
		const sealed = sealedCredentials(repo, new KeyEncryption([kek]));
		const a = credential("ASIAAAAAAAAAAAAAAAAA");
		const b = credential("ASIABBBBBBBBBBBBBBBB");
		await sealed.insert(a);
		await sealed.insert(b);
		const rowA = repo.rows.get(a.accessKeyId) as IssuedCredentialRecord;
		const rowB = repo.rows.get(b.accessKeyId) as IssuedCredentialRecord;
		rowB.secretAccessKey = rowA.secretAccessKey;
		assert.equal(await sealed.get(b.accessKeyId), undefined);
		const otherKek = sealedCredentials(
			repo,
			new KeyEncryption([randomBytes(32)]),
		);
		assert.equal(await otherKek.get(a.accessKeyId), undefined);
		const noKek = sealedCredentials(repo, new KeyEncryption());
		assert.equal(await noKek.get(a.accessKeyId), undefined);
		// The old KEK among those given (a rotation rolled out) still opens it.
		const both = sealedCredentials(
			repo,
			new KeyEncryption([randomBytes(32), kek]),
		);
		assert.deepEqual(await both.get(a.accessKeyId), a);
	});

	test("without one: kept in plain; a plain secret is read as it is once a KEK is set", async () => {
		const repo = memoryRepo();
		const c = credential("ASIAAAAAAAAAAAAAAAAA");
		await sealedCredentials(repo, new KeyEncryption()).insert(c);
		assert.equal(
			repo.rows.get(c.accessKeyId)?.secretAccessKey,
			c.secretAccessKey,
		);
		assert.deepEqual(
			await sealedCredentials(repo, new KeyEncryption([kek])).get(
				c.accessKeyId,
			),
			c,
		);
	});
});

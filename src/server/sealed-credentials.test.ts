import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import type { IssuedCredentialRecord } from "../domain/records.ts";
import type { CredentialRepository } from "../store/store.ts";
import { KeyEncryption } from "../tokens/key-encryption.ts";
import { rewrapCredentials, sealedCredentials } from "./sealed-credentials.ts";

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
		async updateSecrets(now, apply) {
			let changed = 0;
			for (const c of rows.values()) {
				if (c.expiresAt < now) continue;
				const next = apply({ ...c });
				if (next === undefined) continue;
				c.secretAccessKey = next;
				changed++;
			}
			return changed;
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

/** When the rewraps of these tests run: the credentials above expire at 2. */
const NOW = 2;

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

	test("a rewrap seals every live secret under the first KEK: the old KEK can then go", async () => {
		const repo = memoryRepo();
		const newKek = randomBytes(32);
		const plain = credential("ASIAPLAINPLAINPLAIN0");
		const old = credential("ASIAOLDOLDOLDOLDOLD0");
		const current = credential("ASIACURRENTCURRENT00");
		const expired = { ...credential("ASIAEXPIREDEXPIRED00"), expiresAt: 1 };
		await sealedCredentials(repo, new KeyEncryption()).insert(plain);
		await sealedCredentials(repo, new KeyEncryption([kek])).insert(old);
		await sealedCredentials(repo, new KeyEncryption([kek])).insert(expired);
		await sealedCredentials(repo, new KeyEncryption([newKek])).insert(current);
		const untouched = repo.rows.get(current.accessKeyId)?.secretAccessKey;
		const both = [newKek, kek];
		assert.deepEqual(await rewrapCredentials(repo, both, NOW), {
			rewrapped: 2,
			unreadable: 0,
		});
		assert.equal(
			repo.rows.get(current.accessKeyId)?.secretAccessKey,
			untouched,
			"already under the first KEK: left as it is",
		);
		const newOnly = sealedCredentials(repo, new KeyEncryption([newKek]));
		for (const c of [plain, old, current]) {
			assert.deepEqual(await newOnly.get(c.accessKeyId), c);
		}
		assert.equal(
			await newOnly.get(expired.accessKeyId),
			undefined,
			"expired: left to be pruned",
		);
		assert.deepEqual(await rewrapCredentials(repo, both, NOW), {
			rewrapped: 0,
			unreadable: 0,
		});
	});

	test("a rewrap leaves a secret no key given opens, counts it, and needs a KEK", async () => {
		const repo = memoryRepo();
		const lost = credential("ASIALOSTLOSTLOSTLOST");
		await sealedCredentials(repo, new KeyEncryption([kek])).insert(lost);
		const stored = repo.rows.get(lost.accessKeyId)?.secretAccessKey;
		assert.deepEqual(await rewrapCredentials(repo, [randomBytes(32)], NOW), {
			rewrapped: 0,
			unreadable: 1,
		});
		assert.equal(repo.rows.get(lost.accessKeyId)?.secretAccessKey, stored);
		await assert.rejects(
			rewrapCredentials(repo, [], NOW),
			/no key-encryption key is set/,
		);
	});
});

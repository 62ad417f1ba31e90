/**
 * Files and keys at rest, over the built binary (docs/deployment.md#files-and-keys-at-rest):
 * the modes of the SQLite files a server creates under a permissive umask, the warning for
 * files other users can read, the backup recipe of the docs, and the encryption of the
 * private signing keys with a key-encryption key (a database copied without it cannot sign;
 * `idpool keys rewrap` rotates it, on SQLite and on PostgreSQL, while tokens keep verifying
 * against the same JWKS).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
	chmodSync,
	copyFileSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	type Credentials,
	GetCredentialsForIdentityCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import Database from "better-sqlite3";
import {
	createLocalJWKSet,
	decodeJwt,
	type JSONWebKeySet,
	jwtVerify,
} from "jose";
import { type RunningIdpool, runIdpool, serveIdpool } from "../support/cli.ts";
import { sqliteScratch } from "../support/files.ts";
import { freshSchema } from "../support/postgres.ts";
import { sdkClient, stsClient } from "../support/server.ts";
import { describeForEngine } from "../support/stores.ts";

const { dir } = sqliteScratch("at-rest");
const ISSUER = "https://idpool.test";
const DEVELOPER = "login.at-rest.test";

const mode = (path: string) => statSync(path).mode & 0o777;

/** A new key-encryption key in a 0600 file; answers the file and the key. */
function kekFile(name: string, ...keys: string[]): string {
	const path = join(dir, name);
	writeFileSync(path, `${keys.join("\n")}\n`, { mode: 0o600 });
	return path;
}
const newKek = () => randomBytes(32).toString("base64");

/** A developer token of a new pool of the server, and the server's JWKS. */
async function tokenAndJwks(
	s: RunningIdpool,
): Promise<{ token: string; poolId: string; jwks: JSONWebKeySet }> {
	const client = sdkClient(s.url);
	try {
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "at-rest",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEVELOPER,
			}),
		);
		const poolId = pool.IdentityPoolId as string;
		const { Token } = await client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEVELOPER]: "user-1" },
			}),
		);
		const jwks = (await (
			await fetch(new URL("/.well-known/jwks_uri", s.url))
		).json()) as JSONWebKeySet;
		return { token: Token as string, poolId, jwks };
	} finally {
		client.destroy();
	}
}

/**
 * Credentials GetCredentialsForIdentity issues for the identity of `token` (a developer
 * token of `poolId`), once the pool has an authenticated role.
 */
async function issuedCredentials(
	s: RunningIdpool,
	poolId: string,
	token: string,
): Promise<Credentials> {
	const client = sdkClient(s.url);
	try {
		await client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: { authenticated: "arn:aws:iam::000000000000:role/at-rest" },
			}),
		);
		const identityId = decodeJwt(token).sub as string;
		const { Credentials } = await client.send(
			new GetCredentialsForIdentityCommand({
				IdentityId: identityId,
				Logins: { "cognito-identity.amazonaws.com": token },
			}),
		);
		return Credentials as Credentials;
	} finally {
		client.destroy();
	}
}

/** A call to the server's STS endpoint signed with `credentials` says who they are. */
async function signsCalls(
	s: RunningIdpool,
	credentials: Credentials,
): Promise<void> {
	const sts = stsClient(s.url, { issued: credentials });
	try {
		const caller = await sts.send(new GetCallerIdentityCommand({}));
		assert.match(caller.Arn ?? "", /:assumed-role\/at-rest\//);
	} finally {
		sts.destroy();
	}
}

/** {@link issuedCredentials}, checked by a call signed with them; answers their secret key. */
async function issuedSecret(
	s: RunningIdpool,
	poolId: string,
	token: string,
): Promise<string> {
	const credentials = await issuedCredentials(s, poolId, token);
	await signsCalls(s, credentials);
	return credentials.SecretKey as string;
}

/** Verifies `token` (for `poolId`) against `jwks`; answers its kid. */
async function verifies(
	token: string,
	poolId: string,
	jwks: JSONWebKeySet,
): Promise<string> {
	const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
		issuer: ISSUER,
		audience: poolId,
		algorithms: ["RS512"],
	});
	return protectedHeader.kid as string;
}

/** `idpool serve` that must fail: answers its one line of standard error. */
async function refusesToStart(
	args: string[],
	env: Record<string, string> = {},
): Promise<string> {
	const r = await runIdpool(["serve", "--port", "0", ...args], { env });
	assert.equal(r.code, 2, r.stderr);
	assert.equal(r.stderr.split("\n").length, 2, r.stderr);
	assert.doesNotMatch(r.stderr, /\n\s+at /);
	return r.stderr.trim();
}

describe("database files (the built binary)", () => {
	test("under umask 022 a new folder is 0700 and the database, -wal and -shm 0600; nothing to warn about", async () => {
		const db = join(dir, "new", "deeper", "idpool.db");
		const s = await serveIdpool(["--port", "0", "--db", db], { umask: 0o022 });
		await tokenAndJwks(s);
		assert.equal(mode(join(dir, "new")), 0o700);
		assert.equal(mode(join(dir, "new", "deeper")), 0o700);
		assert.equal(mode(db), 0o600);
		assert.equal(mode(`${db}-wal`), 0o600);
		assert.equal(mode(`${db}-shm`), 0o600);
		assert.match(
			s.stdout(),
			/ {2}keys: +not encrypted at rest \(set IDPOOL_KEY_ENCRYPTION_KEY_FILE, docs\/deployment\.md\)\n/,
		);
		assert.equal(await s.stop(), 0);
		assert.doesNotMatch(s.stderr(), /WARNING/);

		// The commands that create a database do the same.
		const migrated = join(dir, "migrated", "idpool.db");
		const r = await runIdpool(["migrate", "--db", migrated], {
			umask: 0o022,
		});
		assert.equal(r.code, 0, r.stderr);
		assert.equal(mode(join(dir, "migrated")), 0o700);
		assert.equal(mode(migrated), 0o600);
	});

	test("an existing database other users can read is named in one warning line at start, and left as it is", async () => {
		const folder = join(dir, "open");
		const db = join(folder, "idpool.db");
		assert.equal((await runIdpool(["migrate", "--db", db])).code, 0);
		chmodSync(folder, 0o755);
		chmodSync(db, 0o644);
		const s = await serveIdpool(["--port", "0", "--db", db], { umask: 0o022 });
		const line = await s.stderrLine(/^WARNING: other users/);
		assert.equal(
			line,
			`WARNING: other users of this machine can read or write the database, which holds the signing keys and issued secret keys: ${folder} (0755), ${db} (0644), ${db}-wal (0644), ${db}-shm (0644); chmod 600 the files and 700 the folder (docs/deployment.md#files-and-keys-at-rest)`,
		);
		assert.equal((await fetch(new URL("/health", s.url))).status, 200);
		assert.equal(await s.stop(), 0);
		assert.equal(mode(db), 0o644);
		assert.equal(s.stderr().match(/WARNING/g)?.length, 1);
	});

	test("the backup recipe of docs/deployment.md makes a copy only its owner can read", async () => {
		const doc = readFileSync(
			new URL("../../docs/deployment.md", import.meta.url),
			"utf8",
		);
		const recipe = doc
			.split("\n")
			.find((l) => l.includes('".backup '))
			?.trim()
			.replace(/^`|`$/g, "");
		assert.ok(recipe, "docs/deployment.md has a sqlite3 .backup line");
		const db = join(dir, "backed-up", "idpool.db");
		const backups = join(dir, "backups");
		mkdirSync(backups);
		const s = await serveIdpool(["--port", "0", "--db", db]);
		const command = recipe
			.replaceAll("/var/lib/idpool/idpool.db", db)
			.replaceAll("/backups/", `${backups}/`);
		assert.notEqual(command, recipe);
		// While the server runs, under a umask that would make the copy readable by all.
		execFileSync("/bin/sh", ["-c", `umask 022; ${command}`]);
		assert.equal(await s.stop(), 0);
		const [copy] = readdirSync(backups);
		assert.ok(copy);
		assert.equal(mode(join(backups, copy)), 0o600);
		const opened = new Database(join(backups, copy), { readonly: true });
		try {
			const row = opened
				.prepare("SELECT count(*) AS n FROM signing_keys")
				.get() as { n: number };
			assert.equal(row.n, 1);
		} finally {
			opened.close();
		}
	});
});

describe("private keys encrypted at rest (the built binary)", () => {
	test("with a key-encryption key the database holds no private key in plain, and a copy without the key cannot sign", async () => {
		const db = join(dir, "sealed", "idpool.db");
		const kek = newKek();
		const file = kekFile("sealed.kek", kek);
		const args = ["--port", "0", "--issuer", ISSUER, "--db", db];
		const s = await serveIdpool([...args, "--key-encryption-key-file", file]);
		const kekId =
			/keys: +encrypted at rest with key-encryption key ([0-9a-f]{16})\n/.exec(
				s.stdout(),
			)?.[1];
		assert.ok(kekId, s.stdout());
		const { token, poolId, jwks } = await tokenAndJwks(s);
		await verifies(token, poolId, jwks);
		// Issued credentials sign calls to the server; their secret is sealed like the keys.
		const secret = await issuedSecret(s, poolId, token);
		assert.equal(await s.stop(), 0);
		assert.doesNotMatch(s.stderr(), /WARNING/);
		// The server stopped: the WAL is in the file, and the file holds no PEM.
		assert.equal(readFileSync(db).includes("PRIVATE KEY"), false);
		assert.equal(readFileSync(db).includes(secret), false, "no secret key");
		const sealed = new Database(db, { readonly: true });
		try {
			const row = sealed
				.prepare("SELECT secret_access_key FROM issued_credentials")
				.get() as { secret_access_key: string };
			assert.match(row.secret_access_key, /^aes-256-gcm:v1:/);
		} finally {
			sealed.close();
		}

		const copy = join(dir, "copied", "idpool.db");
		mkdirSync(join(dir, "copied"), { mode: 0o700 });
		copyFileSync(db, copy);
		const kid = jwks.keys[0]?.kid as string;
		assert.equal(
			await refusesToStart(["--db", copy]),
			`idpool: signing key ${kid} is encrypted at rest with key-encryption key ${kekId} and no key-encryption key is set (IDPOOL_KEY_ENCRYPTION_KEY_FILE or IDPOOL_KEY_ENCRYPTION_KEY): idpool cannot sign without it`,
		);
		assert.match(
			await refusesToStart(["--db", copy], {
				IDPOOL_KEY_ENCRYPTION_KEY: newKek(),
			}),
			new RegExp(
				`^idpool: signing key ${kid} is encrypted at rest with key-encryption key ${kekId}, which is not among the key-encryption keys given \\([0-9a-f]{16}\\): idpool cannot sign without it$`,
			),
		);
		const rotated = await runIdpool(["keys", "rotate", "--db", copy]);
		assert.equal(rotated.code, 2);
		assert.match(rotated.stderr, /^idpool: signing key .* cannot sign/);
		// Listing needs no key, and says how each key is kept.
		const listed = await runIdpool(["keys", "list", "--db", copy]);
		assert.equal(listed.code, 0, listed.stderr);
		assert.match(
			listed.stdout,
			new RegExp(
				`^${kid} +RS512 +signing .* at rest: encrypted with key-encryption key ${kekId}\\n$`,
			),
		);

		// With the key, the copy signs with the same key; a key file others can read is warned about.
		chmodSync(file, 0o644);
		const again = await serveIdpool([
			"--port",
			"0",
			"--issuer",
			ISSUER,
			"--db",
			copy,
			"--key-encryption-key-file",
			file,
		]);
		assert.equal(
			await again.stderrLine(/^WARNING: .*key-encryption key file/),
			`WARNING: other users of this machine can read or write the key-encryption key file ${file} (0644): chmod 600 it`,
		);
		const second = await tokenAndJwks(again);
		assert.deepEqual(second.jwks, jwks);
		assert.equal(await verifies(second.token, second.poolId, jwks), kid);
		assert.equal(await again.stop(), 0);
	});

	test("malformed key-encryption keys are one-line setting errors that do not show the key", async () => {
		const secret = "c2VjcmV0";
		const cases: [Record<string, string>, string[], RegExp][] = [
			[
				{ IDPOOL_KEY_ENCRYPTION_KEY: secret },
				[],
				/^idpool: IDPOOL_KEY_ENCRYPTION_KEY: key 1 is not 32 bytes in base64 \(make one with `openssl rand -base64 32`\)$/,
			],
			[
				{},
				["--key-encryption-key-file", join(dir, "missing.kek")],
				/^idpool: cannot read key-encryption key file .*missing\.kek: ENOENT$/,
			],
			[
				{},
				["--key-encryption-key-file", kekFile("empty.kek")],
				/^idpool: key-encryption key file .*empty\.kek holds no key$/,
			],
			[
				{ IDPOOL_KEY_ENCRYPTION_KEY: newKek() },
				["--key-encryption-key-file", kekFile("both.kek", newKek())],
				/^idpool: set the key-encryption key by file .* not both$/,
			],
		];
		for (const [env, args, message] of cases) {
			const line = await refusesToStart(["--db", ":memory:", ...args], env);
			assert.match(line, message);
			assert.ok(!line.includes(secret));
		}
	});
});

/**
 * The whole life of the keys on one database: plain, encrypted when a key-encryption key is
 * first given, rewrapped under a new key while the server runs; then the old key alone no
 * longer starts a server, the new one does, and every token verifies against the same JWKS.
 */
async function kekLifecycle(db: string): Promise<void> {
	const args = ["--port", "0", "--issuer", ISSUER, "--db", db];
	const list = async (env: Record<string, string> = {}) => {
		const r = await runIdpool(["keys", "list", "--db", db], { env });
		assert.equal(r.code, 0, r.stderr);
		return r.stdout;
	};

	const plain = await serveIdpool(args);
	const t0 = await tokenAndJwks(plain);
	const kid = await verifies(t0.token, t0.poolId, t0.jwks);
	// Credentials issued with their secret in plain, then others sealed under the first KEK:
	// the rewrap seals both under the second, and they sign calls to the server that has it alone.
	const c0 = await issuedCredentials(plain, t0.poolId, t0.token);
	assert.equal(await plain.stop(), 0);
	assert.match(await list(), / at rest: plain\n$/);

	const kek1 = newKek();
	const first = await serveIdpool(args, {
		env: { IDPOOL_KEY_ENCRYPTION_KEY: kek1 },
	});
	const id1 = /encrypted at rest with key-encryption key (\w+)\n/.exec(
		first.stdout(),
	)?.[1];
	assert.ok(id1);
	assert.match(
		await list(),
		new RegExp(` at rest: encrypted with key-encryption key ${id1}\\n$`),
	);
	const t1 = await tokenAndJwks(first);
	assert.equal(await verifies(t1.token, t1.poolId, t0.jwks), kid);
	const c1 = await issuedCredentials(first, t1.poolId, t1.token);
	await signsCalls(first, c1);

	// Rewrap while the server runs: the new key first, the old one to read with.
	const kek2 = newKek();
	const rewrapped = await runIdpool(
		[
			"keys",
			"rewrap",
			"--db",
			db,
			"--key-encryption-key-file",
			kekFile(`rewrap-${id1}.kek`, kek2, kek1),
		],
		{},
	);
	assert.equal(rewrapped.code, 0, rewrapped.stderr);
	const id2 =
		/^rewrapped: 1 signing key re-encrypted with key-encryption key (\w+)\nrewrapped: 2 issued credentials' secret keys re-encrypted with it\n/.exec(
			rewrapped.stdout,
		)?.[1];
	assert.ok(id2, rewrapped.stdout);
	assert.notEqual(id2, id1);
	assert.match(
		rewrapped.stdout,
		new RegExp(` at rest: encrypted with key-encryption key ${id2}\\n$`),
	);
	// The running server keeps signing with the key it had loaded.
	const during = await tokenAndJwks(first);
	assert.equal(await verifies(during.token, during.poolId, t0.jwks), kid);
	assert.equal(await first.stop(), 0);

	assert.match(
		await refusesToStart(args.slice(2), { IDPOOL_KEY_ENCRYPTION_KEY: kek1 }),
		new RegExp(
			`^idpool: signing key ${kid} is encrypted at rest with key-encryption key ${id2}, which is not among the key-encryption keys given \\(${id1}\\)`,
		),
	);
	assert.match(await refusesToStart(args.slice(2)), /no key-encryption key/);

	const rotated = await serveIdpool(args, {
		env: { IDPOOL_KEY_ENCRYPTION_KEY: kek2 },
	});
	const t2 = await tokenAndJwks(rotated);
	assert.deepEqual(t2.jwks, t0.jwks);
	assert.equal(await verifies(t2.token, t2.poolId, t0.jwks), kid);
	for (const earlier of [t0, t1, during]) {
		assert.equal(await verifies(earlier.token, earlier.poolId, t2.jwks), kid);
	}
	for (const credentials of [c0, c1]) await signsCalls(rotated, credentials);
	assert.equal(await rotated.stop(), 0);
}

describe("rotation of the key-encryption key (the built binary)", () => {
	test("on SQLite", async () => {
		await kekLifecycle(join(dir, "lifecycle", "idpool.db"));
	});
});

describeForEngine(
	"postgres",
	"rotation of the key-encryption key on PostgreSQL (the built binary)",
	() => {
		test("on PostgreSQL", async () => {
			const schema = await freshSchema();
			after(() => schema.drop());
			await kekLifecycle(schema.url);
		});
	},
);

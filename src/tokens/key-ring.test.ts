/**
 * @module tokens/key-ring.test
 * Unit tests of key generation and of the key ring: the first key and the race to create it,
 * rotation with its propagation delay (docs/behaviour.md#keys), how long retired keys stay published,
 * reloading from a store shared with other servers, staying up while the store is down, and
 * the private keys encrypted at rest with key-encryption keys (docs/behaviour.md#keys rules 7 to 9).
 * Time is a FakeClock; the store is an in-memory fake, plus one run against SQLite.
 */
import assert from "node:assert/strict";
import {
	createPublicKey,
	KeyObject,
	randomBytes,
	sign,
	verify,
} from "node:crypto";
import { describe, test } from "node:test";
import { calculateJwkThumbprint } from "jose";
import { MemorySigningKeys } from "../../test/support/memory-keys.ts";
import { FakeClock } from "../lib/clock.ts";
import { openSqliteStore } from "../store/sqlite/sqlite-store.ts";
import {
	KeyEncryption,
	KeyEncryptionError,
	storedKekId,
} from "./key-encryption.ts";
import { KeyRing, type KeyRingOptions } from "./key-ring.ts";
import { generateSigningKey } from "./keys.ts";

const RELOAD = 30_000;
const DELAY = 60_000;
const LIFETIME = 86_400_000;
const START = Date.UTC(2025, 0, 1);

function setup(options: KeyRingOptions = {}) {
	const repo = new MemorySigningKeys();
	const clock = new FakeClock(START);
	const errors: unknown[] = [];
	const ring = new KeyRing(repo, clock, {
		reloadIntervalMs: RELOAD,
		maxTokenLifetimeMs: LIFETIME,
		onReloadError: (error) => errors.push(error),
		...options,
	});
	return { repo, clock, ring, errors };
}

/** Lets background work whose store calls resolve at once run to completion. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const kids = async (ring: KeyRing) =>
	(await ring.jwks()).keys.map((k) => k.kid);

describe("generateSigningKey", () => {
	test("makes an RSA 2048 RS512 key whose kid is its RFC 7638 thumbprint", async () => {
		const key = await generateSigningKey(1000, 2000);
		assert.equal(key.alg, "RS512");
		assert.equal(key.createdAt, 1000);
		assert.equal(key.activatesAt, 2000);
		assert.equal(key.retiredAt, undefined);
		assert.deepEqual(Object.keys(key.publicJwk), ["kty", "n", "e"]);
		assert.equal(key.publicJwk.kty, "RSA");
		assert.equal(key.publicJwk.e, "AQAB");
		// RFC 7517 base64url without padding and without a leading zero octet.
		assert.match(key.publicJwk.n ?? "", /^[A-Za-z0-9_-]{342}$/);
		assert.equal(
			key.kid,
			await calculateJwkThumbprint(
				{ kty: "RSA", n: key.publicJwk.n, e: key.publicJwk.e },
				"sha256",
			),
		);
		assert.match(key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
		const pub = createPublicKey(key.privateKeyPem);
		assert.equal(pub.asymmetricKeyDetails?.modulusLength, 2048);
		assert.deepEqual(pub.export({ format: "jwk" }), {
			kty: "RSA",
			n: key.publicJwk.n,
			e: key.publicJwk.e,
		});
	});
});

describe("KeyRing", () => {
	test("init on an empty store creates one key that signs at once", async () => {
		const { repo, ring } = setup();
		await ring.init();
		const [stored, ...rest] = repo.stored;
		assert.ok(stored);
		assert.equal(rest.length, 0);
		assert.equal(stored.activatesAt, START);
		const signer = await ring.signer();
		assert.equal(signer.kid, stored.kid);
		assert.equal(signer.alg, "RS512");
		assert.ok(signer.privateKey instanceof KeyObject);
		assert.deepEqual((await ring.jwks()).keys, [
			{
				kty: "RSA",
				n: stored.publicJwk.n,
				e: stored.publicJwk.e,
				kid: stored.kid,
				alg: "RS512",
				use: "sig",
			},
		]);
	});

	test("keys are made by the generator given (a first key at once, a rotation's later), then sealed", async () => {
		const made = await generateSigningKey(0, 0);
		const calls: unknown[][] = [];
		const { repo, ring } = setup({
			encryption: new KeyEncryption([randomBytes(32)]),
			generate: async (now, activatesAt, alg) => {
				calls.push([now, activatesAt, alg]);
				return {
					...made,
					kid: `made-${calls.length}`,
					createdAt: now,
					activatesAt,
				};
			},
		});
		await ring.init();
		await ring.rotate();
		assert.deepEqual(calls, [
			[START, START, "RS512"],
			[START, START + DELAY, "RS512"],
		]);
		assert.deepEqual(
			repo.stored.map((k) => k.kid),
			["made-1", "made-2"],
		);
		for (const key of repo.stored) {
			assert.notEqual(key.privateKeyPem, made.privateKeyPem);
			assert.ok(storedKekId(key.privateKeyPem));
		}
	});

	test("two rings racing to init one new store end up with one shared key", async () => {
		const { repo, clock } = setup();
		const a = new KeyRing(repo, clock);
		const b = new KeyRing(repo, clock);
		await Promise.all([a.init(), b.init()]);
		assert.equal(repo.stored.length, 1);
		assert.equal((await a.signer()).kid, (await b.signer()).kid);
		assert.deepEqual(await a.jwks(), await b.jwks());
	});

	test("a server whose clock is behind the one that made the first key signs with it at once", async () => {
		const { repo, clock } = setup();
		const maker = new KeyRing(repo, clock);
		await maker.init();
		const behind = new KeyRing(repo, new FakeClock(START - 5_000));
		await behind.init();
		assert.equal((await behind.signer()).kid, (await maker.signer()).kid);
	});

	test("init on a store with keys adopts them without generating", async () => {
		const { repo, clock, ring } = setup();
		await ring.init();
		const other = new KeyRing(repo, clock);
		await other.init();
		assert.equal(repo.stored.length, 1);
		assert.equal((await other.signer()).kid, (await ring.signer()).kid);
	});

	test("the private key is parsed once, not per request", async () => {
		const { ring, clock } = setup();
		await ring.init();
		const first = await ring.signer();
		const second = await ring.signer();
		clock.advanceBy(RELOAD * 10);
		await ring.reload();
		const third = await ring.signer();
		assert.equal(first.privateKey, second.privateKey);
		assert.equal(first.privateKey, third.privateKey);
	});

	test("a rotated key is published at once but signs only after the delay", async () => {
		const { repo, clock, ring } = setup();
		await ring.init();
		const old = (await ring.signer()).kid;
		const fresh = await ring.rotate();
		assert.equal(
			fresh.activatesAt,
			START + DELAY,
			"default delay is 2 × reload",
		);
		assert.deepEqual(await kids(ring), [old, fresh.kid]);
		assert.equal((await ring.signer()).kid, old);

		clock.advanceBy(DELAY - 1);
		assert.equal((await ring.signer()).kid, old, "never a not-yet-active key");
		clock.advanceBy(1);
		assert.equal((await ring.signer()).kid, fresh.kid);

		const stored = repo.stored;
		assert.equal(stored[0]?.retiredAt, START + DELAY);
		assert.equal(stored[1]?.retiredAt, undefined);
	});

	test("a retired key stays published for the longest token lifetime, then goes", async () => {
		const { clock, ring } = setup();
		await ring.init();
		const old = (await ring.signer()).kid;
		const fresh = await ring.rotate();
		clock.advanceBy(DELAY + LIFETIME - 1);
		assert.deepEqual(await kids(ring), [old, fresh.kid]);
		clock.advanceBy(1);
		assert.deepEqual(await kids(ring), [fresh.kid]);
		assert.equal((await ring.signer()).kid, fresh.kid);
	});

	test("rotate prunes keys no unexpired token can need", async () => {
		const { repo, clock, ring } = setup();
		await ring.init();
		const first = (await ring.signer()).kid;
		const second = await ring.rotate();
		clock.advanceBy(DELAY + LIFETIME);
		const third = await ring.rotate();
		assert.deepEqual(
			repo.stored.map((k) => k.kid),
			[second.kid, third.kid],
		);
		assert.ok(!(await kids(ring)).includes(first));
	});

	test("rotating twice before the first activates keeps one signer at all times", async () => {
		const { clock, ring } = setup();
		await ring.init();
		const first = (await ring.signer()).kid;
		const second = await ring.rotate();
		clock.advanceBy(10_000);
		const third = await ring.rotate();
		assert.deepEqual(await kids(ring), [first, second.kid, third.kid]);
		const seen: string[] = [];
		for (let t = 0; t <= DELAY + 20_000; t += 5_000) {
			clock.set(START + t);
			const kid = (await ring.signer()).kid;
			if (seen.at(-1) !== kid) seen.push(kid);
		}
		assert.deepEqual(seen, [first, second.kid, third.kid]);
	});

	test("a key rotated by another server is picked up at the next reload", async () => {
		const { repo, clock, ring: a } = setup();
		await a.init();
		const b = new KeyRing(repo, clock, { reloadIntervalMs: RELOAD });
		await b.init();
		const old = (await a.signer()).kid;
		const fresh = await b.rotate();

		assert.deepEqual(await kids(a), [old], "a still has its cached keys");
		clock.advanceBy(RELOAD);
		await a.jwks(); // stale: answers from the cache and reloads in the background
		await settle();
		assert.deepEqual(await kids(a), [old, fresh.kid]);
		assert.equal((await a.signer()).kid, old);
		clock.advanceBy(DELAY - RELOAD);
		assert.equal((await a.signer()).kid, fresh.kid);
		assert.equal((await b.signer()).kid, fresh.kid);
	});

	test("keys older than the rotation delay are reloaded before they are used", async () => {
		const { repo, clock, ring: a } = setup();
		await a.init();
		const b = new KeyRing(repo, clock, { reloadIntervalMs: RELOAD });
		await b.init();
		const old = (await a.signer()).kid;
		const fresh = await b.rotate();
		// `a` was idle throughout; its cache no longer says which key signs.
		clock.advanceBy(DELAY);
		assert.equal((await a.signer()).kid, fresh.kid);
		assert.notEqual(fresh.kid, old);
	});

	test("at most one reload is in flight", async () => {
		const { repo, clock, ring } = setup();
		await ring.init();
		const before = repo.listCalls;
		clock.advanceBy(DELAY);
		await Promise.all(Array.from({ length: 20 }, () => ring.signer()));
		await settle();
		assert.equal(repo.listCalls - before, 1);
		await ring.jwks();
		await settle();
		assert.equal(repo.listCalls - before, 1, "fresh again: no reload");
	});

	test("a failed reload keeps the old keys and is retried on the next access", async () => {
		const { repo, clock, ring, errors } = setup();
		await ring.init();
		const kid = (await ring.signer()).kid;
		repo.failWith = new Error("database is down");

		clock.advanceBy(RELOAD);
		assert.equal((await ring.signer()).kid, kid);
		await settle();
		assert.equal(errors.length, 1);
		assert.equal((await ring.signer()).kid, kid, "still stale: retried");
		await settle();
		assert.equal(errors.length, 2);

		// Very stale and the store still down: tokens keep being issued.
		clock.advanceBy(DELAY * 100);
		assert.equal((await ring.signer()).kid, kid);
		assert.deepEqual(await kids(ring), [kid]);
		await assert.rejects(ring.reload(), /database is down/);
		await assert.rejects(ring.rotate(), /database is down/);

		repo.failWith = undefined;
		const calls = repo.listCalls;
		await ring.signer();
		await settle();
		assert.equal(repo.listCalls, calls + 1);
		const fresh = await ring.rotate();
		assert.deepEqual(await kids(ring), [kid, fresh.kid]);
	});

	test("signer() fails plainly when no key is active", async () => {
		const { ring } = setup();
		await ring.reload();
		await assert.rejects(ring.signer(), /no signing key is active/);
	});

	test("rejects a rotation delay that does not exceed the reload interval", () => {
		assert.throws(
			() => setup({ reloadIntervalMs: 30_000, rotationDelayMs: 30_000 }),
			RangeError,
		);
	});
});

describe("KeyRing with key-encryption keys", () => {
	const KEK1 = randomBytes(32);
	const KEK2 = randomBytes(32);
	const id = (...keks: Uint8Array[]) =>
		new KeyEncryption(keks).currentId as string;
	const ringOn = (
		repo: MemorySigningKeys,
		clock: FakeClock,
		keks: Uint8Array[],
		options: KeyRingOptions = {},
	) =>
		new KeyRing(repo, clock, {
			reloadIntervalMs: RELOAD,
			encryption: new KeyEncryption(keks),
			...options,
		});
	/** Signs with the ring's signer and checks the signature with the JWKS it publishes. */
	async function signsAndVerifies(ring: KeyRing): Promise<string> {
		const signer = await ring.signer();
		const data = Buffer.from("payload");
		const signature = sign("sha512", data, signer.privateKey);
		const jwk = (await ring.jwks()).keys.find((k) => k.kid === signer.kid);
		assert.ok(jwk, "the signer is published");
		const publicKey = createPublicKey({ key: { ...jwk }, format: "jwk" });
		assert.ok(verify("sha512", data, publicKey, signature));
		return signer.kid;
	}

	test("init encrypts the keys stored in plain once; they sign and are published as before", async () => {
		const { repo, clock, ring: plain } = setup();
		await plain.init();
		const kid = await signsAndVerifies(plain);
		const jwks = await plain.jwks();
		const pem = repo.stored[0]?.privateKeyPem as string;
		assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);

		const ring = ringOn(repo, clock, [KEK1]);
		assert.deepEqual(await ring.init(), { encrypted: 1 });
		assert.equal(ring.encryptionKeyId, id(KEK1));
		const [stored] = repo.stored;
		assert.equal(storedKekId(stored?.privateKeyPem as string), id(KEK1));
		assert.doesNotMatch(stored?.privateKeyPem as string, /PRIVATE KEY/);
		assert.equal(
			new KeyEncryption([KEK1]).open(kid, stored?.privateKeyPem as string),
			pem,
		);
		assert.equal(await signsAndVerifies(ring), kid);
		assert.deepEqual(await ring.jwks(), jwks);
		// Nothing left in plain: the next start changes nothing.
		assert.deepEqual(await ringOn(repo, clock, [KEK1]).init(), {
			encrypted: 0,
		});
	});

	test("the first key and rotated keys are stored encrypted from the start", async () => {
		const { repo, clock } = setup();
		const ring = ringOn(repo, clock, [KEK1]);
		assert.deepEqual(await ring.init(), { encrypted: 0 });
		await ring.rotate();
		assert.equal(repo.stored.length, 2);
		for (const key of repo.stored) {
			assert.equal(storedKekId(key.privateKeyPem), id(KEK1));
		}
		clock.advanceBy(DELAY);
		await signsAndVerifies(ring);
	});

	test("without the KEK, or with another, init fails with a KeyEncryptionError; list still works", async () => {
		const { repo, clock } = setup();
		await ringOn(repo, clock, [KEK1]).init();
		const [key] = repo.stored;
		for (const keks of [[], [KEK2]]) {
			await assert.rejects(ringOn(repo, clock, keks).init(), (err: Error) => {
				assert.ok(err instanceof KeyEncryptionError);
				assert.match(
					err.message,
					new RegExp(
						`^signing key ${key?.kid} is encrypted at rest with key-encryption key ${id(KEK1)}`,
					),
				);
				return true;
			});
		}
		assert.equal(repo.stored.length, 1, "no key was generated");
		assert.deepEqual(
			(await ringOn(repo, clock, []).list()).map((k) => [
				k.record.kid,
				k.status,
				k.encryptedWith,
			]),
			[[key?.kid, "signing", id(KEK1)]],
		);
	});

	test("a reload that meets a key it cannot decrypt fails and keeps the keys loaded", async () => {
		const { repo, clock } = setup();
		const errors: unknown[] = [];
		const a = ringOn(repo, clock, [KEK1], {
			onReloadError: (e) => errors.push(e),
		});
		await a.init();
		const old = await signsAndVerifies(a);
		// Another server, given a new KEK first, rotates: the new key is under KEK2.
		const b = ringOn(repo, clock, [KEK2, KEK1]);
		await b.init();
		const fresh = await b.rotate();
		clock.advanceBy(RELOAD);
		await a.jwks();
		await settle();
		assert.equal(errors.length, 1);
		assert.ok(errors[0] instanceof KeyEncryptionError);
		assert.deepEqual(await kids(a), [old]);
		assert.equal(await signsAndVerifies(a), old);
		assert.deepEqual(await kids(b), [old, fresh.kid]);
	});

	test("rewrap re-encrypts every key under the first KEK; then the old KEK alone no longer opens them", async () => {
		const { repo, clock } = setup();
		const before = ringOn(repo, clock, [KEK1]);
		await before.init();
		await before.rotate();
		clock.advanceBy(DELAY);
		const kid = await signsAndVerifies(before);
		const jwks = await before.jwks();

		const during = ringOn(repo, clock, [KEK2, KEK1]);
		assert.equal(await during.rewrap(), 2);
		for (const key of repo.stored) {
			assert.equal(storedKekId(key.privateKeyPem), id(KEK2));
		}
		assert.equal(await during.rewrap(), 0, "nothing left to rewrap");
		// The ring that was running keeps signing with the keys it had parsed.
		clock.advanceBy(RELOAD);
		assert.equal(await signsAndVerifies(before), kid);

		await assert.rejects(
			ringOn(repo, clock, [KEK1]).init(),
			KeyEncryptionError,
		);
		const after = ringOn(repo, clock, [KEK2]);
		await after.init();
		assert.equal(await signsAndVerifies(after), kid);
		assert.deepEqual(await after.jwks(), jwks);
	});

	test("rewrap needs a KEK, and changes nothing when one key cannot be decrypted", async () => {
		const { repo, clock } = setup();
		await ringOn(repo, clock, [KEK1]).init();
		await assert.rejects(ringOn(repo, clock, []).rewrap(), (err: Error) => {
			assert.ok(err instanceof KeyEncryptionError);
			assert.match(err.message, /^no key-encryption key is set/);
			return true;
		});
		// A second key under a third KEK that the rewrapping ring does not have.
		const kek3 = randomBytes(32);
		await ringOn(repo, clock, [kek3, KEK1]).rotate();
		const stored = repo.stored;
		await assert.rejects(
			ringOn(repo, clock, [KEK2, KEK1]).rewrap(),
			KeyEncryptionError,
		);
		assert.deepEqual(repo.stored, stored);
	});
});

describe("KeyRing on SQLite", () => {
	test("init twice gives one key; rotate retires the old one", async () => {
		const store = openSqliteStore(":memory:");
		try {
			await store.migrate();
			const clock = new FakeClock(START);
			const a = new KeyRing(store.signingKeys, clock);
			await a.init();
			const b = new KeyRing(store.signingKeys, clock);
			await b.init();
			const [only, ...more] = await store.signingKeys.list();
			assert.ok(only);
			assert.equal(more.length, 0);
			assert.equal((await b.signer()).kid, only.kid);

			const fresh = await a.rotate();
			const [old, rotated, ...extra] = await store.signingKeys.list();
			assert.equal(extra.length, 0);
			assert.equal(old?.kid, only.kid);
			assert.equal(old?.retiredAt, fresh.activatesAt);
			assert.equal(rotated?.kid, fresh.kid);
			assert.equal(rotated?.retiredAt, undefined);
			assert.deepEqual(rotated?.publicJwk, fresh.publicJwk);
			assert.equal(rotated?.privateKeyPem, fresh.privateKeyPem);
			assert.deepEqual(await kids(a), [only.kid, fresh.kid]);
		} finally {
			await store.close();
		}
	});
});

describe("ES256 keys and a switch of algorithm (docs/keys.md#es256)", () => {
	test("generateSigningKey makes a P-256 ES256 key whose kid is its RFC 7638 thumbprint", async () => {
		const key = await generateSigningKey(1000, 2000, "ES256");
		assert.equal(key.alg, "ES256");
		assert.deepEqual(Object.keys(key.publicJwk), ["kty", "crv", "x", "y"]);
		assert.equal(key.publicJwk.kty, "EC");
		assert.equal(key.publicJwk.crv, "P-256");
		assert.match(key.publicJwk.x ?? "", /^[A-Za-z0-9_-]{43}$/);
		assert.equal(key.kid, await calculateJwkThumbprint(key.publicJwk));
		const pub = createPublicKey(key.privateKeyPem);
		assert.equal(pub.asymmetricKeyDetails?.namedCurve, "prime256v1");
	});

	test("an ES256 ring's first key is an EC key, published with crv, x, y", async () => {
		const { repo, ring } = setup({ algorithm: "ES256" });
		await ring.init();
		const [stored] = repo.stored;
		assert.ok(stored);
		const signer = await ring.signer();
		assert.equal(signer.alg, "ES256");
		assert.equal(signer.privateKey.asymmetricKeyType, "ec");
		assert.deepEqual((await ring.jwks()).keys, [
			{
				kty: "EC",
				crv: "P-256",
				x: stored.publicJwk.x,
				y: stored.publicJwk.y,
				kid: stored.kid,
				alg: "ES256",
				use: "sig",
			},
		]);
		assert.deepEqual(await ring.algorithms(), ["ES256"]);
		// Its signature (raw r || s) verifies with the published JWK.
		const jwk = (await ring.jwks()).keys[0];
		assert.ok(jwk);
		const data = Buffer.from("payload");
		const signature = sign("sha256", data, {
			key: signer.privateKey,
			dsaEncoding: "ieee-p1363",
		});
		assert.equal(signature.length, 64);
		assert.ok(
			verify(
				"sha256",
				data,
				{
					key: createPublicKey({ key: { ...jwk }, format: "jwk" }),
					dsaEncoding: "ieee-p1363",
				},
				signature,
			),
		);
	});

	test("switchAlgorithm changes nothing when the keys are of the ring's algorithm", async () => {
		const { repo, ring } = setup({ algorithm: "ES256" });
		await ring.init();
		assert.equal(await ring.switchAlgorithm(), undefined);
		assert.equal(repo.stored.length, 1);
	});

	test("RS512 to ES256: the EC key is published at once, signs after the rotation delay; the RSA key stays published until its tokens expire", async () => {
		const { repo, clock, ring: rsa } = setup();
		await rsa.init();
		const old = await rsa.signer();
		assert.equal(old.alg, "RS512");
		clock.advanceBy(1000);
		const ec = new KeyRing(repo, clock, {
			reloadIntervalMs: RELOAD,
			maxTokenLifetimeMs: LIFETIME,
			algorithm: "ES256",
		});
		await ec.init();
		const switched = await ec.switchAlgorithm();
		assert.ok(switched);
		assert.equal(switched.alg, "ES256");
		assert.equal(switched.activatesAt, clock.now() + DELAY);
		// Published before it signs: the RSA key signs meanwhile, even for the ES256 ring.
		assert.deepEqual(await kids(ec), [old.kid, switched.kid]);
		assert.deepEqual(await ec.algorithms(), ["RS512", "ES256"]);
		assert.equal((await ec.signer()).kid, old.kid);
		assert.deepEqual(
			(await ec.list()).map((k) => [k.record.alg, k.status]),
			[
				["RS512", "signing"],
				["ES256", "pending"],
			],
		);
		// A second start (another ES256 server) finds the switch under way: nothing more.
		assert.equal(await ec.switchAlgorithm(), undefined);
		assert.equal(repo.stored.length, 2);
		clock.advanceBy(DELAY);
		assert.equal((await ec.signer()).kid, switched.kid);
		// The RS512 server of the same database signs with the EC key too (none of its own is active).
		assert.equal((await rsa.signer()).kid, switched.kid);
		assert.deepEqual(await kids(ec), [old.kid, switched.kid]);
		clock.advanceBy(LIFETIME);
		assert.deepEqual(await kids(ec), [switched.kid]);
		assert.deepEqual(await ec.algorithms(), ["ES256"]);
	});

	test("rotate makes a key of the ring's algorithm", async () => {
		const { clock, ring } = setup({ algorithm: "ES256" });
		await ring.init();
		const key = await ring.rotate();
		assert.equal(key.alg, "ES256");
		assert.equal(key.publicJwk.kty, "EC");
		clock.advanceBy(DELAY);
		assert.equal((await ring.signer()).kid, key.kid);
	});

	test("the signer is the newest active key of the ring's algorithm when keys of both kinds are active", async () => {
		const clock = new FakeClock(START);
		const rsaKey = await generateSigningKey(START, START + 10, "RS512");
		const ecKey = await generateSigningKey(START, START, "ES256");
		// Two active keys of different kinds (no rotation stores that, a hand-made store may),
		// the RSA key the newer.
		const repo = Object.assign(new MemorySigningKeys(), {
			list: async () => structuredClone([ecKey, rsaKey]),
		});
		clock.advanceBy(20);
		const rsa = new KeyRing(repo, clock, { algorithm: "RS512" });
		const ec = new KeyRing(repo, clock, { algorithm: "ES256" });
		assert.equal((await rsa.signer()).kid, rsaKey.kid);
		assert.equal((await ec.signer()).kid, ecKey.kid);
	});
});

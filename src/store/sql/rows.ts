/**
 * @module store/sql/rows
 * Rows as both engines read them, and their mapping to the records of the port. The two
 * engines share one schema (same tables, columns and JSON documents stored as text); they
 * differ only in how integers arrive: SQLite answers numbers, PostgreSQL answers its BIGINT
 * columns as strings (pg keeps 64-bit integers exact). Times and sequence numbers are safe
 * integers, so `Number()` maps both.
 */
import type {
	IssuedCredentialRecord,
	PoolKey,
	PoolRecord,
	PoolSettings,
	RoleMappingDoc,
	SigningKeyRecord,
} from "../../domain/records.ts";
import type { NewPool } from "../store.ts";

/** An integer column: a number (SQLite) or a decimal string (PostgreSQL BIGINT). */
export type Int = number | string;

export interface PoolRow {
	seq: Int;
	pool_id: string;
	account_id: string;
	region: string;
	settings: string;
	roles: string;
	role_mappings: string | null;
	tags: string;
	created_at: Int;
	updated_at: Int;
}

export function toPool(row: PoolRow): PoolRecord {
	const pool: PoolRecord = {
		accountId: row.account_id,
		region: row.region,
		poolId: row.pool_id,
		settings: JSON.parse(row.settings) as PoolSettings,
		roles: JSON.parse(row.roles) as Record<string, string>,
		tags: JSON.parse(row.tags) as Record<string, string>,
		createdAt: Number(row.created_at),
		updatedAt: Number(row.updated_at),
	};
	if (row.role_mappings !== null) {
		pool.roleMappings = JSON.parse(row.role_mappings) as Record<
			string,
			RoleMappingDoc
		>;
	}
	return pool;
}

/** The record of a pool just created from `pool`: no roles yet. */
export function newPoolRecord(pool: NewPool): PoolRecord {
	return {
		accountId: pool.accountId,
		region: pool.region,
		poolId: pool.poolId,
		settings: pool.settings,
		roles: {},
		tags: pool.tags,
		createdAt: pool.now,
		updatedAt: pool.now,
	};
}

export interface SigningKeyRow {
	kid: string;
	alg: string;
	public_jwk: string;
	private_key_pem: string;
	created_at: Int;
	activates_at: Int;
	retired_at: Int | null;
}

export function toSigningKey(row: SigningKeyRow): SigningKeyRecord {
	const key: SigningKeyRecord = {
		kid: row.kid,
		alg: row.alg,
		publicJwk: JSON.parse(row.public_jwk) as Record<string, string>,
		privateKeyPem: row.private_key_pem,
		createdAt: Number(row.created_at),
		activatesAt: Number(row.activates_at),
	};
	if (row.retired_at !== null) key.retiredAt = Number(row.retired_at);
	return key;
}

export interface CredentialRow {
	access_key_id: string;
	secret_access_key: string;
	session_token: string;
	identity_id: string;
	pool_id: string;
	account_id: string;
	region: string;
	role_arn: string;
	principal_tags: string;
	created_at: Int;
	expires_at: Int;
}

export function toCredential(row: CredentialRow): IssuedCredentialRecord {
	return {
		accessKeyId: row.access_key_id,
		secretAccessKey: row.secret_access_key,
		sessionToken: row.session_token,
		identityId: row.identity_id,
		poolId: row.pool_id,
		accountId: row.account_id,
		region: row.region,
		roleArn: row.role_arn,
		principalTags: JSON.parse(row.principal_tags) as Record<string, string>,
		createdAt: Number(row.created_at),
		expiresAt: Number(row.expires_at),
	};
}

/** Parses a keyset cursor made by a store; a foreign one reads as "from the start". */
export function seqCursor(after: string | undefined): number {
	const n = after === undefined ? 0 : Number(after);
	return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/**
 * The parameters of both engines' insert of an issued credential, in the columns' order:
 * access key id, secret access key, session token, identity, pool, account, region, role,
 * principal tags (JSON), created_at, expires_at.
 */
export function credentialParams(c: IssuedCredentialRecord): unknown[] {
	return [
		c.accessKeyId,
		c.secretAccessKey,
		c.sessionToken,
		c.identityId,
		c.poolId,
		c.accountId,
		c.region,
		c.roleArn,
		JSON.stringify(c.principalTags),
		c.createdAt,
		c.expiresAt,
	];
}

/**
 * The parameters of both engines' statement that sets a pool's roles, in its order: roles,
 * role mappings (NULL clears them), updated_at, then the pool's account, region and id.
 */
export function setRolesParams(
	key: PoolKey,
	roles: Record<string, string>,
	roleMappings: Record<string, RoleMappingDoc> | undefined,
	now: number,
): [string, string | null, number, string, string, string] {
	return [
		JSON.stringify(roles),
		roleMappings === undefined ? null : JSON.stringify(roleMappings),
		now,
		key.accountId,
		key.region,
		key.poolId,
	];
}

/**
 * @module domain/sts-roles
 * Roles as the STS-compatible endpoint sees them: which roles a pool trusts its identities
 * with ({@link poolTrustsRole}), and names of roles and sessions as STS prints them: the role ARN's parts, the role's unique id
 * (`AROA` and 17 characters; derived here from the ARN, so it is stable across restarts and
 * servers), the assumed-role ARN `arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`
 * and the `UserId` / `AssumedRoleId` `<role id>:<session>`.
 */
import { createHash } from "node:crypto";
import type { PoolRecord } from "./records.ts";

/** A parsed IAM role ARN. */
export interface RoleArnParts {
	partition: string;
	accountId: string;
	/** The name (the last path segment), without the path. */
	name: string;
}

/**
 * `arn:<partition>:iam::<12 digits>:role/<path/><name>`: the role ARNs STS accepts. Paths
 * and names use IAM's characters (`[\w+=,.@-]`; paths `/` separated).
 */
const ROLE_ARN =
	/^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** The parts of a role ARN, or `undefined` when it is not one. */
export function parseRoleArn(arn: string): RoleArnParts | undefined {
	const m = ROLE_ARN.exec(arn);
	if (!m) return undefined;
	return {
		partition: m[1] as string,
		accountId: m[2] as string,
		name: m[3] as string,
	};
}

const ROLE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A role's unique id, `AROA` and 17 characters, derived from its ARN. */
export function roleId(roleArn: string): string {
	const digest = createHash("sha256").update(roleArn).digest();
	let id = "AROA";
	for (let i = 0; i < 17; i++) id += ROLE_ID_ALPHABET[(digest[i] ?? 0) % 32];
	return id;
}

/** The ARN and id of a role session. */
export interface AssumedRole {
	/** `arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`. */
	arn: string;
	/** `<role id>:<session>`. */
	assumedRoleId: string;
	accountId: string;
}

/**
 * The assumed-role user of a session of `roleArn`. A stored ARN that does not parse (it
 * cannot come from this server's endpoint, which checks it) falls back on the account given
 * and the ARN's last segment.
 */
export function assumedRole(
	roleArn: string,
	sessionName: string,
	fallbackAccountId: string,
): AssumedRole {
	const parts = parseRoleArn(roleArn) ?? {
		partition: "aws",
		accountId: fallbackAccountId,
		name: roleArn.slice(roleArn.lastIndexOf("/") + 1) || roleArn,
	};
	return {
		arn: `arn:${parts.partition}:sts::${parts.accountId}:assumed-role/${parts.name}/${sessionName}`,
		assumedRoleId: `${roleId(roleArn)}:${sessionName}`,
		accountId: parts.accountId,
	};
}

/**
 * Whether the pool "trusts" its identities with the role, as the trust policy of a Cognito
 * role does on AWS (`aud` = the pool, `amr` = authenticated or unauthenticated): a guest's
 * token may assume only the pool's unauthenticated role; an authenticated identity's token
 * the authenticated role or a role of a `Rules` mapping, and, when the pool has a `Token`
 * mapping (roles chosen by the login provider's `cognito:roles` claim), any role. In every
 * case the role must be of the pool's account, or of one `trust` names
 * ({@link roleTrustedFor}).
 */
export function poolTrustsRole(
	pool: PoolRecord,
	amr: readonly string[],
	roleArn: string,
	trust: readonly CrossAccountTrust[],
): boolean {
	if (!roleTrustedFor(pool.accountId, roleArn, trust)) return false;
	if (amr.includes("unauthenticated")) {
		return pool.roles.unauthenticated === roleArn;
	}
	if (!amr.includes("authenticated")) return false;
	if (pool.roles.authenticated === roleArn) return true;
	for (const mapping of Object.values(pool.roleMappings ?? {})) {
		if (mapping.Type === "Token") return true;
		for (const rule of mapping.RulesConfiguration?.Rules ?? []) {
			if (rule.RoleARN === roleArn) return true;
		}
	}
	return false;
}

/**
 * A trust an operator declared between accounts: pools of `poolAccountId` may give their
 * identities credentials for the role `roleArn`, or for any role of `roleAccountId`.
 */
export type CrossAccountTrust =
	| { poolAccountId: string; roleAccountId: string }
	| { poolAccountId: string; roleArn: string };

/**
 * Whether a pool of `poolAccountId` may hand out credentials for `roleArn`. idpool has no
 * trust policies: a role of the pool's own account is trusted, a role of another account only
 * where `trust` names it (docs/behaviour.md#credentials), and an ARN that is not a role's is
 * never trusted.
 */
export function roleTrustedFor(
	poolAccountId: string,
	roleArn: string,
	trust: readonly CrossAccountTrust[],
): boolean {
	const role = parseRoleArn(roleArn);
	if (!role) return false;
	if (role.accountId === poolAccountId) return true;
	return trust.some(
		(t) =>
			t.poolAccountId === poolAccountId &&
			("roleArn" in t
				? t.roleArn === roleArn
				: t.roleAccountId === role.accountId),
	);
}

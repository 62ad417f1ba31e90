/**
 * What the wire fuzz test knows about the server's data: the pools, identities, developer
 * users, tokens, credentials and pagination tokens that earlier answers named. Valid requests
 * draw their ids from here, so that they reach the handlers and the store rather than stop at
 * "not found"; every successful answer adds what it names. The lists are bounded, and the
 * choices among them are the seeded generator's, so a seed replays the same requests.
 */
import { TEST_ACCOUNT } from "../support/server.ts";

/** The region every valid request signs for. */
export const REGION = "us-east-1";

export interface PoolRef {
	id: string;
	/**
	 * The pools set up before the run: never deleted, updated or given other roles, so that
	 * the public flows keep working all along and the end of the run can compare them.
	 */
	anchor: boolean;
	/** The developer provider, if the pool has one. */
	dev: string | undefined;
	/** The `Logins` keys of the providers the pool names (that the doubles answer for). */
	providers: string[];
	/** The keys a role mapping of the pool may have (provider names, ARNs, `name:clientId`). */
	mappingKeys: string[];
}

export interface IdentityRef {
	id: string;
	poolId: string;
	/** The logins it was made with (valid tokens), to present again. */
	logins: Record<string, string>;
}

export interface DevUser {
	poolId: string;
	provider: string;
	user: string;
	identityId: string;
}

export interface OwnToken {
	token: string;
	poolId: string;
	identityId: string;
}

export interface IssuedCredentials {
	accessKeyId: string;
	secretKey: string;
	sessionToken: string;
}

type Paginated =
	| "ListIdentityPools"
	| "ListIdentities"
	| "LookupDeveloperIdentity";

/** How many of each kind are kept (the oldest go first). */
const KEEP = 150;

function keep<T>(list: T[], item: T): void {
	list.push(item);
	if (list.length > KEEP) list.splice(0, list.length - KEEP);
}

/** The pool ARN of `poolId` in the test account and {@link REGION}. */
export function poolArn(poolId: string): string {
	return `arn:aws:cognito-identity:${REGION}:${TEST_ACCOUNT}:identitypool/${poolId}`;
}

export class World {
	readonly pools: PoolRef[] = [];
	readonly identities: IdentityRef[] = [];
	readonly devUsers: DevUser[] = [];
	readonly ownTokens: OwnToken[] = [];
	readonly credentials: IssuedCredentials[] = [];
	readonly nextTokens: Record<Paginated, { token: string; poolId?: string }[]> =
		{ ListIdentityPools: [], ListIdentities: [], LookupDeveloperIdentity: [] };
	/** Valid `Logins` values per provider key, minted by the doubles before the run. */
	readonly providerTokens: Record<string, string[]>;

	constructor(providerTokens: Record<string, string[]>) {
		this.providerTokens = providerTokens;
	}

	addPool(pool: PoolRef): void {
		const known = this.pools.findIndex((p) => p.id === pool.id);
		if (known >= 0) this.pools[known] = pool;
		else if (pool.anchor) this.pools.push(pool);
		else {
			this.pools.push(pool);
			const scratch = this.pools.filter((p) => !p.anchor);
			if (scratch.length > 40) this.removePool((scratch[0] as PoolRef).id);
		}
	}

	/** Forgets a deleted pool and what was in it. */
	removePool(poolId: string): void {
		const at = this.pools.findIndex((p) => p.id === poolId && !p.anchor);
		if (at < 0) return;
		this.pools.splice(at, 1);
		for (const list of [this.identities, this.devUsers, this.ownTokens]) {
			for (let i = list.length - 1; i >= 0; i--) {
				if (list[i]?.poolId === poolId) list.splice(i, 1);
			}
		}
	}

	addIdentity(identity: IdentityRef): void {
		const known = this.identities.find((i) => i.id === identity.id);
		if (known) Object.assign(known.logins, identity.logins);
		else keep(this.identities, identity);
	}

	/** Forgets a deleted identity, its developer users and its tokens. */
	removeIdentity(identityId: string): void {
		const at = this.identities.findIndex((i) => i.id === identityId);
		if (at >= 0) this.identities.splice(at, 1);
		for (const list of [this.devUsers, this.ownTokens]) {
			for (let i = list.length - 1; i >= 0; i--) {
				if (list[i]?.identityId === identityId) list.splice(i, 1);
			}
		}
	}

	addDevUser(user: DevUser): void {
		if (
			!this.devUsers.some(
				(u) =>
					u.poolId === user.poolId &&
					u.provider === user.provider &&
					u.user === user.user,
			)
		) {
			keep(this.devUsers, user);
		}
	}

	addOwnToken(token: OwnToken): void {
		keep(this.ownTokens, token);
	}

	addCredentials(credentials: IssuedCredentials): void {
		keep(this.credentials, credentials);
	}

	addNextToken(operation: Paginated, token: string, poolId?: string): void {
		keep(this.nextTokens[operation], {
			token,
			...(poolId === undefined ? {} : { poolId }),
		});
	}

	pool(poolId: string): PoolRef | undefined {
		return this.pools.find((p) => p.id === poolId);
	}
}

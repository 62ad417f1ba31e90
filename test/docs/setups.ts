/**
 * What the docs snippets test provides around the blocks of a page (docs/development.md,
 * "Docs snippets"): a stand-in for the local OpenID Connect provider the examples name
 * (`localhost:8080/realms/<realm>`, a Keycloak realm), and the named setups a block asks for
 * with `<!-- snippet: setup=<name> key=value... -->`.
 *
 * A setup gives the block what the page leaves to the reader (an ID token from their
 * provider, credentials from an earlier step): environment variables, and code put before
 * the block in its language. Its code is written with the documented address
 * `http://127.0.0.1:8700`, which the test rewrites like the blocks' own.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { freshSchema } from "../support/postgres.ts";
import { engineSkipReason } from "../support/stores.ts";

/** A local OpenID Connect provider serving any realm under `/realms/<realm>`. */
export interface RealmIssuer {
	/** `localhost:<port>`, what `localhost:8080` of the docs becomes. */
	readonly host: string;
	/** An ID token of `iss` `http://<host>/realms/<realm>`, valid an hour. */
	mint(realm: string, claims: { sub: string; aud: string }): Promise<string>;
	close(): Promise<void>;
}

export async function startRealmIssuer(): Promise<RealmIssuer> {
	const { privateKey, publicKey } = await generateKeyPair("RS256");
	const jwk: JWK = {
		...(await exportJWK(publicKey)),
		kid: "docs-snippets",
		alg: "RS256",
		use: "sig",
	};
	let host = "";
	const server: Server = createServer((req, res) => {
		const path = new URL(req.url ?? "/", "http://x").pathname;
		const realm = /^\/realms\/([^/]+)\/(.*)$/.exec(path);
		const issuer = `http://${host}/realms/${realm?.[1]}`;
		let body: unknown;
		if (realm?.[2] === ".well-known/openid-configuration") {
			body = {
				issuer,
				jwks_uri: `${issuer}/protocol/openid-connect/certs`,
				id_token_signing_alg_values_supported: ["RS256"],
			};
		} else if (realm?.[2] === "protocol/openid-connect/certs") {
			body = { keys: [jwk] };
		}
		res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
		res.end(JSON.stringify(body ?? { error: "not found" }));
	});
	await new Promise<void>((resolve) =>
		server.listen(0, "127.0.0.1", () => resolve()),
	);
	host = `localhost:${(server.address() as AddressInfo).port}`;
	return {
		host,
		mint(realm, claims) {
			return new SignJWT({ ...claims })
				.setProtectedHeader({ alg: "RS256", kid: jwk.kid as string })
				.setIssuer(`http://${host}/realms/${realm}`)
				.setIssuedAt()
				.setExpirationTime("1h")
				.sign(privateKey);
		},
		close() {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

/** What a setup needs from the page. */
export interface SetupContext {
	/** The page's stand-in provider (started when the page names `localhost:8080`). */
	realms(): Promise<RealmIssuer>;
}

/** What a setup gives a block. */
export interface SetupResult {
	/** Environment variables added for the block and the blocks after it. */
	env?: Record<string, string>;
	/** Code put before the block, by the block's language. */
	js?: string;
	python?: string;
	/** Text of the block replaced (documented values that stand for the reader's). */
	replace?: Record<string, string>;
	/** Run when the page is done. */
	cleanup?: () => Promise<void>;
	/** Why the block is skipped in this run (a store engine the run leaves out). */
	skip?: string;
}

type Setup = (
	options: Record<string, string>,
	context: SetupContext,
) => Promise<SetupResult>;

/**
 * `id-token issuer=<localhost:8080/realms/name> audience=<client id> [sub=<user>]`: an ID
 * token of that realm of the stand-in provider, as a user who signed in there would have.
 * Shell and Python blocks read it from `$ID_TOKEN`, JavaScript blocks as `idToken`.
 */
const idToken: Setup = async (options, context) => {
	const issuer = /^localhost:\d+\/realms\/([^/]+)$/.exec(options.issuer ?? "");
	if (!issuer || !options.audience) {
		throw new Error(
			"setup=id-token needs issuer=localhost:8080/realms/<realm> and audience=<client id>",
		);
	}
	const realms = await context.realms();
	const token = await realms.mint(issuer[1] as string, {
		sub: options.sub ?? "alice",
		aud: options.audience,
	});
	return {
		env: { ID_TOKEN: token },
		js: "const idToken = process.env.ID_TOKEN;",
		python: 'import os\nid_token = os.environ["ID_TOKEN"]',
	};
};

/**
 * `credentials`: JavaScript `credentials` of an authenticated identity (role
 * `Cognito_Auth`) from GetCredentialsForIdentity, through the developer flow.
 */
const credentials: Setup = async () => ({
	js: `const credentials = await (async () => {
	const ci = await import("@aws-sdk/client-cognito-identity");
	const client = new ci.CognitoIdentityClient({
		endpoint: "http://127.0.0.1:8700", region: "us-east-1",
		credentials: { accessKeyId: "test", secretAccessKey: "test" },
	});
	const { IdentityPoolId } = await client.send(new ci.CreateIdentityPoolCommand({
		IdentityPoolName: "Setup", AllowUnauthenticatedIdentities: false,
		DeveloperProviderName: "login.setup.app",
	}));
	await client.send(new ci.SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {
		authenticated: "arn:aws:iam::000000000000:role/Cognito_Auth",
	}}));
	const { IdentityId, Token } = await client.send(new ci.GetOpenIdTokenForDeveloperIdentityCommand({
		IdentityPoolId, Logins: { "login.setup.app": "user-1" },
	}));
	const { Credentials } = await client.send(new ci.GetCredentialsForIdentityCommand({
		IdentityId, Logins: { "cognito-identity.amazonaws.com": Token },
	}));
	client.destroy();
	return {
		accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretKey,
		sessionToken: Credentials.SessionToken,
	};
})();`,
});

/**
 * `developer-token`: Python `pool_id` (a new pool whose developer provider is
 * `login.example.app`) and `token`, a token of GetOpenIdTokenForDeveloperIdentity for one of
 * its users, made with boto3.
 */
const developerToken: Setup = async () => ({
	python: `import boto3
_client = boto3.client("cognito-identity", endpoint_url="http://127.0.0.1:8700", region_name="us-east-1")
pool_id = _client.create_identity_pool(IdentityPoolName="Setup", AllowUnauthenticatedIdentities=False, DeveloperProviderName="login.example.app")["IdentityPoolId"]
token = _client.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={"login.example.app": "user-42"})["Token"]`,
});

/**
 * `postgres url=<the block's PostgreSQL URL>`: that URL stands for a schema of its own on the
 * test PostgreSQL (IDPOOL_TEST_POSTGRES_URL, see test/support/postgres.ts), dropped when the
 * page is done. Skipped, as every PostgreSQL suite, when IDPOOL_TEST_STORES leaves it out.
 */
const postgres: Setup = async (options) => {
	if (!options.url)
		throw new Error("setup=postgres needs url=<the block's URL>");
	const skip = engineSkipReason("postgres");
	if (skip) return { skip };
	const schema = await freshSchema();
	return {
		replace: { [options.url]: schema.url },
		cleanup: () => schema.drop(),
	};
};

export const SETUPS: Readonly<Record<string, Setup>> = {
	"id-token": idToken,
	credentials,
	"developer-token": developerToken,
	postgres,
};

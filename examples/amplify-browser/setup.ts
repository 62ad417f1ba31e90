/**
 * Creates what the example's page needs, through the official SDK v3 clients: at the user-pool
 * emulator (cognito-local), a user pool, an app client and two users with permanent
 * passwords; at idpool, an identity pool that lets guests in and lists that user pool as a
 * provider (by the name Amplify gives its logins, `localhost:9229/<userPoolId>`), with roles.
 * It prints the settings as JSON, and the page's address with them.
 *
 *     npx tsx examples/amplify-browser/setup.ts [--idpool http://127.0.0.1:8700]
 *         [--user-pool-endpoint http://localhost:9229] [--page http://localhost:8080]
 *
 * A flag left out takes its value from the environment when it is set there (`EXAMPLE_IDPOOL`,
 * `EXAMPLE_USER_POOL_ENDPOINT`, `EXAMPLE_PAGE`; serve.ts reads `EXAMPLE_PAGE` too), else the
 * default above: idpool's test of README.md's commands (test/browser/example-readme.test.ts)
 * runs them as written, on other ports when those are taken.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
	CognitoIdentityClient,
	CreateIdentityPoolCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	AdminCreateUserCommand,
	AdminSetUserPasswordCommand,
	CognitoIdentityProviderClient,
	CreateUserPoolClientCommand,
	CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

/**
 * The users made, with their passwords (a development emulator's: not secrets). cognito-local
 * makes user pools whose users sign in with their email address.
 */
export const USERS = {
	"alice@example.com": "Alice-Passw0rd!",
	"bob@example.com": "Bob-Passw0rd!",
};

/** What the page is configured with. */
export interface PageSettings {
	identityPoolId: string;
	identityPoolEndpoint: string;
	userPoolId: string;
	userPoolClientId: string;
	userPoolEndpoint: string;
}

/** A user-pools client of the emulator (it takes any credentials). */
export function emulatorClient(
	endpoint: string,
): CognitoIdentityProviderClient {
	return new CognitoIdentityProviderClient({
		endpoint,
		region: "local",
		credentials: { accessKeyId: "local", secretAccessKey: "local" },
		// The SDK's default retries: the emulator closes idle keep-alive connections after 5 s,
		// and a call that reuses one as it closes fails with "socket hang up" once.
	});
}

/** A user pool and an app client that signs in with a user name and password. */
export async function createUserPool(
	client: CognitoIdentityProviderClient,
	name: string,
): Promise<{ userPoolId: string; clientId: string }> {
	const pool = await client.send(new CreateUserPoolCommand({ PoolName: name }));
	const userPoolId = pool.UserPool?.Id as string;
	const app = await client.send(
		new CreateUserPoolClientCommand({
			UserPoolId: userPoolId,
			ClientName: `${name}-web`,
			ExplicitAuthFlows: [
				"ALLOW_USER_PASSWORD_AUTH",
				"ALLOW_REFRESH_TOKEN_AUTH",
			],
		}),
	);
	return { userPoolId, clientId: app.UserPoolClient?.ClientId as string };
}

/** A confirmed user with a permanent password; answers the user's `sub`. */
export async function createUser(
	client: CognitoIdentityProviderClient,
	userPoolId: string,
	username: string,
	password: string,
): Promise<string> {
	const created = await client.send(
		new AdminCreateUserCommand({
			UserPoolId: userPoolId,
			Username: username,
			MessageAction: "SUPPRESS",
		}),
	);
	await client.send(
		new AdminSetUserPasswordCommand({
			UserPoolId: userPoolId,
			Username: username,
			Password: password,
			Permanent: true,
		}),
	);
	return created.User?.Attributes?.find((a) => a.Name === "sub")
		?.Value as string;
}

/** Sets up both sides; answers the page's settings. */
export async function setUp(options: {
	idpool: string;
	userPoolEndpoint: string;
}): Promise<PageSettings> {
	const emulator = emulatorClient(options.userPoolEndpoint);
	// idpool's default keys (test/test) sign the calls that manage pools.
	const idpool = new CognitoIdentityClient({
		endpoint: options.idpool,
		region: "us-east-1",
		credentials: { accessKeyId: "test", secretAccessKey: "test" },
		maxAttempts: 1,
	});
	try {
		const { userPoolId, clientId } = await createUserPool(emulator, "example");
		for (const [username, password] of Object.entries(USERS)) {
			await createUser(emulator, userPoolId, username, password);
		}
		// Amplify names a login by its token's issuer without the scheme.
		const providerName = `${new URL(options.userPoolEndpoint).host}/${userPoolId}`;
		const pool = await idpool.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "example",
				AllowUnauthenticatedIdentities: true,
				CognitoIdentityProviders: [
					{ ProviderName: providerName, ClientId: clientId },
				],
			}),
		);
		await idpool.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: pool.IdentityPoolId,
				Roles: {
					authenticated: "arn:aws:iam::000000000000:role/Cognito_Auth",
					unauthenticated: "arn:aws:iam::000000000000:role/Cognito_Unauth",
				},
			}),
		);
		return {
			identityPoolId: pool.IdentityPoolId as string,
			identityPoolEndpoint: options.idpool,
			userPoolId,
			userPoolClientId: clientId,
			userPoolEndpoint: options.userPoolEndpoint,
		};
	} finally {
		emulator.destroy();
		idpool.destroy();
	}
}

/** The page's address with its settings. */
export function pageAddress(page: string, settings: PageSettings): string {
	return `${page}/?${new URLSearchParams({ ...settings })}`;
}

if (
	process.argv[1] &&
	resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
	const { values } = parseArgs({
		options: {
			idpool: {
				type: "string",
				default: process.env.EXAMPLE_IDPOOL || "http://127.0.0.1:8700",
			},
			"user-pool-endpoint": {
				type: "string",
				default:
					process.env.EXAMPLE_USER_POOL_ENDPOINT || "http://localhost:9229",
			},
			page: {
				type: "string",
				default: process.env.EXAMPLE_PAGE || "http://localhost:8080",
			},
		},
	});
	const settings = await setUp({
		idpool: values.idpool,
		userPoolEndpoint: values["user-pool-endpoint"],
	});
	console.log(JSON.stringify({ ...settings, users: USERS }, null, 2));
	console.log(`open ${pageAddress(values.page, settings)}`);
}

/**
 * The page without Amplify: the AWS SDK for JavaScript v3 in the browser, against idpool's
 * Cognito Identity API and its STS endpoint. Its functions ({@link sdk}) take idpool's URL
 * and answer plain JSON; the page's form calls them, and so do idpool's browser tests (as
 * `window.idpoolSdk`).
 */
import {
	CognitoIdentityClient,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-provider-cognito-identity";
import type { ParsedError, SdkApi } from "./api.ts";

/** The region of an identity pool id (`us-east-1:...`). */
function regionOf(identityPoolId: string): string {
	return identityPoolId.split(":")[0] ?? "us-east-1";
}

/** A client of idpool's Cognito Identity API: unsigned, as applications call it. */
function cognitoIdentity(
	endpoint: string,
	identityPoolId: string,
): CognitoIdentityClient {
	return new CognitoIdentityClient({
		endpoint,
		region: regionOf(identityPoolId),
		maxAttempts: 1,
	});
}

function parsed(err: unknown): ParsedError {
	const e = err as {
		name?: string;
		message?: string;
		$metadata?: { httpStatusCode?: number; requestId?: string };
	};
	return {
		name: e.name ?? "Error",
		message: e.message ?? String(err),
		httpStatusCode: e.$metadata?.httpStatusCode,
		requestId: e.$metadata?.requestId,
	};
}

export const sdk: SdkApi = {
	async guest(endpoint: string, identityPoolId: string) {
		const client = cognitoIdentity(endpoint, identityPoolId);
		const id = await client.send(
			new GetIdCommand({ IdentityPoolId: identityPoolId }),
		);
		const identityId = id.IdentityId as string;
		const answer = await client.send(
			new GetCredentialsForIdentityCommand({ IdentityId: identityId }),
		);
		return {
			identityId,
			getIdRequestId: id.$metadata.requestId,
			credentialsIdentityId: answer.IdentityId,
			accessKeyId: answer.Credentials?.AccessKeyId,
			expiration: answer.Credentials?.Expiration?.toISOString(),
		};
	},

	// The STS endpoint is idpool's own URL too.
	async whoAmI(endpoint: string, identityPoolId: string) {
		const region = regionOf(identityPoolId);
		const credentials = fromCognitoIdentityPool({
			clientConfig: { endpoint, region, maxAttempts: 1 },
			identityPoolId,
		});
		const resolved = await credentials();
		const sts = new STSClient({
			endpoint,
			region,
			credentials,
			maxAttempts: 1,
		});
		const caller = await sts.send(new GetCallerIdentityCommand({}));
		return {
			identityId: resolved.identityId,
			accessKeyId: resolved.accessKeyId,
			arn: caller.Arn,
			account: caller.Account,
			userId: caller.UserId,
		};
	},

	async failing(
		endpoint: string,
		identityPoolId: string,
	): Promise<ParsedError> {
		try {
			await cognitoIdentity(endpoint, identityPoolId).send(
				new GetIdCommand({ IdentityPoolId: identityPoolId }),
			);
		} catch (err) {
			return parsed(err);
		}
		throw new Error("the call succeeded");
	},

	async devIssuerSignIn(
		endpoint: string,
		identityPoolId: string,
		subject = "alice",
	) {
		const minted = await fetch(`${endpoint}/dev-issuer/token`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ sub: subject }),
		});
		if (!minted.ok) {
			throw new Error(`the development issuer answered ${minted.status}`);
		}
		const { id_token: idToken } = (await minted.json()) as {
			id_token: string;
		};
		// A login is named by its issuer without the scheme, as for any OpenID provider.
		const discovery = (await (
			await fetch(`${endpoint}/dev-issuer/.well-known/openid-configuration`)
		).json()) as { issuer: string };
		const providerName = discovery.issuer.replace(/^https?:\/\//, "");
		const Logins = { [providerName]: idToken };
		const client = cognitoIdentity(endpoint, identityPoolId);
		const id = await client.send(
			new GetIdCommand({ IdentityPoolId: identityPoolId, Logins }),
		);
		const identityId = id.IdentityId as string;
		const answer = await client.send(
			new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins }),
		);
		const sts = new STSClient({
			endpoint,
			region: regionOf(identityPoolId),
			credentials: {
				accessKeyId: answer.Credentials?.AccessKeyId as string,
				secretAccessKey: answer.Credentials?.SecretKey as string,
				sessionToken: answer.Credentials?.SessionToken,
			},
			maxAttempts: 1,
		});
		const caller = await sts.send(new GetCallerIdentityCommand({}));
		return { providerName, identityId, arn: caller.Arn };
	},
};

declare global {
	interface Window {
		idpoolSdk: SdkApi;
	}
}

window.idpoolSdk = sdk;

function field(id: string): string {
	return (document.getElementById(id) as HTMLInputElement).value;
}

for (const name of ["guest", "whoAmI", "failing", "devIssuerSignIn"] as const) {
	document.getElementById(name)?.addEventListener("click", async () => {
		const output = document.getElementById("output") as HTMLElement;
		output.textContent = "…";
		try {
			const result = await sdk[name](
				field("endpoint"),
				field("identityPoolId"),
			);
			output.textContent = JSON.stringify(result, null, 2);
		} catch (err) {
			output.textContent = JSON.stringify(parsed(err), null, 2);
		}
	});
}

/**
 * Test support: a stand-in for AWS STS on 127.0.0.1, for the *sts* credentials provider. It
 * answers `AssumeRoleWithWebIdentity` in STS's real XML (namespace
 * `https://sts.amazonaws.com/doc/2011-06-15/`, `<ErrorResponse>` for errors) and records every
 * request it receives (headers and form parameters). It can be told to refuse (any STS
 * error code and status), fail (5xx), answer something that is not STS's XML, hang, or drop
 * connections; closing it makes it "down" (connection refused).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** One request the double received. */
export interface StsDoubleRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	/** The form parameters of the body. */
	params: Record<string, string>;
}

/** How the double answers. */
export type StsDoubleMode =
	| { kind: "ok" }
	| { kind: "error"; status: number; code: string; message: string }
	| { kind: "raw"; status: number; body: string }
	| { kind: "hang" }
	| { kind: "drop" };

/** The credentials the double hands out in `ok` mode. */
export interface StsDoubleCredentials {
	AccessKeyId: string;
	SecretAccessKey: string;
	SessionToken: string;
	Expiration: string;
}

export interface StsDouble {
	/** `http://127.0.0.1:<port>/`. */
	readonly url: string;
	readonly requests: StsDoubleRequest[];
	/** The credentials of the last `ok` answer. */
	readonly lastCredentials: StsDoubleCredentials | undefined;
	setMode(mode: StsDoubleMode): void;
	close(): Promise<void>;
}

function xmlText(text: string): string {
	return text
		.replace(/&/g, "&amp;")
		.replace(/</g, "&lt;")
		.replace(/>/g, "&gt;")
		.replace(/"/g, "&quot;");
}

/** Starts the double on a free port. */
export async function startStsDouble(): Promise<StsDouble> {
	let mode: StsDoubleMode = { kind: "ok" };
	const requests: StsDoubleRequest[] = [];
	let lastCredentials: StsDoubleCredentials | undefined;

	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (c: Buffer) => chunks.push(c));
		req.on("end", () => {
			const params = Object.fromEntries(
				new URLSearchParams(Buffer.concat(chunks).toString("utf8")),
			);
			requests.push({
				method: req.method ?? "",
				url: req.url ?? "/",
				headers: req.headers,
				params,
			});
			const requestId = randomUUID();
			const send = (status: number, body: string) => {
				res.writeHead(status, {
					"content-type": "text/xml",
					"x-amzn-RequestId": requestId,
				});
				res.end(body);
			};
			switch (mode.kind) {
				case "hang":
					return;
				case "drop":
					req.socket.destroy();
					return;
				case "raw":
					send(mode.status, mode.body);
					return;
				case "error":
					send(
						mode.status,
						`<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${xmlText(mode.code)}</Code>\n    <Message>${xmlText(mode.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
					);
					return;
				case "ok": {
					if (params.Action !== "AssumeRoleWithWebIdentity") {
						send(
							400,
							`<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation ${xmlText(params.Action ?? "")} for version ${xmlText(params.Version ?? "")}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
						);
						return;
					}
					const duration = Number(params.DurationSeconds ?? "3600");
					const credentials: StsDoubleCredentials = {
						AccessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
						SecretAccessKey: randomBytes(30).toString("base64"),
						// Characters XML must escape, to check the reader unescapes.
						SessionToken: `FwoGZXIvYXdzE&${randomBytes(64).toString("base64")}<`,
						Expiration: new Date(
							Math.floor(Date.now() / 1000) * 1000 + duration * 1000,
						)
							.toISOString()
							.replace(/\.\d{3}Z$/, "Z"),
					};
					lastCredentials = credentials;
					const role = (params.RoleArn ?? "").split("/").pop() ?? "";
					const account = (params.RoleArn ?? "").split(":")[4] ?? "";
					// Pretty-printed, as AWS answers.
					send(
						200,
						`<AssumeRoleWithWebIdentityResponse xmlns="${NS}">
  <AssumeRoleWithWebIdentityResult>
    <Audience>us-east-1:00000000-0000-0000-0000-000000000000</Audience>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLEEXAMPLE123:${xmlText(params.RoleSessionName ?? "")}</AssumedRoleId>
      <Arn>arn:aws:sts::${xmlText(account)}:assumed-role/${xmlText(role)}/${xmlText(params.RoleSessionName ?? "")}</Arn>
    </AssumedRoleUser>
    <Provider>cognito-identity.amazonaws.com</Provider>
    <Credentials>
      <AccessKeyId>${credentials.AccessKeyId}</AccessKeyId>
      <SecretAccessKey>${xmlText(credentials.SecretAccessKey)}</SecretAccessKey>
      <SessionToken>${xmlText(credentials.SessionToken)}</SessionToken>
      <Expiration>${credentials.Expiration}</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>us-east-1:11111111-1111-1111-1111-111111111111</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`,
					);
					return;
				}
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	let closed = false;
	return {
		url: `http://127.0.0.1:${port}/`,
		requests,
		get lastCredentials() {
			return lastCredentials;
		},
		setMode(next) {
			mode = next;
		},
		async close() {
			if (closed) return;
			closed = true;
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import {
	newSessionToken,
	sessionNameOf,
} from "../../src/credentials/session-token.ts";
import { interpret } from "../../src/credentials/sts-provider.ts";
import {
	assumedRole,
	parseRoleArn,
	roleId,
} from "../../src/domain/sts-roles.ts";
import {
	contentOf,
	escapeXml,
	textOf,
	unescapeXml,
} from "../../src/lib/xml.ts";
import { isQueryRequest } from "../../src/protocol/aws-query.ts";
import { sessionTags } from "../../src/tokens/web-identity.ts";

describe("STS building blocks", () => {
	test("session tokens carry their role session name; other tokens carry none", () => {
		const token = newSessionToken("CognitoIdentityCredentials");
		assert.equal(sessionNameOf(token), "CognitoIdentityCredentials");
		assert.notEqual(newSessionToken("ab"), newSessionToken("ab"));
		assert.equal(
			sessionNameOf(newSessionToken("a@b.c=d,e+f-g_h")),
			"a@b.c=d,e+f-g_h",
		);
		// The tokens issued before names were recorded: 192 random bytes.
		assert.equal(sessionNameOf(randomBytes(192).toString("base64")), undefined);
		assert.equal(sessionNameOf("not base64 at all!"), undefined);
		assert.equal(sessionNameOf(""), undefined);
		assert.throws(() => newSessionToken("bad name"), RangeError);
	});

	test("role ARNs, role ids and assumed-role ARNs", () => {
		assert.deepEqual(
			parseRoleArn("arn:aws:iam::123456789012:role/a/b/MyRole"),
			{
				partition: "aws",
				accountId: "123456789012",
				name: "MyRole",
			},
		);
		assert.equal(parseRoleArn("arn:aws:iam::123456789012:user/Bob"), undefined);
		assert.equal(parseRoleArn("arn:aws:iam::12345:role/R"), undefined);
		assert.match(
			roleId("arn:aws:iam::123456789012:role/R"),
			/^AROA[A-Z2-7]{17}$/,
		);
		assert.equal(
			roleId("arn:aws:iam::123456789012:role/R"),
			roleId("arn:aws:iam::123456789012:role/R"),
		);
		assert.deepEqual(
			assumedRole(
				"arn:aws-cn:iam::123456789012:role/p/R",
				"s1",
				"000000000000",
			),
			{
				arn: "arn:aws-cn:sts::123456789012:assumed-role/R/s1",
				assumedRoleId: `${roleId("arn:aws-cn:iam::123456789012:role/p/R")}:s1`,
				accountId: "123456789012",
			},
		);
	});

	test("the tags claim becomes session tags", () => {
		assert.deepEqual(
			sessionTags({
				principal_tags: { a: ["1"], b: "2", c: [3], d: [] },
				transitive_tag_keys: ["a"],
			}),
			{ a: "1", b: "2" },
		);
		assert.deepEqual(sessionTags(undefined), {});
		assert.deepEqual(sessionTags({ principal_tags: "x" }), {});
		const proto = sessionTags(
			JSON.parse('{"principal_tags":{"__proto__":["x"]}}'),
		);
		assert.equal(
			Object.getOwnPropertyDescriptor(proto, "__proto__")?.value,
			"x",
		);
	});

	test("XML text round-trips; elements are found with or without a prefix", () => {
		const text = `a&b<c>"d'`;
		assert.equal(escapeXml(text), `a&amp;b&lt;c&gt;"d'`);
		assert.equal(unescapeXml(escapeXml(text)), text);
		// Characters XML cannot carry at all become U+FFFD; tab, LF, CR and paired surrogates stay.
		assert.equal(
			escapeXml("a\u0000b\u001fc\ud800d\udc00e\uffff\t\n\r\u{1f600}"),
			"a\ufffdb\ufffdc\ufffdd\ufffde\ufffd\t\n\r\u{1f600}",
		);
		assert.equal(unescapeXml("&#65;&#x42;&quot;&apos;&bogus;"), `AB"'&bogus;`);
		const xml = `<r xmlns:s="x"><s:Credentials a="1"><s:AccessKeyId> AK&amp;1 </s:AccessKeyId></s:Credentials></r>`;
		const creds = contentOf(xml, "Credentials");
		assert.ok(creds);
		assert.equal(textOf(creds, "AccessKeyId"), "AK&1");
		assert.equal(textOf(xml, "Missing"), undefined);
	});

	test("an STS answer is read into credentials or the Cognito error it means", () => {
		const ok = interpret(
			200,
			"<X><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></X>",
		);
		assert.deepEqual(ok, {
			AccessKeyId: "ASIA1",
			SecretKey: "s",
			SessionToken: "t",
			expiresAt: Date.UTC(2030, 0, 1),
		});
		assert.throws(() => interpret(200, "<X><Credentials></Credentials></X>"), {
			name: "ExternalServiceException",
		});
		assert.throws(() => interpret(403, "<ErrorResponse/>"), {
			name: "ExternalServiceException",
		});
	});

	test("STS requests are told from Cognito Identity ones", () => {
		assert.equal(
			isQueryRequest({
				headers: {
					"content-type": "application/x-www-form-urlencoded; charset=utf-8",
				},
			}),
			true,
		);
		assert.equal(
			isQueryRequest({
				headers: {
					"content-type": "application/x-www-form-urlencoded",
					"x-amz-target": "AWSCognitoIdentityService.GetId",
				},
			}),
			false,
		);
		assert.equal(
			isQueryRequest({
				headers: { "content-type": "application/x-amz-json-1.1" },
			}),
			false,
		);
		assert.equal(isQueryRequest({ headers: {} }), false);
	});
});

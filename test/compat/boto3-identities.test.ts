/**
 * Compatibility: developer-authenticated identities through boto3 (Debian's python3-boto3),
 * their tokens verified by PyJWT (Debian's python3-jwt) from the server's JWKS alone, run by
 * test/compat/boto3_identities.py against a real server. The script prints one JSON line per
 * check; each becomes a test here, so a failure names its check.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_CREDENTIAL } from "../../src/auth/credentials.ts";
import { startServer, type TestServer } from "../support/server.ts";
import {
	assertClientsInstalled,
	PYTHON,
	type RunResult,
	run,
} from "./clients.ts";

const SCRIPT = fileURLToPath(new URL("./boto3_identities.py", import.meta.url));

/** The accounts the script expects: test/test, and other/other of another account. */
const CREDENTIALS = [
	DEFAULT_CREDENTIAL,
	{
		accessKeyId: "other",
		secretAccessKey: "other",
		accountId: "111111111111",
	},
];

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"create_developer_pool",
	"openid_configuration_and_jwks",
	"token_new_user",
	"token_verified_by_pyjwt",
	"token_refused_by_pyjwt_when_wrong",
	"token_same_user_same_identity",
	"token_duration_and_principal_tags",
	"token_links_second_user_to_named_identity",
	"describe_identity",
	"lookup_by_identifier",
	"lookup_by_identity_with_pages",
	"merge_developer_identities",
	"merged_identity_is_forbidden",
	"list_identities_hide_disabled",
	"unlink_developer_identity",
	"unlink_last_login_makes_identity_inaccessible",
	"delete_identities",
	"delete_identities_of_other_region_and_account",
	"developer_user_already_registered",
	"resource_not_found",
	"identity_of_another_region_not_found",
	"not_authorized",
	"resource_conflict",
	"invalid_parameter",
	"login_limit_is_invalid_parameter",
];

interface CheckLine {
	check: string;
	ok: boolean;
	detail?: unknown;
	trace?: string;
}

describe("developer identities through boto3, tokens verified by PyJWT", () => {
	let ts: TestServer | undefined;
	let result: RunResult;
	const lines = new Map<string, CheckLine>();
	/** Output lines that are not check lines (the script prints none). */
	const stray: string[] = [];

	before(async () => {
		await assertClientsInstalled();
		const jwt = await run(PYTHON, ["-c", "import jwt; print(jwt.__version__)"]);
		assert.equal(
			jwt.code,
			0,
			`This suite needs PyJWT for ${PYTHON}, which cannot import it: \`bash .ci/run\` installs it (Debian package python3-jwt).\n${jwt.stderr}`,
		);
		ts = await startServer({ credentials: CREDENTIALS });
		result = await run(PYTHON, [SCRIPT, ts.url], { timeoutMs: 25_000 });
		for (const text of result.stdout.split("\n")) {
			if (!text.trim()) continue;
			try {
				const line = JSON.parse(text) as CheckLine;
				lines.set(line.check, line);
			} catch {
				stray.push(text);
			}
		}
	});
	after(async () => {
		await ts?.stop();
	});

	for (const name of CHECKS) {
		test(name, () => {
			const line = lines.get(name);
			assert.ok(
				line,
				`the script printed no line for ${name} (exit ${result.code}):\n${result.stderr}`,
			);
			assert.equal(
				line.ok,
				true,
				`${name}: ${JSON.stringify(line.detail)}${line.trace ? `\n${line.trace}` : ""}`,
			);
		});
	}

	test("the script ran exactly these checks and exited 0", () => {
		assert.deepEqual(stray, [], "lines that are not checks");
		assert.deepEqual([...lines.keys()], CHECKS);
		assert.equal(result.code, 0, result.stderr);
	});
});

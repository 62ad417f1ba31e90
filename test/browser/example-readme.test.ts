/**
 * The "Run it" block of examples/amplify-browser/README.md, run as the README says, end to
 * end: its four commands are read from the README (a change there changes what runs), run
 * from a folder that stands for the repository's root, each as in a terminal of its own (the
 * three servers in the background, in process groups of their own; the setup to its end),
 * and the address the setup printed is opened in Chromium and used as the paragraph after the
 * block says: a guest's **Session**, then alice's, bob's.
 *
 * The root's stand-in, a temporary folder, links every entry of the repository but
 * `examples/`, where the example is a copy (its scripts build into their own folder), and
 * the commands' own data (cognito-local's `.cognito/`, idpool's `.idpool/`): a run starts
 * from nothing and writes nothing into the checkout.
 *
 * Ports: the commands name none; their comments name the addresses where the servers answer
 * (`localhost:9229`, `127.0.0.1:8700`, `localhost:8080`), which are the programs' defaults. The
 * run uses them when that is safe (free on the machine, outside the kernel's range of
 * ephemeral ports, from which every other test takes its ports, and no other run of this file
 * holds them); else each address of the block is mapped to a free port, and the commands
 * still run as written, told by the variables their programs read (`PORT` for cognito-local,
 * `IDPOOL_PORT` for idpool, `EXAMPLE_*` for the example's scripts), with the configuration
 * file they name (idpool.json) rewritten by the same table. Either way, a server counts as
 * started only once it answers at its address and its own output says it listens on that
 * port: a port taken by another program cannot pass for it.
 */
import assert from "node:assert/strict";
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { useBrowser } from "../support/chromium.ts";
import { codeBlocks, sectionText } from "../support/docs.ts";
import {
	callerOf,
	loginsOf,
	showSession,
	signInWithForm,
	signOutWithButton,
} from "../support/example-page.ts";
import { type GroupProcess, startGroup } from "../support/process-group.ts";
import { freePort } from "../support/sockets.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const EXAMPLE = "examples/amplify-browser";
const README = `${EXAMPLE}/README.md`;

/** How long a server may take to answer, or the setup to finish (npx, tsx, esbuild). */
const STEP_TIMEOUT_MS = 90_000;

const AUTH_ARN =
	"arn:aws:sts::000000000000:assumed-role/Cognito_Auth/CognitoIdentityCredentials";
const UNAUTH_ARN =
	"arn:aws:sts::000000000000:assumed-role/Cognito_Unauth/CognitoIdentityCredentials";

/**
 * The commands the block must hold, in this order (the start of each: the rest runs as the
 * README writes it), and, for a server, what answers that it is up at the address its
 * comment names.
 */
const EXPECTED: readonly {
	start: string;
	server?: { path: string; html: boolean };
}[] = [
	{ start: "npx cognito-local", server: { path: "/health", html: false } },
	{
		start: "npx tsx src/bin/idpool.ts serve ",
		server: { path: "/health", html: false },
	},
	{ start: "npx tsx examples/amplify-browser/setup.ts" },
	{
		start: "npx tsx examples/amplify-browser/serve.ts",
		server: { path: "/", html: true },
	},
];

/**
 * Every address the block (and the configuration file it names) may name, and how the
 * commands learn another port for it: the variables their programs read.
 */
const MOVABLE: Record<string, (port: number) => Record<string, string>> = {
	// cognito-local's own variable; the example's setup.ts.
	"localhost:9229": (port) => ({
		PORT: String(port),
		EXAMPLE_USER_POOL_ENDPOINT: `http://localhost:${port}`,
	}),
	// idpool's own variable (it wins over a configuration file's port); setup.ts.
	"127.0.0.1:8700": (port) => ({
		IDPOOL_PORT: String(port),
		EXAMPLE_IDPOOL: `http://127.0.0.1:${port}`,
	}),
	// The page: setup.ts prints its address, serve.ts listens there.
	"localhost:8080": (port) => ({ EXAMPLE_PAGE: `http://localhost:${port}` }),
};

const ADDRESS = /\b(?:localhost|127\.0\.0\.1):(\d+)\b/g;

/** One command of the block, with the comment lines above it. */
interface Command {
	text: string;
	comment: string;
}

/** The commands of the section's one shell block (its lines that are not comments). */
function blockCommands(code: string): Command[] {
	const commands: Command[] = [];
	let comment: string[] = [];
	for (const raw of code.split("\n")) {
		const line = raw.trim();
		if (line === "") continue;
		if (line.startsWith("#")) {
			comment.push(line);
			continue;
		}
		commands.push({ text: line, comment: comment.join("\n") });
		comment = [];
	}
	return commands;
}

/** The addresses `text` names (`localhost:9229`, `127.0.0.1:8700`, ...), in order, once each. */
function addressesIn(text: string): string[] {
	return [...new Set([...text.matchAll(ADDRESS)].map((m) => m[0]))];
}

/** The `*.json` files a command names: the configuration files it reads. */
function filesNamed(command: string): string[] {
	return command.split(/\s+/).filter((word) => /^[\w./-]+\.json$/.test(word));
}

/** Whether `port` can be listened on, on 127.0.0.1 and on ::1 (where the machine has it). */
async function portFree(port: number): Promise<boolean> {
	for (const host of ["127.0.0.1", "::1"]) {
		const outcome = await new Promise<string>((done) => {
			const probe = net.createServer();
			probe.once("error", (err: NodeJS.ErrnoException) =>
				done(err.code ?? "error"),
			);
			probe.listen({ port, host, exclusive: true }, () =>
				probe.close(() => done("free")),
			);
		});
		// A machine without IPv6 on loopback has no ::1 to take.
		if (outcome !== "free" && !(host === "::1" && outcome === "EADDRNOTAVAIL"))
			return false;
	}
	return true;
}

/** The kernel's range of ephemeral ports (where freePort() and clients take theirs). */
function ephemeralPorts(): [number, number] | undefined {
	try {
		const [low, high] = readFileSync(
			"/proc/sys/net/ipv4/ip_local_port_range",
			"utf8",
		)
			.trim()
			.split(/\s+/)
			.map(Number);
		return low && high ? [low, high] : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Takes the README's ports for this process: a lock file in the temporary folder holding its
 * process id (one left by a process that is gone is taken over). Answers its release, or
 * undefined when another run of this file holds them.
 */
function lockReadmePorts(): (() => void) | undefined {
	const path = join(tmpdir(), "idpool-example-readme-ports.lock");
	const alive = (pid: number) => {
		try {
			process.kill(pid, 0);
			return true;
		} catch (err) {
			return (err as NodeJS.ErrnoException).code === "EPERM";
		}
	};
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			writeFileSync(path, String(process.pid), { flag: "wx" });
			return () => {
				try {
					if (readFileSync(path, "utf8") === String(process.pid)) rmSync(path);
				} catch {}
			};
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
		}
		let holder = 0;
		try {
			holder = Number(readFileSync(path, "utf8"));
		} catch {}
		// A file without a process id may be one being written: held, then.
		if (!(holder > 0) || alive(holder)) return undefined;
		rmSync(path, { force: true });
	}
	return undefined;
}

/** The ports the run uses for the README's: the same ones when safe, else free ones. */
async function choosePorts(readme: number[]): Promise<{
	ports: Map<number, number>;
	why: string;
	release: () => void;
}> {
	const release = lockReadmePorts();
	const range = ephemeralPorts();
	let why: string;
	if (!release) why = "another run of this file holds them";
	else if (!range) why = "the kernel's range of ephemeral ports is unknown";
	else {
		const inRange = readme.filter((p) => p >= range[0] && p <= range[1]);
		const taken: number[] = [];
		for (const port of readme) if (!(await portFree(port))) taken.push(port);
		if (inRange.length === 0 && taken.length === 0) {
			return {
				ports: new Map(readme.map((p) => [p, p])),
				why: "the README's ports: free, and no test takes them",
				release,
			};
		}
		why =
			taken.length > 0
				? `taken on this machine: ${taken.join(", ")}`
				: `among the ephemeral ports, which other tests take: ${inRange.join(", ")}`;
	}
	release?.();
	const ports = new Map<number, number>();
	const used = new Set<number>();
	for (const port of readme) {
		for (let attempt = 0; ; attempt++) {
			const free = await freePort();
			if (!used.has(free) && (await portFree(free))) {
				ports.set(port, free);
				used.add(free);
				break;
			}
			assert.ok(attempt < 20, "no free port found");
		}
	}
	return { ports, why: `free ports (${why})`, release: () => {} };
}

/**
 * Makes the folder that stands for the repository's root: a link to each of its entries but
 * `examples/` (made afresh, the example copied into it without its `dist/`) and the commands'
 * own data (`.cognito/`, `.idpool/`).
 */
function standInRoot(): string {
	const dir = mkdtempSync(join(tmpdir(), "idpool-example-readme-"));
	const own = new Set(["examples", ".cognito", ".idpool", ".git"]);
	for (const name of readdirSync(ROOT)) {
		if (!own.has(name)) symlinkSync(join(ROOT, name), join(dir, name));
	}
	mkdirSync(join(dir, "examples"));
	for (const name of readdirSync(join(ROOT, "examples"))) {
		const from = join(ROOT, "examples", name);
		if (`examples/${name}` !== EXAMPLE) {
			symlinkSync(from, join(dir, "examples", name));
		}
	}
	cpSync(join(ROOT, EXAMPLE), join(dir, EXAMPLE), {
		recursive: true,
		filter: (from) =>
			!["dist", "node_modules"].includes(
				relative(join(ROOT, EXAMPLE), from).split("/")[0] as string,
			),
	});
	return dir;
}

/**
 * The environment of the commands: the test's, without what would steer them otherwise
 * (AWS, idpool and the example's variables, npm's and Node's settings, `PORT`, `HOST`), with
 * this Node.js first on PATH and npx kept to the repository's own packages (no registry).
 */
function commandEnvironment(
	bindings: Record<string, string>,
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (value === undefined) continue;
		if (/^(AWS_|IDPOOL_|EXAMPLE_|npm_|NODE_)/i.test(name)) continue;
		if (["PORT", "HOST", "INIT_CWD"].includes(name)) continue;
		env[name] = value;
	}
	return {
		...env,
		PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
		npm_config_yes: "false",
		npm_config_offline: "true",
		npm_config_update_notifier: "false",
		npm_config_fund: "false",
		...bindings,
	};
}

/** `text` without the colours of cognito-local's log (it colours off a terminal too). */
const plain = (text: string) =>
	// biome-ignore lint/suspicious/noControlCharactersInRegex: the escapes are what it removes
	text.replace(/\x1b\[[0-9;]*m/g, "");

/**
 * Resolves once `url` answers as a server of `kind` answers, and the process's own output
 * says it listens on the port of `url`; rejects when the process exits first, or in time.
 */
async function answering(
	proc: GroupProcess,
	url: string,
	kind: { path: string; html: boolean },
): Promise<void> {
	const port = new URL(url).port;
	const banner = new RegExp(
		`\\b(?:running on|listening on|is at) https?://\\S+?:${port}\\b`,
	);
	const deadline = performance.now() + STEP_TIMEOUT_MS;
	let last = "no answer yet";
	while (performance.now() < deadline) {
		if (!proc.running()) {
			throw new Error(
				`\`${proc.command}\` exited (${await proc.exited}):\n${plain(proc.output())}`,
			);
		}
		try {
			const answer = await fetch(`${url}${kind.path}`, {
				signal: AbortSignal.timeout(5_000),
			});
			const type = answer.headers.get("content-type") ?? "";
			await answer.arrayBuffer();
			last = `${answer.status} ${type}`;
			if (
				answer.status === 200 &&
				(!kind.html || type.startsWith("text/html")) &&
				banner.test(plain(proc.output()))
			) {
				return;
			}
		} catch (err) {
			last = String(err);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(
		`\`${proc.command}\` did not answer at ${url}${kind.path} with its banner in time (last: ${last}):\n${plain(proc.output())}`,
	);
}

/** Runs `command` to its end; answers its standard output, or fails with all it printed. */
async function runToEnd(
	command: string,
	options: { cwd: string; env: NodeJS.ProcessEnv },
	started: GroupProcess[],
): Promise<string> {
	const proc = startGroup(command, options);
	started.push(proc);
	let timer: NodeJS.Timeout | undefined;
	const code = await Promise.race([
		proc.exited,
		new Promise<"timeout">((done) => {
			timer = setTimeout(() => done("timeout"), STEP_TIMEOUT_MS);
		}),
	]);
	clearTimeout(timer);
	await proc.stop();
	assert.equal(
		code,
		0,
		`\`${command}\` ended with ${code}:\n${plain(proc.output())}`,
	);
	return proc.stdout();
}

describe(`${README}, "Run it": its commands as written, then its page in Chromium`, () => {
	const browser = useBrowser({ serve: false });
	/** Everything started, stopped in `after` whatever happened. */
	const started: GroupProcess[] = [];
	/** The block's servers, as started. */
	const servers: GroupProcess[] = [];
	let root: string | undefined;
	let releasePorts = () => {};
	after(async () => {
		const failures: unknown[] = [];
		for (const proc of started.reverse()) {
			await proc.stop().catch((err: unknown) => failures.push(err));
		}
		releasePorts();
		if (root) rmSync(root, { recursive: true, force: true });
		if (failures.length > 0) throw failures[0];
	});

	let commands: Command[] = [];
	/** The paragraph after the block. */
	let paragraph = "";
	/** The README's addresses, and those the run uses for them. */
	const addresses = new Map<string, string>();
	let env: NodeJS.ProcessEnv = {};
	/** The text with the README's addresses replaced by the run's. */
	const localize = (text: string) =>
		text.replace(ADDRESS, (address) => addresses.get(address) ?? address);
	/** What step 3 printed: the page's address. */
	let printed: URL | undefined;

	test("the block holds the four commands expected, in order; the servers' comments name their addresses", async (t) => {
		const blocks = codeBlocks(README, "Run it");
		assert.deepEqual(
			blocks.map((b) => b.lang),
			["sh"],
			"one sh block in the section",
		);
		const block = blocks[0]?.code ?? "";
		commands = blockCommands(block);
		assert.deepEqual(
			commands.map((c, i) => c.text.startsWith(EXPECTED[i]?.start ?? "\0")),
			EXPECTED.map(() => true),
			`the commands, in order, start with:\n${EXPECTED.map((e) => e.start).join("\n")}\nthey are:\n${commands.map((c) => c.text).join("\n")}`,
		);
		commands.forEach((command, i) => {
			if (!EXPECTED[i]?.server) return;
			assert.equal(
				addressesIn(command.comment).length,
				1,
				`the comment of \`${command.text}\` names the one address it answers at`,
			);
		});
		const section = sectionText(README, "Run it");
		paragraph = section.slice(section.indexOf(block) + block.length);

		// Every address named, by the block or by the files its commands read, is one the
		// test can move to another port.
		// (Those files are the example's, whose copy the run may rewrite.)
		const files = commands.flatMap((c) => filesNamed(c.text));
		for (const file of files) {
			assert.ok(file.startsWith(`${EXAMPLE}/`), `${file} is the example's`);
			assert.ok(existsSync(join(ROOT, file)), `${file} exists`);
		}
		const named = addressesIn(
			[block, ...files.map((f) => readFileSync(join(ROOT, f), "utf8"))].join(
				"\n",
			),
		);
		assert.deepEqual(
			named.filter((address) => !MOVABLE[address]),
			[],
			`addresses the test can move: ${Object.keys(MOVABLE).join(", ")}`,
		);
		const chosen = await choosePorts(
			named.map((a) => Number(a.slice(a.lastIndexOf(":") + 1))),
		);
		releasePorts = chosen.release;
		t.diagnostic(`ports: ${chosen.why}`);
		const bindings: Record<string, string> = {};
		for (const address of named) {
			const colon = address.lastIndexOf(":");
			const port = chosen.ports.get(Number(address.slice(colon + 1))) as number;
			addresses.set(address, `${address.slice(0, colon)}:${port}`);
			if (addresses.get(address) !== address) {
				Object.assign(bindings, MOVABLE[address]?.(port));
			}
			t.diagnostic(`${address} -> ${addresses.get(address)}`);
		}
		env = commandEnvironment(bindings);
		root = standInRoot();
		for (const file of files) {
			const path = join(root, file);
			writeFileSync(path, localize(readFileSync(path, "utf8")));
		}
	});

	/** Starts the block's command `i` in the background; resolves once it answers. */
	async function serve(i: number): Promise<void> {
		const command = commands[i];
		const kind = EXPECTED[i]?.server;
		assert.ok(command && kind && root, "the block was read");
		const url = `http://${localize(addressesIn(command.comment)[0] as string)}`;
		const proc = startGroup(localize(command.text), { cwd: root, env });
		started.push(proc);
		servers.push(proc);
		await answering(proc, url, kind);
	}

	test("1. the user-pool emulator answers at the address its comment names", () =>
		serve(0));

	test("2. idpool answers at the address its comment names", () => serve(1));

	test("3. the setup runs to its end and prints the settings and the page's address", async () => {
		const command = commands[2];
		assert.ok(command && root, "the block was read");
		const out = await runToEnd(
			localize(command.text),
			{ cwd: root, env },
			started,
		);
		const match = /^([\s\S]*)\nopen (\S+)\n$/.exec(out);
		assert.ok(match, `it printed the settings, then the address:\n${out}`);
		const settings = JSON.parse(match[1] as string) as Record<string, unknown>;
		printed = new URL(match[2] as string);
		// The address has the form the paragraph after the block shows, on the run's ports.
		const shown = /`(https?:\/\/[^`]+)`/.exec(paragraph)?.[1];
		assert.ok(shown, "the paragraph after the block shows the page's address");
		const form = new RegExp(
			`^${localize(shown)
				.split("...")
				.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
				.join("[^&]+")}`,
		);
		assert.match(printed.href, form);
		// ...and the settings printed are those of the address, with the servers of steps 1
		// and 2 where their comments say.
		const query = Object.fromEntries(printed.searchParams);
		const { users, ...pageSettings } = settings;
		assert.deepEqual(query, pageSettings);
		assert.ok(users, "the users are printed");
		assert.equal(
			query.userPoolEndpoint,
			`http://${localize(addressesIn(commands[0]?.comment ?? "")[0] ?? "")}`,
		);
		assert.equal(
			query.identityPoolEndpoint,
			`http://${localize(addressesIn(commands[1]?.comment ?? "")[0] ?? "")}`,
		);
	});

	test("4. the page is served at the address its comment names", async () => {
		await serve(3);
		assert.ok(printed, "step 3 printed the page's address");
		assert.equal(
			printed.origin,
			`http://${localize(addressesIn(commands[3]?.comment ?? "")[0] ?? "")}`,
		);
	});

	/** The users the paragraph signs in with: `[username, password]`, alice's first. */
	function usersOfParagraph(): [string, string][] {
		const alice =
			/sign in as `([^`]+)`\s*\(password `([^`]+)`\)/.exec(paragraph) ?? [];
		const bob = /\bas `([^`]+@[^`]+)`\s*\(`([^`]+)`\)/.exec(paragraph) ?? [];
		assert.ok(alice[1] && alice[2], "the paragraph names a user and password");
		assert.ok(bob[1] && bob[2], "the paragraph names another user");
		return [
			[alice[1], alice[2]],
			[bob[1], bob[2]],
		];
	}

	test("the address step 3 printed, in Chromium: Session answers a guest's identity and credentials", async () => {
		assert.ok(printed, "step 3 printed the page's address");
		const endpoint = printed.searchParams.get("identityPoolEndpoint") as string;
		const guest = await browser.withPage(printed.href, showSession);
		assert.match(guest.identityId ?? "", /^us-east-1:[0-9a-f-]{36}$/);
		assert.equal(guest.signedIn, false);
		assert.match(guest.credentials?.accessKeyId ?? "", /^ASIA/);
		assert.equal(await callerOf(endpoint, guest), UNAUTH_ARN);
	});

	test("signed in as the paragraph's users: authenticated credentials of their identities, the same one again after signing out and in", async () => {
		assert.ok(printed, "step 3 printed the page's address");
		const [[alice, alicePassword], [bob, bobPassword]] = usersOfParagraph() as [
			[string, string],
			[string, string],
		];
		const endpoint = printed.searchParams.get("identityPoolEndpoint") as string;
		const providerName = `${new URL(printed.searchParams.get("userPoolEndpoint") as string).host}/${printed.searchParams.get("userPoolId")}`;
		const idpool = new CognitoIdentityClient({
			endpoint,
			region: "us-east-1",
			credentials: { accessKeyId: "test", secretAccessKey: "test" },
			maxAttempts: 1,
		});
		try {
			await browser.withPage((printed as URL).href, async (page) => {
				const signedIn = await signInWithForm(page, alice, alicePassword);
				assert.equal(signedIn.signedIn, true);
				// **Session** answers authenticated credentials of alice's identity.
				const session = await showSession(page);
				assert.equal(session.signedIn, true);
				assert.equal(session.userSub, signedIn.userSub);
				assert.match(session.identityId ?? "", /^us-east-1:/);
				assert.equal(session.identityId, signedIn.identityId);
				assert.equal(await callerOf(endpoint, session), AUTH_ARN);
				assert.deepEqual(await loginsOf(idpool, session.identityId), [
					providerName,
				]);

				await signOutWithButton(page);
				const guest = await showSession(page);
				assert.equal(guest.signedIn, false);
				assert.notEqual(guest.identityId, session.identityId);
				const again = await signInWithForm(page, alice, alicePassword);
				assert.equal(again.identityId, session.identityId);

				await signOutWithButton(page);
				await signInWithForm(page, bob, bobPassword);
				const other = await showSession(page);
				assert.equal(other.signedIn, true);
				assert.notEqual(other.userSub, session.userSub);
				assert.notEqual(other.identityId, session.identityId);
				assert.equal(await callerOf(endpoint, other), AUTH_ARN);
				assert.deepEqual(await loginsOf(idpool, other.identityId), [
					providerName,
				]);
			});
		} finally {
			idpool.destroy();
		}
	});

	test("the three servers ran until the end", () => {
		assert.equal(servers.length, 3);
		for (const proc of servers) {
			assert.ok(proc.running(), `\`${proc.command}\` is still running`);
		}
	});
});

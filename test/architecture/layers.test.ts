/**
 * The rules of docs/architecture.md, checked against the code: which folder of `src/` may
 * import which, no cycle between folders, and the few things only one place may touch (the
 * HTTP framework, the database drivers, the file system, the environment, the wall clock).
 * It reads the sources as text (every static `import ... from "..."` and `export ... from`,
 * and every `import("...")`), so a new import that breaks a rule fails here.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "../../src");

/**
 * What each folder of `src/` may import besides itself, from the top of the stack down
 * (docs/architecture.md draws the same table). `store/sqlite` and the like are folders of
 * their own; `store` is the port.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
	bin: ["cli"],
	// The programmatic entry point of the package: `idpool serve` without a command line.
	api: ["cli", "server", "config", "auth"],
	cli: ["server", "config", "auth", "domain", "lib", "errors"],
	server: [
		"config",
		"metrics",
		"dispatch",
		"protocol",
		"auth",
		"operations",
		"credentials",
		"federation",
		"tokens",
		"domain",
		"store",
		"store/sqlite",
		"store/postgres",
		"model",
		"errors",
		"lib",
	],
	// The metrics on prom-client: the dispatcher's observer, a timing view of the store.
	metrics: ["dispatch", "store", "domain", "lib"],
	// The pools of a configuration file are checked as the operations check their input.
	config: [
		"dispatch",
		"protocol",
		"federation",
		"domain",
		"model",
		"errors",
		"lib",
	],
	dispatch: ["protocol", "auth", "operations", "model", "errors", "lib"],
	protocol: ["operations", "model", "errors", "lib"],
	auth: ["operations", "domain", "store", "errors", "lib"],
	operations: [
		"credentials",
		"federation",
		"tokens",
		"domain",
		"store",
		"model",
		"errors",
		"lib",
	],
	credentials: ["tokens", "domain", "store", "errors", "lib"],
	federation: ["domain", "errors", "lib"],
	tokens: ["domain", "store", "errors", "lib"],
	domain: ["errors", "lib"],
	store: ["domain"],
	"store/sql": ["store", "domain"],
	"store/sqlite": ["store", "store/sql", "domain", "errors", "lib"],
	"store/postgres": ["store", "store/sql", "domain", "errors", "lib"],
	model: [],
	errors: [],
	lib: [],
};

/**
 * Packages and built-ins that only some places may import, and the places (a folder, or one
 * file) allowed to.
 */
const RESTRICTED_MODULES: Readonly<Record<string, readonly string[]>> = {
	fastify: ["server/http.ts"],
	"@fastify/cors": ["server/http.ts"],
	"better-sqlite3": ["store/sqlite"],
	pg: ["store/postgres"],
	"prom-client": ["metrics/prometheus.ts"],
	// Data lives in the store; files are read only for configuration and by the SQLite engine.
	"node:fs": [
		"cli",
		"config",
		"store/sqlite",
		// Reads /proc to find the thread pool's threads.
		"lib/thread-pool-priority.ts",
		// Reads the console's built files once, when a server that serves it is made.
		"server/console.ts",
		// Reads the package's version from its package.json once.
		"lib/version.ts",
	],
};

/** Source text that only some places may contain, and where. */
const RESTRICTED_TEXT: readonly {
	what: string;
	pattern: RegExp;
	allowed: readonly string[];
}[] = [
	{
		what: "the environment (process.env)",
		pattern: /\bprocess\.env\b/,
		allowed: ["bin", "cli", "config"],
	},
	{
		what: "the wall clock (Date.now(), new Date() without arguments)",
		pattern: /\bDate\.now\(\)|new Date\(\)/,
		allowed: ["lib/clock.ts"],
	},
];

interface SourceFile {
	/** Path under src/, with `/`. */
	path: string;
	folder: string;
	text: string;
	/** Everything it imports: relative imports resolved under src/, bare ones as written. */
	imports: { spec: string; target?: string }[];
}

function folderOf(path: string): string {
	const parts = path.split("/");
	if (parts[0] === "store" && parts.length > 2) return `store/${parts[1]}`;
	return parts.length > 1 ? (parts[0] as string) : ".";
}

/** The source files of src/, tests left out. */
function sources(dir = SRC): SourceFile[] {
	const files: SourceFile[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = join(dir, entry.name);
		if (entry.isDirectory()) {
			files.push(...sources(full));
			continue;
		}
		if (!entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) {
			continue;
		}
		const path = relative(SRC, full).split("\\").join("/");
		const text = readFileSync(full, "utf8");
		// Comments are not code: a rule names what it forbids in its own comments.
		const code = text
			.replace(/\/\*[\s\S]*?\*\//g, "")
			.replace(/(^|[^:])\/\/.*$/gm, "$1");
		const imports = [
			...code.matchAll(
				/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*"([^"]+)"/g,
			),
			...code.matchAll(/(?:^|\n)\s*import\s*"([^"]+)"/g),
			...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
		].map((m) => {
			const spec = m[1] as string;
			if (!spec.startsWith(".")) return { spec };
			const target = normalize(join(dirname(path), spec))
				.split("\\")
				.join("/");
			return { spec, target };
		});
		files.push({ path, folder: folderOf(path), text: code, imports });
	}
	return files;
}

const FILES = sources();

function allowedAt(path: string, places: readonly string[]): boolean {
	return places.some((place) => path === place || path.startsWith(`${place}/`));
}

describe("architecture: the layer rules of docs/architecture.md", () => {
	test("every folder of src/ is in the table", () => {
		const folders = new Set(FILES.map((f) => f.folder));
		folders.delete(".");
		assert.deepEqual(
			[...folders].filter((f) => !(f in ALLOWED)).sort(),
			[],
			"a new folder needs its row in ALLOWED and in docs/architecture.md",
		);
	});

	test("each folder imports only the folders below it", () => {
		const breaches: string[] = [];
		for (const file of FILES) {
			for (const { spec, target } of file.imports) {
				if (target === undefined) continue;
				const to = folderOf(target);
				if (to === file.folder) continue;
				if (!(ALLOWED[file.folder] ?? []).includes(to)) {
					breaches.push(
						`${file.path} imports ${spec} (${file.folder} → ${to})`,
					);
				}
			}
		}
		assert.deepEqual(breaches, []);
	});

	test("no cycle between folders", () => {
		const edges = new Map<string, Set<string>>();
		for (const file of FILES) {
			for (const { target } of file.imports) {
				if (target === undefined) continue;
				const to = folderOf(target);
				if (to === file.folder) continue;
				const out = edges.get(file.folder) ?? new Set<string>();
				edges.set(file.folder, out);
				out.add(to);
			}
		}
		const state = new Map<string, "open" | "done">();
		const cycles: string[] = [];
		const visit = (node: string, path: string[]) => {
			if (state.get(node) === "done") return;
			if (state.get(node) === "open") {
				cycles.push([...path.slice(path.indexOf(node)), node].join(" → "));
				return;
			}
			state.set(node, "open");
			for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
			state.set(node, "done");
		};
		for (const node of edges.keys()) visit(node, []);
		assert.deepEqual(cycles, []);
	});

	test("frameworks, drivers and the file system stay where they belong", () => {
		const breaches: string[] = [];
		for (const file of FILES) {
			for (const { spec } of file.imports) {
				const places = RESTRICTED_MODULES[spec];
				if (places && !allowedAt(file.path, places)) {
					breaches.push(`${file.path} imports ${spec}`);
				}
			}
		}
		assert.deepEqual(breaches, []);
	});

	for (const rule of RESTRICTED_TEXT) {
		test(`only ${rule.allowed.join(", ")} read ${rule.what}`, () => {
			const breaches = FILES.filter(
				(f) => rule.pattern.test(f.text) && !allowedAt(f.path, rule.allowed),
			).map((f) => f.path);
			assert.deepEqual(breaches, []);
		});
	}

	test("the scan sees imports (it would not pass vacuously)", () => {
		const server = FILES.find((f) => f.path === "server/create-server.ts");
		assert.ok(
			server?.imports.some((i) => i.target === "dispatch/dispatcher.ts"),
		);
		const open = FILES.find((f) => f.path === "server/open-store.ts");
		assert.ok(
			open?.imports.some(
				(i) => i.target === "store/postgres/postgres-store.ts",
			),
			"dynamic imports are read",
		);
		assert.ok(FILES.length > 80);
	});
});

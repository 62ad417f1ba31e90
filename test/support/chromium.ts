/**
 * Test support: Debian's Chromium (`/usr/bin/chromium`, installed by .ci/run), driven by
 * playwright-core, and the example of examples/amplify-browser built and served from an
 * origin of its own. One Chromium per `describe` ({@link useBrowser}); each test gets a fresh
 * context (its own storage) on it.
 *
 * Playwright's request interception (`route()`) is never used: with it on, Playwright answers
 * CORS pre-flights itself, and what these tests check is the server's own answers as the
 * browser judges them.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { type ServedExample, serveExample } from "./example.ts";

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, without the sandbox (containers), and without any traffic of its own. */
const CHROMIUM_ARGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
];

/** Launches Debian's Chromium, headless, with {@link CHROMIUM_ARGS}. */
export function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
	});
}

/** A browser and the example's pages, for the tests of one `describe`. */
export interface BrowserFixture {
	/** The origin of the example's pages: `http://localhost:<port>`, never idpool's. */
	readonly pages: string;
	/**
	 * Opens `path` of the example (or `path` itself, when it is a whole `http://` address) in
	 * a fresh context (empty storage) and runs `body` with the page; closes the context
	 * afterwards. Messages the page logged are added to a failure's message.
	 */
	withPage<T>(path: string, body: (page: Page) => Promise<T>): Promise<T>;
}

/**
 * Builds the example into a temporary folder and serves it, with its own `serve.ts`, on
 * `localhost` and a free port (an origin other than idpool's `127.0.0.1`), and launches
 * Chromium (Playwright gives it a fresh temporary profile); all of it stopped and removed
 * after the tests of the enclosing `describe`. With `serve: false`, Chromium only: the
 * tests open whole addresses of pages served otherwise.
 */
export function useBrowser(options: { serve?: boolean } = {}): BrowserFixture {
	const serve = options.serve ?? true;
	let dir: string | undefined;
	let served: ServedExample | undefined;
	let browser: Browser | undefined;
	before(async () => {
		if (serve) dir = mkdtempSync(join(tmpdir(), "idpool-browser-"));
		await Promise.all([
			dir &&
				serveExample(join(dir, "site")).then((s) => {
					served = s;
				}),
			launchChromium().then((b) => {
				browser = b;
			}),
		]);
	});
	after(async () => {
		await browser?.close();
		await served?.stop();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});
	return {
		get pages() {
			if (!served) throw new Error("the example is not served yet");
			return served.url;
		},
		async withPage(path, body) {
			if (!browser) throw new Error("the browser is not running");
			const whole = /^https?:\/\//.test(path);
			if (!whole && !served) throw new Error("the example is not served");
			const address = whole ? path : `${served?.url}${path}`;
			const context = await browser.newContext();
			const logged: string[] = [];
			try {
				const page = await context.newPage();
				page.on("console", (m) => logged.push(`${m.type()}: ${m.text()}`));
				page.on("pageerror", (e) => logged.push(`page error: ${e.message}`));
				await page.goto(address);
				return await body(page);
			} catch (err) {
				if (err instanceof Error && logged.length > 0) {
					err.message += `\nthe page logged:\n${logged.join("\n")}`;
				}
				throw err;
			} finally {
				await context.close();
			}
		},
	};
}

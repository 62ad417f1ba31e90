/**
 * Test support: raw TCP connections to a running server, for what no HTTP client sends (a
 * malformed request, a body trickled or cut short, a connection left idle), and a parser of
 * the HTTP/1.1 answers that come back on them.
 */
import net from "node:net";

/** One HTTP/1.1 answer read off a raw connection. */
export interface SocketAnswer {
	status: number;
	/** Header names in lower case. */
	headers: Record<string, string>;
	body: string;
	/** The body parsed as JSON, when it is JSON. */
	json: Record<string, unknown> | undefined;
}

/** A raw connection to a server. */
export interface Connection {
	readonly socket: net.Socket;
	/** Writes bytes; false once the connection is gone. */
	write(data: string | Buffer): boolean;
	/** Everything the server sent so far. */
	received(): string;
	/** Settles when the connection is closed (by either side). */
	readonly closed: Promise<void>;
	/** Whether the connection is closed. */
	isClosed(): boolean;
	/** Resolves once the server's bytes hold a whole answer (or the connection closed). */
	answered(): Promise<SocketAnswer | undefined>;
	/** Closes the connection at once. */
	destroy(): void;
}

/** Opens a TCP connection to the server at `url`. */
export function connect(url: string): Promise<Connection> {
	const u = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = net.connect(Number(u.port), u.hostname);
		let received = "";
		let closed = false;
		let onChange = () => {};
		const closedPromise = new Promise<void>((done) => {
			socket.on("close", () => {
				closed = true;
				onChange();
				done();
			});
		});
		socket.on("data", (d) => {
			received += d.toString("latin1");
			onChange();
		});
		// A reset is a way of being closed; the test looks at what arrived.
		socket.on("error", () => {});
		socket.once("connect", () =>
			resolve({
				socket,
				write: (data) => !closed && socket.write(data),
				received: () => received,
				closed: closedPromise,
				isClosed: () => closed,
				answered() {
					return new Promise((done) => {
						const check = () => {
							const answer = parseAnswer(received);
							if (answer || closed) {
								onChange = () => {};
								done(answer);
							}
						};
						onChange = check;
						check();
					});
				},
				destroy: () => socket.destroy(),
			}),
		);
		socket.once("error", reject);
	});
}

/**
 * Sends `data` on a new connection (then half-closes it, with `end`) and answers what the
 * server sent back once it has answered and closed the connection, or after `waitMs`.
 */
export async function exchange(
	url: string,
	data: string | Buffer,
	options: { end?: boolean; waitMs?: number } = {},
): Promise<{ answer: SocketAnswer | undefined; closed: boolean }> {
	const c = await connect(url);
	c.write(data);
	if (options.end) c.socket.end();
	await Promise.race([c.closed, delay(options.waitMs ?? 5000)]);
	const closed = c.isClosed();
	c.destroy();
	return { answer: parseAnswer(c.received()), closed };
}

/** The first whole answer in `text`, or undefined while it is incomplete. */
export function parseAnswer(text: string): SocketAnswer | undefined {
	const end = text.indexOf("\r\n\r\n");
	if (end < 0) return undefined;
	const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
	const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
	const headers: Record<string, string> = {};
	for (const line of lines) {
		const colon = line.indexOf(":");
		headers[line.slice(0, colon).trim().toLowerCase()] = line
			.slice(colon + 1)
			.trim();
	}
	const length = Number(headers["content-length"] ?? "0");
	const body = text.slice(end + 4, end + 4 + length);
	if (Buffer.byteLength(body, "latin1") < length) return undefined;
	let json: Record<string, unknown> | undefined;
	try {
		json = JSON.parse(body) as Record<string, unknown>;
	} catch {
		json = undefined;
	}
	return { status, headers, body, json };
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition()` holds, checking every 20 ms, for at most `ms`. */
export async function waitFor(
	condition: () => boolean | Promise<boolean>,
	ms: number,
): Promise<boolean> {
	const until = performance.now() + ms;
	while (performance.now() < until) {
		if (await condition()) return true;
		await delay(20);
	}
	return condition();
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice, released at once). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once("error", reject);
		probe.listen(0, "127.0.0.1", () => {
			const address = probe.address();
			probe.close(() =>
				typeof address === "object" && address
					? resolve(address.port)
					: reject(new Error("no port")),
			);
		});
	});
}

/**
 * @module lib/in-flight
 * Calls in flight, by key, so that a caller that finds one for its key can wait for its
 * outcome rather than do the same work again at the same time. An instance belongs to one
 * server: nothing here is shared between servers of a process.
 */
export class InFlight<T> {
	readonly #calls = new Map<string, Promise<T>>();

	/** The outcome of the call in flight for `key`, if one is. */
	joined(key: string): Promise<T> | undefined {
		return this.#calls.get(key);
	}

	/**
	 * Runs `call` as the one in flight for `key` until it settles (a key already in flight is
	 * left to its call: `call` runs all the same, unregistered).
	 */
	async lead(key: string, call: () => Promise<T>): Promise<T> {
		if (this.#calls.has(key)) return call();
		const running = call();
		this.#calls.set(key, running);
		try {
			return await running;
		} finally {
			this.#calls.delete(key);
		}
	}
}

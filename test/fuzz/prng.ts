/**
 * The wire fuzz test's pseudo-random numbers: sfc32 (a small, fast generator with a 128-bit
 * state) seeded from one 32-bit number, so that a run is replayed exactly from the seed it
 * prints. No dependency, no global state: every run has its own {@link Rng}.
 */

/** A seeded generator of random choices. */
export class Rng {
	#a: number;
	#b: number;
	#c: number;
	#d: number;

	constructor(seed: number) {
		this.#a = 0x9e3779b9;
		this.#b = 0x243f6a88;
		this.#c = 0xb7e15162;
		this.#d = seed >>> 0;
		// Mix the seed through the state before the first number is used.
		for (let i = 0; i < 16; i++) this.#next();
	}

	/** The next 32-bit unsigned number. */
	#next(): number {
		const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
		this.#d = (this.#d + 1) | 0;
		this.#a = this.#b ^ (this.#b >>> 9);
		this.#b = (this.#c + (this.#c << 3)) | 0;
		this.#c = (this.#c << 21) | (this.#c >>> 11);
		this.#c = (this.#c + t) | 0;
		return t >>> 0;
	}

	/** A number in [0, 1). */
	float(): number {
		return this.#next() / 4294967296;
	}

	/** A whole number in [0, n). */
	int(n: number): number {
		return Math.floor(this.float() * n);
	}

	/** A whole number in [min, max]. */
	between(min: number, max: number): number {
		return min + this.int(max - min + 1);
	}

	/** True with probability p. */
	chance(p: number): boolean {
		return this.float() < p;
	}

	/** One element of a non-empty list. */
	pick<T>(items: readonly T[]): T {
		if (items.length === 0) throw new Error("Rng.pick: empty list");
		return items[this.int(items.length)] as T;
	}

	/** One key of `weights`, with probability proportional to its weight. */
	weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
		const entries = Object.entries(weights) as [K, number][];
		const total = entries.reduce((sum, [, w]) => sum + w, 0);
		let x = this.float() * total;
		for (const [key, w] of entries) {
			x -= w;
			if (x < 0) return key;
		}
		return (entries.at(-1) as [K, number])[0];
	}

	/** Up to `n` distinct elements of `items`, in a random order. */
	sample<T>(items: readonly T[], n: number): T[] {
		const copy = [...items];
		for (let i = copy.length - 1; i > 0; i--) {
			const j = this.int(i + 1);
			[copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
		}
		return copy.slice(0, n);
	}
}

/** A fresh random seed (for the run's second, random, seed). */
export function randomSeed(): number {
	return Math.floor(Math.random() * 4294967296) >>> 0;
}

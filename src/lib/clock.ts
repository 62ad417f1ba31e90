/**
 * @module lib/clock
 * Time as a dependency. Handlers, token minting and SigV4 skew checks read the time from a
 * {@link Clock} so that tests can move it (`FakeClock.advanceBy`) instead of patching globals.
 */

/** A source of the current time. */
export interface Clock {
	/** Milliseconds since the epoch. */
	now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
	#now: number;
	constructor(start: number | Date = Date.now()) {
		this.#now = typeof start === "number" ? start : start.getTime();
	}
	now(): number {
		return this.#now;
	}
	/** Moves the clock forward by `ms` milliseconds. */
	advanceBy(ms: number): void {
		this.#now += ms;
	}
	/** Sets the clock to an absolute time. */
	set(at: number | Date): void {
		this.#now = typeof at === "number" ? at : at.getTime();
	}
}

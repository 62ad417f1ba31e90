/**
 * @module domain/wire
 * The shape of values as they travel on the wire: the SDK's shapes with `Date` as epoch
 * seconds (awsJson1_1 timestamps) and without the client-side `$metadata`.
 */

/** An SDK shape in its wire form. */
export type Wire<T> = T extends Date
	? number
	: T extends readonly (infer U)[]
		? Wire<U>[]
		: T extends object
			? { [K in keyof T as K extends "$metadata" ? never : K]: Wire<T[K]> }
			: T;

/**
 * @module domain/pagination
 * Opaque pagination tokens (docs/behaviour.md#pagination). A token names the listing it belongs to (the
 * operation and its scope: an account and region, or a pool) and a keyset cursor: the sort
 * key of the last item returned. Listings continue strictly after that key, so items inserted
 * or deleted between pages are neither skipped nor repeated. A token from another listing, or
 * one that does not decode, answers `InvalidParameterException`.
 */
import { createHash } from "node:crypto";
import { InvalidParameterException } from "../errors/service-errors.ts";

interface TokenBody {
	/** Version, so the format can change without misreading old tokens. */
	v: 1;
	/** Which listing: a short hash of the operation name and its scope. */
	l: string;
	/** The keyset cursor. */
	c: string;
}

function listingTag(listing: string): string {
	return createHash("sha256").update(listing).digest("base64url").slice(0, 16);
}

/** Makes a token that continues `listing` after `cursor`. */
export function encodePageToken(listing: string, cursor: string): string {
	const body: TokenBody = { v: 1, l: listingTag(listing), c: cursor };
	return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/**
 * Reads a token made by {@link encodePageToken} for the same `listing`.
 * @throws InvalidParameterException when the token is malformed or belongs to another listing.
 */
export function decodePageToken(listing: string, token: string): string {
	let body: unknown;
	try {
		body = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
	} catch {
		throw new InvalidParameterException("Invalid pagination token.");
	}
	if (
		typeof body !== "object" ||
		body === null ||
		(body as TokenBody).v !== 1 ||
		typeof (body as TokenBody).c !== "string" ||
		(body as TokenBody).l !== listingTag(listing)
	) {
		throw new InvalidParameterException("Invalid pagination token.");
	}
	return (body as TokenBody).c;
}

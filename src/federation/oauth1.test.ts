/**
 * @module federation/oauth1.test
 * Unit tests of OAuth 1.0a signing against Twitter's published example (base string and
 * HMAC-SHA1 signature), RFC 3986 encoding and the base string URI.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
	baseStringUri,
	hmacSha1Signature,
	oauth1Authorization,
	percentEncode,
	signatureBaseString,
} from "./oauth1.ts";

// Twitter's published example ("Creating a signature", developer.twitter.com).
const EXAMPLE = {
	method: "POST",
	url: "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
	consumerKey: "xvz1evFS4wEEPTGEFPHBog",
	consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
	token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
	tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
	timestamp: 1318622958,
	nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
	bodyParams: [
		["status", "Hello Ladies + Gentlemen, a signed OAuth request!"],
	] as [string, string][],
};

test("percent-encoding follows RFC 3986, not encodeURIComponent", () => {
	assert.equal(percentEncode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
	assert.equal(percentEncode("a!b*c'd(e)f~g"), "a%21b%2Ac%27d%28e%29f~g");
	assert.equal(percentEncode("☃"), "%E2%98%83");
});

test("the base string URI drops default ports, the query and the fragment", () => {
	assert.equal(
		baseStringUri(new URL("HTTPS://API.Twitter.com:443/1.1/a.json?x=1#f")),
		"https://api.twitter.com/1.1/a.json",
	);
	assert.equal(
		baseStringUri(new URL("http://127.0.0.1:8080/1.1/a.json")),
		"http://127.0.0.1:8080/1.1/a.json",
	);
});

test("Twitter's example: base string and signature", () => {
	const base = signatureBaseString(EXAMPLE.method, EXAMPLE.url, [
		["oauth_consumer_key", EXAMPLE.consumerKey],
		["oauth_nonce", EXAMPLE.nonce],
		["oauth_signature_method", "HMAC-SHA1"],
		["oauth_timestamp", String(EXAMPLE.timestamp)],
		["oauth_token", EXAMPLE.token],
		["oauth_version", "1.0"],
		...EXAMPLE.bodyParams,
	]);
	assert.equal(
		base,
		"POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521",
	);
	assert.equal(
		hmacSha1Signature(base, EXAMPLE.consumerSecret, EXAMPLE.tokenSecret),
		"hCtSmYh+iHYCEqBWrE7C7hYmtUk=",
	);
});

test("the Authorization header carries every oauth_ parameter and the encoded signature", () => {
	const header = oauth1Authorization(EXAMPLE);
	assert.match(header, /^OAuth /);
	assert.match(header, /oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"/);
	assert.match(header, /oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog"/);
	assert.match(header, /oauth_timestamp="1318622958"/);
	assert.match(header, /oauth_version="1.0"/);
	assert.doesNotMatch(header, /status=/);
});

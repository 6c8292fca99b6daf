/**
 * Provider fixtures (copied byte-exact from the shared fixture set into test/fixtures/providers so the
 * repository is self-contained). `fixtureRequest(name)` builds the InboundRequest a webhook endpoint
 * would hand to normalize(): exact body bytes, content type, and the signature headers recorded in
 * _signatures.json.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundRequest } from '../../core/request';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'providers');

type SignatureFile = Record<string, Record<string, unknown>>;
const signatures = JSON.parse(readFileSync(join(FIXTURE_DIR, '_signatures.json'), 'utf8')) as SignatureFile;

export const TEST_SECRETS = signatures.secrets as {
	twilio_auth_token: string;
	slack_signing_secret: string;
	meta_app_secret: string;
	telegram_secret_token: string;
	vonage_signature_secret: string;
	fixed_timestamp: number;
};

export function fixtureNames(): string[] {
	return readdirSync(FIXTURE_DIR).filter((f) => !f.startsWith('_') && f !== 'README.md');
}

export function fixtureBytes(name: string): Buffer {
	return readFileSync(join(FIXTURE_DIR, name));
}

export function fixtureJson<T = unknown>(name: string): T {
	return JSON.parse(fixtureBytes(name).toString('utf8')) as T;
}

/** Signature/auth headers recorded for this fixture, if any (names as given, e.g. X-Hub-Signature-256). */
export function fixtureSignature(name: string): Record<string, string> {
	for (const group of Object.keys(signatures)) {
		if (group === '_about' || group === 'secrets') continue;
		const entry = signatures[group]![name];
		if (entry && typeof entry === 'object') {
			const out: Record<string, string> = {};
			for (const [k, v] of Object.entries(entry as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
			return out;
		}
	}
	return {};
}

/** The request as a webhook endpoint receives it; `body` is the raw bytes unless `parsed` is asked. */
export function fixtureRequest(name: string, options: { parsed?: boolean; asString?: boolean } = {}): InboundRequest {
	const bytes = fixtureBytes(name);
	if (name.endsWith('-verification-get.txt')) {
		// A raw HTTP request line: turn its query string into the request's query.
		const line = bytes.toString('utf8').split('\n')[0]!;
		const target = line.split(' ')[1]!;
		const url = new URL(target, 'https://hooks.example.test');
		return { method: 'GET', body: undefined, query: Object.fromEntries(url.searchParams), headers: { host: url.host } };
	}
	const isForm = name.endsWith('.txt');
	const headers: Record<string, string> = {
		'Content-Type': isForm ? 'application/x-www-form-urlencoded' : 'application/json',
		...fixtureSignature(name),
	};
	delete headers.url;
	let body: unknown = bytes;
	if (options.asString) body = bytes.toString('utf8');
	if (options.parsed) body = isForm ? Object.fromEntries(new URLSearchParams(bytes.toString('utf8'))) : JSON.parse(bytes.toString('utf8'));
	return { method: 'POST', body, headers };
}

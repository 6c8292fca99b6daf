/**
 * Minimal, dependency-free measuring: run a function repeatedly for a fixed time after a warm-up and
 * report operations per second. Candidates that are compared are measured in alternating rounds in
 * the same process so machine noise hits both alike.
 */
export interface Rate {
	name: string;
	opsPerSecond: number;
}

function runFor(fn: () => unknown, ms: number): { ops: number; elapsed: number } {
	let ops = 0;
	const start = process.hrtime.bigint();
	const deadline = start + BigInt(ms) * 1_000_000n;
	let now = start;
	while (now < deadline) {
		for (let i = 0; i < 64; i += 1) fn();
		ops += 64;
		now = process.hrtime.bigint();
	}
	return { ops, elapsed: Number(now - start) / 1e9 };
}

/** Measures each candidate in `rounds` alternating slices of `sliceMs`; returns ops/s per candidate. */
export function compare(candidates: Record<string, () => unknown>, options: { rounds?: number; sliceMs?: number; warmupMs?: number } = {}): Record<string, number> {
	const { rounds = 5, sliceMs = 200, warmupMs = 300 } = options;
	const names = Object.keys(candidates);
	for (const name of names) runFor(candidates[name]!, warmupMs);
	const totals: Record<string, { ops: number; elapsed: number }> = {};
	for (const name of names) totals[name] = { ops: 0, elapsed: 0 };
	for (let round = 0; round < rounds; round += 1) {
		for (const name of names) {
			const r = runFor(candidates[name]!, sliceMs);
			totals[name]!.ops += r.ops;
			totals[name]!.elapsed += r.elapsed;
		}
	}
	const out: Record<string, number> = {};
	for (const name of names) out[name] = totals[name]!.ops / totals[name]!.elapsed;
	return out;
}

export function formatRate(n: number): string {
	return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k/s` : `${n.toFixed(0)} /s`;
}

export function table(rows: Array<Record<string, string | number>>): string {
	if (rows.length === 0) return '';
	const cols = Object.keys(rows[0]!);
	const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
	return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

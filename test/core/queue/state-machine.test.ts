/**
 * The state machine (core/queue/state-machine.ts), pure: the issue's transitions and nothing else,
 * operations bound to their edges, `revised` as a synonym, and errors that name from, to and what is
 * allowed. The store applies the same machine (contract.ts checks every transition against a database).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IllegalTransitionError, InvalidQueueInputError } from '../../../core/errors';
import {
	appliesTo,
	assertReschedulable,
	assertTransition,
	canTransition,
	EDGES,
	FINAL_STATUSES,
	normalizeStatus,
	sourcesOf,
	TRANSITIONS,
	type QueueOperation,
} from '../../../core/queue/state-machine';
import { QUEUE_STATUSES, type QueueStatus } from '../../../core/queue/types';

/** The issue's lifecycle, written out by hand. */
const ISSUE_EDGES: Array<[QueueStatus, QueueStatus]> = [
	['draft', 'approved'],
	['approved', 'sending'],
	['sending', 'sent'],
	['sent', 'delivered'],
	['delivered', 'read'],
	['draft', 'cancelled'],
	['approved', 'cancelled'],
	['sending', 'failed'],
	['failed', 'approved'],
	['failed', 'dead'],
	// Lease handling (issue: "release expired leases: a crashed worker's messages become due again";
	// "no two workers ever hold the same message while its lease is live").
	['sending', 'approved'],
	['sending', 'dead'],
	['sending', 'sending'],
	// A read receipt may arrive without a delivery receipt.
	['sent', 'read'],
	// Issue 5, "not delivered after N minutes → hand back to Channel Send's fallback": a sent message is
	// due again on the fallback channel; a delivery report of the handed-back send that arrives before
	// the fallback succeeded marks it delivered / read instead.
	['sent', 'approved'],
	['approved', 'delivered'],
	['approved', 'read'],
];

test('the legal transitions are exactly the issue\'s', () => {
	const legal = QUEUE_STATUSES.flatMap((from) => QUEUE_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
	assert.deepEqual(legal.sort(), ISSUE_EDGES.map(([f, t]) => `${f}→${t}`).sort());
	assert.deepEqual([...FINAL_STATUSES].sort(), ['cancelled', 'dead', 'read']);
	for (const status of QUEUE_STATUSES) assert.deepEqual([...TRANSITIONS[status]].sort(), ISSUE_EDGES.filter(([f]) => f === status).map(([, t]) => t).sort());
});

test('each operation may only take its own edges', () => {
	const cases: Array<[QueueOperation, QueueStatus, QueueStatus, boolean]> = [
		['approve', 'draft', 'approved', true],
		['approve', 'sending', 'approved', false], // only a lease release may do that
		['approve', 'failed', 'approved', false],
		['reject', 'draft', 'cancelled', true],
		['reject', 'approved', 'cancelled', true],
		['reject', 'sending', 'cancelled', false],
		['claim', 'approved', 'sending', true],
		['claim', 'sending', 'sending', true],
		['claim', 'draft', 'sending', false],
		['complete', 'sending', 'sent', true],
		['complete', 'approved', 'sent', false],
		['fail', 'sending', 'failed', true],
		['fail', 'failed', 'approved', true],
		['fail', 'failed', 'dead', true],
		['release', 'sending', 'approved', true],
		['release', 'sending', 'dead', true],
		['recordDelivery', 'sent', 'delivered', true],
		['recordDelivery', 'delivered', 'read', true],
		['recordDelivery', 'read', 'delivered', false],
		['recordDelivery', 'approved', 'delivered', false], // only a late delivery event of a handed-back send
		['requeueUndelivered', 'sent', 'approved', true],
		['requeueUndelivered', 'delivered', 'approved', false],
		['lateDelivery', 'approved', 'delivered', true],
		['lateDelivery', 'sent', 'delivered', false],
	];
	for (const [operation, from, to, legal] of cases) assert.equal(canTransition(from, to, operation), legal, `${operation}: ${from} → ${to}`);
	assert.deepEqual(appliesTo('approve'), ['draft']);
	assert.deepEqual(appliesTo('reject').sort(), ['approved', 'draft']);
	assert.deepEqual(sourcesOf('sending', 'claim').sort(), ['approved', 'sending']);
	assert.deepEqual(sourcesOf('sent', 'complete'), ['sending']);
	assert.ok(EDGES.every((e) => e.by.length > 0));
});

test('an illegal transition names the message, from, to, what from allows and where the operation applies', () => {
	let caught: unknown;
	try {
		assertTransition('m-1', 'sent', 'approved', 'approve');
	} catch (error) {
		caught = error;
	}
	assert.ok(caught instanceof IllegalTransitionError);
	assert.deepEqual([caught.messageId, caught.from, caught.to, caught.operation, caught.code], ['m-1', 'sent', 'approved', 'approve', 'ILLEGAL_TRANSITION']);
	assert.deepEqual([...caught.allowed].sort(), ['approved', 'delivered', 'read']);
	assert.deepEqual(caught.appliesTo, ['draft']);
	assert.match(caught.message, /Cannot approve message m-1: status "sent" cannot change to "approved"; approve applies only to "draft" messages/);
	assert.match(caught.hint ?? '', /From "sent" a message can only become: delivered, read, approved/);

	assert.throws(() => assertTransition('m-2', 'dead', 'approved', 'approve'), (e: unknown) => e instanceof IllegalTransitionError && /final/.test(e.hint ?? '') && e.allowed.length === 0);
	assert.doesNotThrow(() => assertTransition('m-3', 'draft', 'approved', 'approve'));
});

test('reschedule applies to draft and approved messages only', () => {
	for (const status of QUEUE_STATUSES) {
		if (status === 'draft' || status === 'approved') assert.doesNotThrow(() => assertReschedulable('m', status));
		else assert.throws(() => assertReschedulable('m', status), (e: unknown) => e instanceof IllegalTransitionError && e.from === status && e.to === status);
	}
});

test('revised is a synonym of approved; unknown statuses name the field', () => {
	assert.equal(normalizeStatus('revised'), 'approved');
	for (const status of QUEUE_STATUSES) assert.equal(normalizeStatus(status), status);
	assert.throws(() => normalizeStatus('pending', 'filter.status'), (e: unknown) => e instanceof InvalidQueueInputError && e.field === 'filter.status' && /revised/.test(e.message));
});

/** Which operation may take which edge, written out by hand. */
const BY_OPERATION: Record<QueueOperation, Array<[QueueStatus, QueueStatus]>> = {
	approve: [['draft', 'approved']],
	reject: [
		['draft', 'cancelled'],
		['approved', 'cancelled'],
	],
	claim: [
		['approved', 'sending'],
		['sending', 'sending'],
		['sending', 'dead'],
	],
	complete: [['sending', 'sent']],
	fail: [
		['sending', 'failed'],
		['failed', 'approved'],
		['failed', 'dead'],
	],
	release: [
		['sending', 'approved'],
		['sending', 'dead'],
	],
	recordDelivery: [
		['sent', 'delivered'],
		['sent', 'read'],
		['delivered', 'read'],
	],
	requeueUndelivered: [['sent', 'approved']],
	lateDelivery: [
		['approved', 'delivered'],
		['approved', 'read'],
	],
};

test('every (operation, from, to) is legal exactly when the hand-written table says so, and assertTransition agrees', () => {
	let checked = 0;
	for (const [operation, edges] of Object.entries(BY_OPERATION) as Array<[QueueOperation, Array<[QueueStatus, QueueStatus]>]>) {
		for (const from of QUEUE_STATUSES) {
			for (const to of QUEUE_STATUSES) {
				const legal = edges.some(([f, t]) => f === from && t === to);
				assert.equal(canTransition(from, to, operation), legal, `${operation}: ${from} → ${to}`);
				if (legal) assert.doesNotThrow(() => assertTransition('m', from, to, operation));
				else assert.throws(() => assertTransition('m', from, to, operation), IllegalTransitionError);
				checked++;
			}
		}
	}
	assert.equal(checked, 9 * 9 * 9);
});

/** Placeholder: the Schedule Queue implementation replaces this (openQueue keeps its signature). */
import type { QueueOptions, ScheduleQueue } from './types';
export * from './types';

export async function openQueue(options: QueueOptions): Promise<ScheduleQueue> {
	void options;
	throw new Error('Schedule Queue not implemented yet');
}

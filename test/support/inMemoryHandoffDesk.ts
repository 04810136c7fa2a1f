/**
 * TEST DOUBLE of the HandoffDesk port (services/handoff/handoffDesk.ts), not of storage: it
 * lets the console's HTTP routes be tested before/independently of the real handoff service.
 * Claims are decided synchronously in one process, so "two at once" has exactly one winner,
 * as the real desk guarantees through the store.
 */
import crypto from 'node:crypto';
import { AppError } from '../../services/appError';
import type { HandoffCase, HandoffDesk, HandoffEvent, HandoffMessage, QueueEntry, StaffRef } from '../../services/handoff/handoffDesk';

export class InMemoryHandoffDesk implements HandoffDesk {
  readonly cases = new Map<string, HandoffCase>();
  readonly transcript: HandoffMessage[] = [];
  private readonly listeners = new Set<(event: HandoffEvent) => void>();

  /** Test helper: puts a client's conversation in the queue. */
  enqueue(partial: Partial<HandoffCase> = {}): HandoffCase {
    const item: HandoffCase = {
      caseId: crypto.randomUUID(), channelId: 'directline', conversationId: `conv-${crypto.randomBytes(3).toString('hex')}`, userId: 'client-1',
      language: 'zh-CN', reason: 'client_request', status: 'queued', priority: 10, tier: 'priority', queuedAt: new Date(), ...partial,
    };
    this.cases.set(item.caseId, item);
    this.emit({ type: 'queued', case: item });
    return item;
  }

  /** Test helper: a client message arriving during the live handoff. */
  clientSays(caseId: string, text: string): HandoffMessage {
    const message: HandoffMessage = { caseId, from: 'client', text, at: new Date() };
    this.transcript.push(message);
    this.emit({ type: 'message', message });
    return message;
  }

  async listQueue(): Promise<QueueEntry[]> {
    const now = Date.now();
    return [...this.cases.values()].filter((c) => c.status === 'queued').sort((a, b) => b.priority - a.priority)
      .map((c, i) => ({ ...c, position: i + 1, waitingSeconds: Math.round((now - c.queuedAt.getTime()) / 1000) }));
  }

  async listActive(staffId?: string): Promise<HandoffCase[]> {
    return [...this.cases.values()].filter((c) => c.status === 'with_staff' && (!staffId || c.claimedBy?.staffId === staffId));
  }

  async getCase(caseId: string): Promise<HandoffCase | undefined> {
    return this.cases.get(caseId);
  }

  async claim(caseId: string, staff: StaffRef): Promise<HandoffCase> {
    const found = this.need(caseId);
    if (found.status !== 'queued') throw AppError.conflict('already_taken', `already taken by ${found.claimedBy?.displayName ?? 'someone'}`, { claimedBy: found.claimedBy });
    const claimed: HandoffCase = { ...found, status: 'with_staff', claimedBy: staff, claimedAt: new Date() };
    this.cases.set(caseId, claimed);
    this.emit({ type: 'claimed', case: claimed });
    return claimed;
  }

  async transfer(caseId: string, from: StaffRef, to: StaffRef): Promise<HandoffCase> {
    const found = this.need(caseId);
    if (found.status !== 'with_staff' || found.claimedBy?.staffId !== from.staffId) throw AppError.conflict('not_held', 'the case is not held by that staff member');
    const moved: HandoffCase = { ...found, claimedBy: to };
    this.cases.set(caseId, moved);
    this.emit({ type: 'transferred', case: moved, from });
    return moved;
  }

  async end(caseId: string, _staff: StaffRef, outcome: 'bot' | 'closed'): Promise<HandoffCase> {
    const found = this.need(caseId);
    if (found.status !== 'with_staff') throw AppError.conflict('not_with_staff', 'the case is not live');
    const ended: HandoffCase = { ...found, status: outcome, endedAt: new Date() };
    this.cases.set(caseId, ended);
    this.emit({ type: 'ended', case: ended, outcome });
    return ended;
  }

  async reply(caseId: string, staff: StaffRef, text: string): Promise<HandoffMessage> {
    this.need(caseId);
    const message: HandoffMessage = { caseId, from: 'staff', text, at: new Date(), staff };
    this.transcript.push(message);
    this.emit({ type: 'message', message });
    return message;
  }

  async messages(caseId: string): Promise<HandoffMessage[]> {
    return this.transcript.filter((m) => m.caseId === caseId);
  }

  subscribe(listener: (event: HandoffEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private need(caseId: string): HandoffCase {
    const found = this.cases.get(caseId);
    if (!found) throw AppError.notFound('case_not_found', 'no such case');
    return found;
  }

  private emit(event: HandoffEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

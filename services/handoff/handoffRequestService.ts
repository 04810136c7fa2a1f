import type { HandoffRequest, HandoffRequester } from './handoffRequester';

/** A stored request for a person, as the console's queue will read it. */
export interface HandoffRequestRecord extends HandoffRequest {
  requestedAt: Date;
  status: 'requested';
}

/** Persistence port for handoff requests (embedded and Mongo implementations). */
export interface HandoffRequestRepository {
  add(record: HandoffRequestRecord): Promise<void>;
  listByConversation(channelId: string, conversationId: string): Promise<HandoffRequestRecord[]>;
}

/**
 * Records that a client needs a person. The staff queue and live relay build on these
 * records; until then the client is told honestly that the request was logged.
 */
export class HandoffRequestService implements HandoffRequester {
  constructor(private readonly repository: HandoffRequestRepository, private readonly now: () => Date = () => new Date()) {
    if (!repository) throw new Error('HandoffRequestService needs a repository');
  }

  async requestHandoff(request: HandoffRequest): Promise<{ requestedAt: Date }> {
    const requestedAt = this.now();
    await this.repository.add({ ...request, requestedAt, status: 'requested' });
    return { requestedAt };
  }
}

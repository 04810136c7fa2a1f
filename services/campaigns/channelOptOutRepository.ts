import type { ChannelUser } from '../customers/customerRepository';

/**
 * Port for opt-outs said by chat users no customer is linked to yet ("退订" from a Web Chat
 * visitor). The record is kept by chat identity, so linking that identity to a customer later
 * carries the opt-out over (see OptOutService.applyToLinkedCustomer).
 */
export interface ChannelOptOutRepository {
  /** Records the opt-out (idempotent: the first instant is kept). */
  record(channelUser: ChannelUser, at: Date): Promise<void>;
  /** When this chat identity opted out, or undefined. */
  find(channelUser: ChannelUser): Promise<Date | undefined>;
  /** Forgets the record (it was carried over to a customer, or the client consented again). */
  remove(channelUser: ChannelUser): Promise<void>;
}

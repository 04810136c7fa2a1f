import type { Customer, CustomerRepository } from '../customers/customerRepository';
import type { Conversation, ConversationRepository } from '../../models/conversations/conversationRepository';

/**
 * Port: what the campaign sender reads about a batch of recipients just before sending — the
 * customers (consent, opt-out, language, time zone, chat identities) and the conversation each
 * is reached in. Read per batch rather than per recipient: a store that scans for every lookup
 * by a field other than its key (FerretDB 1.x on SQLite) then scans once per batch, not per message.
 */
export interface CampaignContacts {
  /** The customers with these ids, with their chat identities; unknown ids are left out. */
  customers(customerIds: string[]): Promise<Map<string, Customer>>;
  /** Per customer id: their most recently active conversation (not closed) that has a stored reference. */
  latestConversations(customers: Customer[]): Promise<Map<string, Conversation>>;
}

/** Whether the bot can write to this conversation. */
export function reachableConversation(conversation: Conversation): boolean {
  return Boolean(conversation.reference?.serviceUrl) && conversation.status !== 'closed';
}

/** The most recently active of the reachable conversations, or undefined. */
export function latestReachable(conversations: Iterable<Conversation>): Conversation | undefined {
  let latest: Conversation | undefined;
  for (const conversation of conversations) {
    if (!reachableConversation(conversation)) continue;
    if (!latest || conversation.lastActivityAt.getTime() > latest.lastActivityAt.getTime()) latest = conversation;
  }
  return latest;
}

/**
 * {@link CampaignContacts} from the customer and conversation repositories, one lookup per
 * recipient: right for stores whose lookups are indexed (the embedded store, MongoDB).
 */
export class RepositoryCampaignContacts implements CampaignContacts {
  constructor(private readonly repositories: { customers: Pick<CustomerRepository, 'get'>; conversations: Pick<ConversationRepository, 'findByUser'> }) {
    if (!repositories?.customers || !repositories.conversations) throw new Error('RepositoryCampaignContacts needs customers and conversations');
  }

  async customers(customerIds: string[]): Promise<Map<string, Customer>> {
    const found = await Promise.all(customerIds.map((id) => this.repositories.customers.get(id)));
    return new Map(found.filter((c): c is Customer => Boolean(c)).map((c) => [c.id, c]));
  }

  async latestConversations(customers: Customer[]): Promise<Map<string, Conversation>> {
    const result = new Map<string, Conversation>();
    for (const customer of customers) {
      const lists = await Promise.all((customer.channelUsers ?? []).map((u) => this.repositories.conversations.findByUser(u.channelId, u.userId)));
      const latest = latestReachable(lists.flat());
      if (latest) result.set(customer.id, latest);
    }
    return result;
  }
}

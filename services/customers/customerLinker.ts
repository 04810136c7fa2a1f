import type { ChannelUser, Customer, CustomerRepository } from './customerRepository';
import { normalizePhone } from './customerRepository';

/** What a dialog needs to link the chat user to the customer with a phone number they gave. */
export interface PhoneLinker {
  /** The customer the chat user is linked to after the call (by this phone or before), or undefined. Never throws. */
  linkByPhone(channelUser: ChannelUser, phone: string): Promise<Customer | undefined>;
}

/**
 * Links a chat user to a CRM customer on first contact, from a phone number the client typed
 * and the dialog validated. It never guesses: a chat user already linked stays as it is, and
 * a number held by no customer or by several links nothing.
 */
export class CustomerLinker implements PhoneLinker {
  constructor(
    private readonly customers: Pick<CustomerRepository, 'findByChannelUser' | 'findByPhone' | 'linkChannelUser'>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    if (!customers) throw new Error('CustomerLinker needs a CustomerRepository');
  }

  async linkByPhone(channelUser: ChannelUser, phone: string): Promise<Customer | undefined> {
    try {
      if (!channelUser?.channelId || !channelUser.userId || !normalizePhone(phone)) return undefined;
      const linked = await this.customers.findByChannelUser(channelUser.channelId, channelUser.userId);
      if (linked) return linked;
      const holders = await this.customers.findByPhone(phone);
      if (holders.length !== 1) return undefined;
      try {
        return await this.customers.linkChannelUser(holders[0].id, channelUser);
      } catch (error) {
        // Linked meanwhile (another turn, staff in the console): whatever holds it now is the answer.
        if ((error as { status?: number }).status === 409) return await this.customers.findByChannelUser(channelUser.channelId, channelUser.userId);
        throw error;
      }
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }
}

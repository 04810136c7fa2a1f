import type { CampaignRecipientRepository, RecipientState } from './campaign';
import type { ChannelOptOutRepository } from './channelOptOutRepository';
import type { ChannelUser, Customer, CustomerRepository } from '../customers/customerRepository';

/** A recipient in these states has not answered yet and would still be (or was just) contacted. */
export const OPT_OUT_STATES: readonly RecipientState[] = ['pending', 'sending', 'sent'];

/** What an opt-out did. */
export interface OptOutResult {
  /** The customer the chat identity is linked to; absent when only the chat identity was recorded. */
  customerId?: string;
  /** Recipients moved to 'opted_out'. */
  recipientsOptedOut: number;
}

export interface OptOutServiceDependencies {
  customers: Pick<CustomerRepository, 'findByChannelUser' | 'update'>;
  recipients: Pick<CampaignRecipientRepository, 'findByCustomer' | 'update'>;
  channelOptOuts: ChannelOptOutRepository;
  now?: () => Date;
}

/**
 * "Stop / 退订": the client withdraws consent to surveys and marketing ("subscribe / 订阅" gives it back). A linked customer gets
 * consent false and optedOutAt, and every campaign still due to reach them (pending, sending,
 * sent) is marked opted_out; a chat identity no customer is linked to is recorded by itself,
 * and {@link applyToLinkedCustomer} carries it over when staff link it to a customer.
 * Service chat is not affected: this is about campaigns only.
 */
export class OptOutService {
  private readonly now: () => Date;

  constructor(private readonly deps: OptOutServiceDependencies) {
    if (!deps?.customers || !deps.recipients || !deps.channelOptOuts) throw new Error('OptOutService needs customers, recipients and channelOptOuts');
    this.now = deps.now ?? (() => new Date());
  }

  async optOut(channelUser: ChannelUser): Promise<OptOutResult> {
    const at = this.now();
    const customer = await this.deps.customers.findByChannelUser(channelUser.channelId, channelUser.userId);
    if (!customer) {
      await this.deps.channelOptOuts.record(channelUser, at);
      return { recipientsOptedOut: 0 };
    }
    return { customerId: customer.id, recipientsOptedOut: await this.optOutCustomer(customer.id, at) };
  }

  /**
   * "Subscribe / 订阅": the client asks for campaigns again, which is their consent to surveys and
   * greetings; the opt-out is cleared (and any record of it by chat identity forgotten).
   */
  async optIn(channelUser: ChannelUser): Promise<{ customerId?: string }> {
    const at = this.now();
    await this.deps.channelOptOuts.remove(channelUser);
    const customer = await this.deps.customers.findByChannelUser(channelUser.channelId, channelUser.userId);
    if (!customer) return {};
    await this.deps.customers.update(customer.id, { consent: { surveys: true, marketing: true }, optedOutAt: null }, at);
    return { customerId: customer.id };
  }

  /**
   * Called when a chat identity is linked to a customer: an opt-out that identity said while
   * unlinked now applies to the customer. Returns true when there was one.
   */
  async applyToLinkedCustomer(customerId: string, channelUser: ChannelUser): Promise<boolean> {
    const at = await this.deps.channelOptOuts.find(channelUser);
    if (!at) return false;
    await this.optOutCustomer(customerId, at);
    await this.deps.channelOptOuts.remove(channelUser);
    return true;
  }

  /** Whether this chat identity opted out before any customer was linked to it. */
  async isChannelUserOptedOut(channelUser: ChannelUser): Promise<boolean> {
    return Boolean(await this.deps.channelOptOuts.find(channelUser));
  }

  private async optOutCustomer(customerId: string, at: Date): Promise<number> {
    await this.deps.customers.update(customerId, { consent: { surveys: false, marketing: false }, optedOutAt: at }, at);
    const due = await this.deps.recipients.findByCustomer(customerId, [...OPT_OUT_STATES]);
    for (const recipient of due) {
      await this.deps.recipients.update(recipient.campaignId, customerId, { state: 'opted_out' });
    }
    return due.length;
  }
}

/**
 * The customer repository with linking that carries an opt-out over: when the chat identity being
 * linked (by a phone the client gave, or by staff in the console) opted out while unlinked, the
 * customer is opted out too, and the customer returned shows it. The link itself never fails
 * because of the carry-over (errors go to `onError`); every other method is the repository's own.
 */
export function carryOptOutOnLink<T extends Pick<CustomerRepository, 'linkChannelUser' | 'get'>>(
  customers: T, optOuts: Pick<OptOutService, 'applyToLinkedCustomer'>, onError: (error: unknown) => void = () => undefined,
): T {
  const linkChannelUser = async (customerId: string, channelUser: ChannelUser, at?: Date): Promise<Customer> => {
    const customer = await customers.linkChannelUser(customerId, channelUser, at);
    const carried = await optOuts.applyToLinkedCustomer(customer.id, channelUser).catch((error: unknown) => { onError(error); return false; });
    return carried ? (await customers.get(customer.id)) ?? customer : customer;
  };
  return new Proxy(customers, {
    get(target, prop) {
      if (prop === 'linkChannelUser') return linkChannelUser;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

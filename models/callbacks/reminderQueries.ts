/**
 * Reminders that may be claimed at `now`: booked, not yet started, due, and either never
 * claimed or claimed by a process whose lease ran out (see `CallbackRepository.claimDueReminders`).
 * One query for both stores: NeDB reads the same Mongo query language.
 */
export function dueReminderFilter(now: Date, leaseMs: number): Record<string, unknown> {
  return {
    status: 'booked',
    slotStart: { $gt: now },
    'reminder.dueAt': { $lte: now },
    $or: [
      { 'reminder.state': 'pending' },
      { 'reminder.state': 'claimed', 'reminder.claimedAt': { $lte: new Date(now.getTime() - leaseMs) } },
    ],
  };
}

import type { DialogState } from 'botbuilder-dialogs';

/**
 * Ids of every dialog on a conversation's stack, including the inner stacks of component
 * dialogs (kept in their instance state under `dialogs`). Used outside the dialog system
 * (middleware, proactive senders) to ask "is the client in the middle of something?".
 */
export function activeDialogIds(state: DialogState | undefined, depth = 0): string[] {
  if (!state?.dialogStack?.length || depth > 16) return [];
  return state.dialogStack.flatMap((instance) => [
    instance.id,
    ...activeDialogIds((instance.state as { dialogs?: DialogState } | undefined)?.dialogs, depth + 1),
  ]);
}

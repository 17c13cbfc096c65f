/**
 * The text the canned Gemini preload answers with: the last user text it was sent and how many
 * contents came before it, so a test can tell that the model saw the stored conversation.
 */
export const cannedReply = (lastUserText: string, earlierContents: number): string =>
  `(canned Gemini reply to "${lastUserText}" after ${earlierContents} earlier messages)`;

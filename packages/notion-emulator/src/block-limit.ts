import { NotionApiError } from "./notion-api-error.js";

/**
 * The Free plan's workspace block limit, as the API enforces it once the
 * grace period is over: creates are refused with 403 `restricted_resource`,
 * while reads and edits go on. https://developers.notion.com/reference/workspace-block-limits
 */
export type BlockLimit = {
  /** After `creates` more successful creates, every create is refused until lift(). */
  limitAfter(creates: number): void;
  /** The workspace was upgraded (or members removed): creates work again. */
  lift(): void;
  /** Throws the 403 a create meets when the limit is reached. */
  checkCreate(): void;
  /** A create went through. */
  counted(): void;
};

// Notion documents the status and code, not the wording: this message is the emulator's own.
const REFUSED_MESSAGE =
  "This workspace has reached its block limit. Upgrade the workspace's plan to keep creating content.";

export function createBlockLimit(): BlockLimit {
  let createsLeft: number | undefined;
  return {
    limitAfter(creates) {
      createsLeft = Math.max(0, Math.floor(creates));
    },
    lift() {
      createsLeft = undefined;
    },
    checkCreate() {
      if (createsLeft !== undefined && createsLeft <= 0) {
        throw new NotionApiError(403, "restricted_resource", REFUSED_MESSAGE);
      }
    },
    counted() {
      if (createsLeft !== undefined) createsLeft -= 1;
    },
  };
}

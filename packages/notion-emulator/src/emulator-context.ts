import type { PartialUserObjectResponse, UserObjectResponse } from "@notionhq/client";
import type { BlockLimit } from "./block-limit.js";
import type { UserInformation } from "./bot-user.js";
import type { EmulatorStore } from "./emulator-store.js";
import type { CursorCodec } from "./paginate.js";

/** What route handlers share: the workspace and the emulator's fixed settings. */
export type EmulatorContext = {
  store: EmulatorStore;
  bot: UserObjectResponse;
  botRef: PartialUserObjectResponse;
  cursors: CursorCodec;
  maxResultsPerQuery: number;
  reportIncompleteOn: "capped-page" | "first-page";
  titleOnlyUnlessFilterProperties: boolean;
  queryIndexLagMs: number;
  readUserInformation: boolean;
  /** The Free plan's block limit, off unless the admin sets it. */
  blockLimit: BlockLimit;
  /** Whether user objects show person.email (the integration's user capability). */
  userInformation: UserInformation;
};

export type RouteRequest = {
  method: string;
  /** Path parameters captured by the route pattern, still raw. */
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
};

export type RouteResult = {
  status?: number;
  body: unknown;
  /** The page a write created or changed; "commit-then-fail" faults report it. */
  committedResourceId?: string;
};

export type RouteHandler = (req: RouteRequest, ctx: EmulatorContext) => RouteResult;

import type { UserObjectResponse } from "@notionhq/client";
import { newNotionId } from "./emulator-ids.js";

/** The integration's own user, as GET /v1/users/me answers it for an internal integration. */
export function createBotUser(): UserObjectResponse {
  return {
    object: "user",
    id: newNotionId(),
    name: "Notion Emulator",
    avatar_url: null,
    type: "bot",
    bot: {
      owner: { type: "workspace", workspace: true },
      workspace_id: newNotionId(),
      workspace_name: "Emulator Workspace",
      workspace_limits: { max_file_upload_size_in_bytes: 5_368_709_120 },
    },
  };
}

/** An integration's user capability, as far as emails go. */
export type UserInformation = "with_email" | "without_email";

export function createPersonUser(name: string, email = emailFor(name)): UserObjectResponse {
  return { object: "user", id: newNotionId(), name, avatar_url: null, type: "person", person: { email } };
}

/** A user as an integration sees it: without the email-address capability, `person` is empty. */
export function visibleUser(user: UserObjectResponse, information: UserInformation): UserObjectResponse {
  if (information === "with_email" || user.type !== "person") return user;
  return { ...user, person: {} };
}

function emailFor(name: string): string {
  return `${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ".")
      .replace(/^\.|\.$/g, "") || "user"
  }@example.com`;
}

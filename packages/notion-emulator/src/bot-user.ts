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

export function createPersonUser(name: string): UserObjectResponse {
  const id = newNotionId();
  const email = `${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ".")
      .replace(/^\.|\.$/g, "") || "user"
  }@example.com`;
  return { object: "user", id, name, avatar_url: null, type: "person", person: { email } };
}

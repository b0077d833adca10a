import type { SlackWebApi } from "./slack-web-api.js";

export type SlackTeam = {
  /** The workspace id auth.test reports for the bot token; undefined while Slack cannot say (asked again next time). */
  id(): Promise<string | undefined>;
};

/** The app's own workspace, asked of auth.test once and remembered for the process. */
export function createSlackTeam(api: Pick<SlackWebApi, "post">): SlackTeam {
  let known: string | undefined;
  let asking: Promise<string | undefined> | undefined;
  return {
    id() {
      if (known !== undefined) return Promise.resolve(known);
      asking ??= api.post("auth.test").then((result) => {
        asking = undefined;
        const teamId = result.ok ? result.body["team_id"] : undefined;
        if (typeof teamId === "string" && teamId !== "") known = teamId;
        return known;
      });
      return asking;
    },
  };
}

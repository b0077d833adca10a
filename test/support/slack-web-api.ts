// The loopback fake of Slack's Web API lives in scripts/lib so the demo can run it too.
export {
  ALL_SLACK_SCOPES,
  FAKE_SLACK_TOKEN,
  startSlackWebApiFake,
  type FakeSlackOptions,
  type PostedSlackMessage,
  type ScriptedSlackReply,
  type SlackApiCall,
  type SlackWebApiFake,
  type UploadedSlackFile,
  type UpdatedSlackMessage,
} from "../../scripts/lib/slack-web-api-fake.js";

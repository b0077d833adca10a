import type { SlackBlock } from "./slack-message.js";
import type { SlackApiResult, SlackWebApi } from "./slack-web-api.js";

/** Slack's channel ids: files.completeUploadExternal takes an id, never a name. */
export const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

export type SlackUpload = {
  channelId: string;
  filename: string;
  title: string;
  bytes: Uint8Array;
  /** The message the file is shared with: blocks when given (Slack then ignores initial_comment), else the text. */
  text?: string | undefined;
  blocks?: SlackBlock[] | undefined;
};

/**
 * Shares a file into a channel the way Slack asks since files.upload was
 * retired: files.getUploadURLExternal (name, length), the bytes POSTed to the
 * URL it gives, then files.completeUploadExternal with the channel and the
 * message. https://api.slack.com/messaging/files#uploading_files
 */
export async function uploadFileToSlack(api: SlackWebApi, upload: SlackUpload): Promise<SlackApiResult> {
  const reserved = await api.form("files.getUploadURLExternal", {
    filename: upload.filename,
    length: String(upload.bytes.byteLength),
  });
  if (!reserved.ok) return reserved;
  const url = reserved.body["upload_url"];
  const fileId = reserved.body["file_id"];
  if (typeof url !== "string" || typeof fileId !== "string") {
    return {
      ok: false,
      permanent: false,
      reason: "files.getUploadURLExternal: no upload_url or file_id in the answer",
    };
  }
  const sent = await api.upload(url, upload.bytes);
  if (!sent.ok) return sent;
  const message: Record<string, string> =
    upload.blocks !== undefined
      ? { blocks: JSON.stringify(upload.blocks) }
      : upload.text !== undefined && upload.text !== ""
        ? { initial_comment: upload.text }
        : {};
  return api.form("files.completeUploadExternal", {
    files: JSON.stringify([{ id: fileId, title: upload.title }]),
    channel_id: upload.channelId,
    ...message,
  });
}

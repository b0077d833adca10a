// A separate OS process that takes TAKE_COUNT tokens, one after another, from
// the shared Notion bucket in DATA_DIR in lane TAKE_LANE, printing each
// grant's serial as it gets it. Tests read its stdout to see the order.
import { createTokenBucket, type BucketLane } from "../../src/rate-limit/token-bucket.js";
import { openStore } from "../../src/store/open-store.js";

const db = openStore(process.env.DATA_DIR!);
const bucket = createTokenBucket({
  db,
  name: "notion",
  ratePerSecond: Number(process.env.TAKE_RATE),
  lane: process.env.TAKE_LANE as BucketLane,
});
for (let i = 0; i < Number(process.env.TAKE_COUNT); i++) {
  process.stdout.write(`granted ${await bucket.take()}\n`);
}
db.close();

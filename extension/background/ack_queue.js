// The acknowledgement queue: every acknowledgement is stored first, then delivered, exactly once by ack_id.
//
// The queue lives in chrome.storage.local, so it survives service-worker and browser restarts. An item leaves
// the queue only after the companion answered 2xx (it answers only once the row is committed; a retry of
// the same ack_id gets 200 with the same answer), or with a permanent refusal (409/413/422), which we keep
// aside in `ackRejected` for the popup instead of retrying forever. Each 2xx answer's seq and hash go to the
// extension's own record of the log (log_record.js).

import * as companion from "./companion.js";
import * as logRecord from "./log_record.js";

const QUEUE_KEY = "ackQueue";
const REJECTED_KEY = "ackRejected";
const ALARM = "netral-ack-retry";

// Serialises every read-modify-write of the queue within this service-worker instance.
let chain = Promise.resolve();
function serial(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
}

async function readQueue() {
  return (await chrome.storage.local.get(QUEUE_KEY))[QUEUE_KEY] ?? [];
}

export function enqueue(ack) {
  return serial(async () => {
    const queue = await readQueue();
    if (!queue.some((item) => item.ack.ack_id === ack.ack_id)) {
      queue.push({ ack, attempts: 0, queuedAt: Date.now() });
      await chrome.storage.local.set({ [QUEUE_KEY]: queue });
    }
  });
}

export async function pendingCount() {
  return (await readQueue()).length;
}

/** Tries to deliver everything queued, oldest first; stops at the first unreachable answer and schedules a retry. */
export function flush() {
  return serial(async () => {
    let queue = await readQueue();
    while (queue.length) {
      const item = queue[0];
      let outcome;
      try {
        outcome = await companion.postAcknowledgement(item.ack);
      } catch {
        item.attempts += 1;
        await chrome.storage.local.set({ [QUEUE_KEY]: queue });
        await scheduleRetry();
        return;
      }
      if (!outcome.delivered && !outcome.permanent) {
        item.attempts += 1;
        await chrome.storage.local.set({ [QUEUE_KEY]: queue });
        await scheduleRetry();
        return;
      }
      if (outcome.delivered) {
        await logRecord.noteAnswer(outcome.answer);
      } else {
        const rejected = (await chrome.storage.local.get(REJECTED_KEY))[REJECTED_KEY] ?? [];
        rejected.push({ ...item, status: outcome.status, detail: outcome.detail });
        await chrome.storage.local.set({ [REJECTED_KEY]: rejected.slice(-50) });
      }
      queue = (await readQueue()).filter((queued) => queued.ack.ack_id !== item.ack.ack_id);
      await chrome.storage.local.set({ [QUEUE_KEY]: queue });
    }
    clearTimeout(retryTimer);
    await chrome.alarms.clear(ALARM);
  });
}

// While this worker lives, retry soon with backoff (1 s, 2 s, 4 s … 30 s); the alarm is the durable backstop
// that wakes a new worker (alarms cannot fire more often than every 30 s).
let retryTimer = null;
async function scheduleRetry() {
  const attempts = (await readQueue())[0]?.attempts ?? 1;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, Math.min(1000 * 2 ** (attempts - 1), 30000));
  if (!(await chrome.alarms.get(ALARM))) {
    await chrome.alarms.create(ALARM, { delayInMinutes: 0.5, periodInMinutes: 0.5 });
  }
}

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) flush();
});
companion.onReconnect(() => flush());
companion.onConfigChanged(() => flush());

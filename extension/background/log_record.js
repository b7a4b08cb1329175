// The extension's own record of the companion's log: the highest seq it was answered and that row's hash, held
// against the log on every status, so a log rolled back or replaced as a whole (database, witness and chain key
// together, which the companion itself cannot see) is still reported as a loss.
//
// `ackHead` {seq, hash, at} is the newest row the extension was answered: a 2xx answer to an acknowledgement, or the
// status's head once the row before it was found intact. `ackLosses` lists each loss found, oldest first; it is never
// cleared (like the companion's own losses, it is evidence), only capped.

import * as companion from "./companion.js";

export const HEAD_KEY = "ackHead";
export const LOSSES_KEY = "ackLosses";
const MAX_LOSSES = 20;

let chain = Promise.resolve();
function serial(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
}

async function recorded() {
  return (await chrome.storage.local.get(HEAD_KEY))[HEAD_KEY] ?? null;
}

/** Every loss the extension found, oldest first. */
export async function losses() {
  return (await chrome.storage.local.get(LOSSES_KEY))[LOSSES_KEY] ?? [];
}

/**
 * Records a loss and moves the record to the log as it is now (`head`, or nothing for an empty log), so the same
 * loss is reported once and later answers are compared with the log that goes on.
 */
async function lose(loss, head) {
  const list = await losses();
  list.push({ ...loss, detected_at: new Date().toISOString() });
  // The first losses are the ones that matter most; keep them and the newest.
  const kept = list.length > MAX_LOSSES ? [...list.slice(0, MAX_LOSSES / 2), ...list.slice(-MAX_LOSSES / 2)] : list;
  await chrome.storage.local.set({ [LOSSES_KEY]: kept, [HEAD_KEY]: head ? { ...head, at: Date.now() } : null });
}

/** The row at `seq` in the companion's log, or null when the log has none there. */
async function rowAt(seq) {
  const page = await companion.listAcknowledgements({ after_seq: seq - 1, limit: 1 });
  const [item] = page?.items ?? [];
  return item && item.seq === seq ? item : null;
}

/**
 * Holds the record against the log: the row at the recorded seq must still be there with the recorded hash.
 * `head` is the companion's newest row when known (status), else undefined and asked for the row itself.
 */
async function compare(record, head) {
  if (!record) return;
  if (head !== undefined && (head === null || head.seq < record.seq)) {
    await lose({ kind: "behind", expected_seq: record.seq, found_seq: head?.seq ?? 0 }, head);
    return;
  }
  const row = head?.seq === record.seq ? head : await rowAt(record.seq);
  if (!row) {
    await lose({ kind: "behind", expected_seq: record.seq, found_seq: null }, null);
  } else if (row.hash !== record.hash) {
    await lose({ kind: "rewritten", expected_seq: record.seq }, head ?? { seq: row.seq, hash: row.hash });
  } else if (head && head.seq > record.seq) {
    // The receipt is intact in a longer log: the head (an answer after the proof) is the record from now on.
    await chrome.storage.local.set({ [HEAD_KEY]: { seq: head.seq, hash: head.hash, at: Date.now() } });
  }
}

/**
 * A 2xx answer {ack_id, seq, hash} to POST /v1/acknowledgements. The highest seq is kept; an answer that jumps
 * past the next seq, or lands at or below the recorded one, first has the record checked (the log may have been
 * replaced and grown again between two statuses), so a new head never hides a loss.
 */
export function noteAnswer(answer) {
  if (!Number.isSafeInteger(answer?.seq) || typeof answer.hash !== "string") return Promise.resolve();
  return serial(async () => {
    const record = await recorded();
    if (record && answer.seq === record.seq + 1) {
      await chrome.storage.local.set({ [HEAD_KEY]: { seq: answer.seq, hash: answer.hash, at: Date.now() } });
      return;
    }
    if (record && answer.seq === record.seq && answer.hash === record.hash) return; // a retry of the newest
    try { await compare(record, undefined); } catch { return; } // checked again at the next status
    const now = await recorded();
    if (!now || answer.seq > now.seq) {
      await chrome.storage.local.set({ [HEAD_KEY]: { seq: answer.seq, hash: answer.hash, at: Date.now() } });
    }
  });
}

/**
 * A status whose proof checked out: its `acknowledgements.head` (absent from companions before it existed, then
 * nothing is compared) is held against the record. An empty record starts at the head: nothing was answered yet.
 */
export function checkStatus(status) {
  const acknowledgements = status?.acknowledgements;
  const head = acknowledgements?.head;
  const wellFormed = head === null || (Number.isSafeInteger(head?.seq) && typeof head?.hash === "string");
  if (!acknowledgements || !("head" in acknowledgements) || !wellFormed) return Promise.resolve();
  return serial(async () => {
    const record = await recorded();
    if (!record) {
      if (head) await chrome.storage.local.set({ [HEAD_KEY]: { seq: head.seq, hash: head.hash, at: Date.now() } });
      return;
    }
    try {
      await compare(record, head);
    } catch {
      /* the companion went away mid-check: the next status compares again */
    }
  });
}

companion.onStatus((status) => { checkStatus(status); });

// The hand-offs waiting for the network (IndexedDB: a run's bundle can be larger than
// localStorage allows). One entry per conversation: {thread_id, run_id, mode, to, bundle}, where
// `bundle` is the run as the worker exported it (the page's copy is marked moved already), sent
// to the server again once the page is back online (handoff.js).
import { storeRunner } from "./idb_store.js";

const run = storeRunner("remi-web-handoff", "queued");

// The queued hand-offs of the page's mode ("chat" or "deep").
export async function listQueued(mode) {
  const all = await run("readonly", (store) => store.getAll());
  return all.filter((entry) => entry.mode === mode);
}

export function putQueued(entry) {
  return run("readwrite", (store) => store.put(entry));
}

export function dropQueued(threadId) {
  return run("readwrite", (store) => store.delete(threadId));
}

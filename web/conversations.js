// The page's list of conversations (id, title, last update) in IndexedDB. The messages and the runs
// themselves live in the worker's store (remi_web.stores.indexeddb); this is only the sidebar index.
// Each conversation belongs to the mode it was started in ("chat", or "deep" for the deep agent).
import { storeRunner } from "./idb_store.js";

const run = storeRunner("remi-web-page", "conversations");

export async function listConversations(mode) {
  const all = await run("readonly", (store) => store.getAll());
  return all.filter((c) => (c.mode || "chat") === mode).sort((a, b) => b.updated - a.updated);
}

// Add the conversation, or mark it updated (it keeps the title of its first message). `extra`:
// more fields of a new one (`branch_of`: the thread an edited message branched it from).
export async function touchConversation(threadId, title, mode, extra = {}) {
  const known = await run("readonly", (store) => store.get(threadId));
  const conversation = known
    ? { ...known, mode, updated: Date.now() }
    : { ...extra, thread_id: threadId, title, mode, updated: Date.now() };
  return run("readwrite", (store) => store.put(conversation));
}

export function deleteConversation(threadId) {
  return run("readwrite", (store) => store.delete(threadId));
}

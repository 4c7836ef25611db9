// The hand-offs waiting for the network (IndexedDB: a run's bundle can be larger than
// localStorage allows). One entry per conversation: {thread_id, run_id, mode, to, bundle}, where
// `bundle` is the run as the worker exported it (the page's copy is marked moved already), sent
// to the server again once the page is back online (handoff.js).
const DB = "remi-web-handoff";
const STORE = "queued";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "thread_id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

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

// The oracle of the UI message stream tests: the Vercel AI SDK's own code (the `ai` package in
// web/node_modules) reads what `remi serve` sends. Reads one JSON spec on stdin, prints one
// JSON line on stdout.
//
// Modes:
//   chat:  {mode, url, headers, chatId, text, answers: {toolName: {approved, reason}}}
//          useChat's engine (AbstractChat + DefaultChatTransport, sending again when every
//          approval is answered): send `text`, answer each approval request by tool name.
//          Prints {messages, status, errors, finishes, requests, responses}.
//   read:  {mode, url, headers, chatId, messages, trigger, messageId, message}
//          DefaultChatTransport.sendMessages, then readUIMessageStream (continuing `message`).
//          Prints {message, chunks, errors, responses}.
//   parse: {mode, sse, message}
//          The transport's own SSE parsing (parseJsonEventStream with uiMessageChunkSchema)
//          of raw response text, then readUIMessageStream. Prints {message, chunks, errors}.

import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const webDir = process.env.REMI_WEB_DIR ?? fileURLToPath(new URL('../../web/', import.meta.url));
const ai = await import(pathToFileURL(createRequire(webDir + '/package.json').resolve('ai')).href);
const {
  AbstractChat,
  DefaultChatTransport,
  lastAssistantMessageIsCompleteWithApprovalResponses,
  readUIMessageStream,
} = ai;

class MemoryState {
  constructor(messages = []) {
    this.status = 'ready';
    this.error = undefined;
    this.messages = messages;
  }
  pushMessage(message) { this.messages = this.messages.concat(message); }
  popMessage() { this.messages = this.messages.slice(0, -1); }
  replaceMessage(index, message) {
    this.messages = [...this.messages.slice(0, index), this.snapshot(message), ...this.messages.slice(index + 1)];
  }
  snapshot(value) { return structuredClone(value); }
}

class NodeChat extends AbstractChat {
  constructor({ messages, ...init }) {
    super({ ...init, state: new MemoryState(messages) });
  }
}

function recordingFetch(requests, responses) {
  return async (url, init) => {
    requests.push(JSON.parse(init.body));
    const response = await fetch(url, init);
    responses.push({ status: response.status, headers: Object.fromEntries(response.headers) });
    return response;
  };
}

async function readMessage(stream, message) {
  const [forMessage, forTypes] = stream.tee();
  const errors = [];
  const chunks = [];
  const typesRead = (async () => {
    for await (const chunk of forTypes) chunks.push(chunk);
  })().catch(error => errors.push(`chunk stream: ${error?.message ?? error}`));
  let last = message;
  for await (const snapshot of readUIMessageStream({
    message,
    stream: forMessage,
    onError: error => errors.push(error?.message ?? String(error)),
  })) {
    last = snapshot;
  }
  await typesRead;
  return { message: last ?? null, chunks, errors };
}

async function chat(spec) {
  const requests = [];
  const responses = [];
  const errors = [];
  const finishes = [];
  let finished = () => {};
  const chat = new NodeChat({
    id: spec.chatId,
    transport: new DefaultChatTransport({
      api: spec.url, headers: spec.headers, fetch: recordingFetch(requests, responses),
    }),
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
    onError: error => errors.push(error?.message ?? String(error)),
    onFinish: ({ finishReason, isError }) => {
      finishes.push({ finishReason: finishReason ?? null, isError });
      finished();
    },
  });
  await chat.sendMessage({ text: spec.text });
  for (let round = 0; round < 10; round++) {
    const last = chat.lastMessage;
    const asked = last?.role === 'assistant'
      ? last.parts.filter(part => part.state === 'approval-requested')
      : [];
    if (asked.length === 0) break;
    const next = new Promise(resolve => { finished = resolve; });
    for (const part of asked) {
      const answer = spec.answers[part.type.replace(/^tool-/, '')];
      await chat.addToolApprovalResponse({
        id: part.approval.id, approved: answer.approved, reason: answer.reason,
      });
    }
    await next; // the automatic send of the answers has been read to its end
  }
  return { messages: chat.messages, status: chat.status, errors, finishes, requests, responses };
}

async function read(spec) {
  const requests = [];
  const responses = [];
  const transport = new DefaultChatTransport({
    api: spec.url, headers: spec.headers, fetch: recordingFetch(requests, responses),
  });
  const stream = await transport.sendMessages({
    chatId: spec.chatId,
    messages: spec.messages,
    trigger: spec.trigger ?? 'submit-message',
    messageId: spec.messageId,
    abortSignal: undefined,
  });
  return { ...(await readMessage(stream, spec.message ?? undefined)), responses };
}

async function parse(spec) {
  const transport = new DefaultChatTransport();
  const body = new Response(spec.sse).body;
  return readMessage(transport.processResponseStream(body), spec.message ?? undefined);
}

let input = '';
for await (const piece of process.stdin) input += piece;
const spec = JSON.parse(input);
const modes = { chat, read, parse };
const result = await modes[spec.mode](spec);
process.stdout.write(JSON.stringify(result) + '\n');

// the public GraphQL API over fetch and graphql-transport-ws; nothing else is contacted
import { explain } from "./errors.js";

const TOKEN_KEY = "lecture-highlights-token";

export const session = {
  get token() { return localStorage.getItem(TOKEN_KEY) || ""; },
  set token(value) { localStorage.setItem(TOKEN_KEY, value); },
  clear() { localStorage.removeItem(TOKEN_KEY); },
};

export class ApiError extends Error {
  constructor(code, message, advice = "") {
    super(message);
    this.code = code;
    this.advice = advice;
  }
}

export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw explain({ code: "NETWORK" });
  }
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    const err = body && body.error ? body.error : { code: `HTTP_${response.status}` };
    throw explain(err);
  }
  if (body.errors && body.errors.length) {
    throw explain({ code: "GRAPHQL", message: body.errors[0].message });
  }
  return body.data;
}

// a union result: the expected member, or an ApiError that says what to do
export function ok(result, typename) {
  if (result && result.__typename === typename) return result;
  throw explain(result || { code: "UNKNOWN" });
}

const PROGRESS = `subscription($id: ID!) { jobProgress(jobId: $id) {
  status stage percent etaSeconds message } }`;

// live progress of one job; reconnects with backoff after a dropped socket
export function watchJob(jobId, onEvent, onState = () => {}) {
  let socket = null;
  let stopped = false;
  let attempt = 0;
  let timer = null;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/graphql`, "graphql-transport-ws");
    const ws = socket;
    ws.onopen = () => ws.send(JSON.stringify({
      type: "connection_init", payload: { authorization: `Bearer ${session.token}` },
    }));
    ws.onmessage = (message) => {
      const msg = JSON.parse(message.data);
      if (msg.type === "connection_ack") {
        attempt = 0;
        onState("live");
        ws.send(JSON.stringify({
          id: "1", type: "subscribe", payload: { query: PROGRESS, variables: { id: jobId } },
        }));
      } else if (msg.type === "next" && msg.payload.data) {
        onEvent(msg.payload.data.jobProgress);
      } else if (msg.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "complete" || msg.type === "error") {
        stopped = true;
        onState("ended");
        ws.close();
      }
    };
    ws.onclose = () => {
      if (stopped) return;
      attempt += 1;
      onState("reconnecting");
      timer = setTimeout(open, Math.min(8000, 300 * 2 ** attempt));
    };
  };
  open();
  return {
    stop() { stopped = true; clearTimeout(timer); if (socket) socket.close(); },
  };
}

export async function loadConfig() {
  const response = await fetch("/studio-config.json");
  return response.json();
}

// API errors in plain words, each with what to do next
const ADVICE = {
  NETWORK: "Cannot reach the server. Check that it is running (make run) and that you are " +
    "online, then try again.",
  UNAUTHENTICATED: "Your token was not accepted. Sign out and sign in again with a valid API token.",
  TOO_MANY_AUTH_FAILURES: "Too many attempts with a wrong token from this computer. Wait a " +
    "minute, check the token and sign in again.",
  NOT_FOUND: "This job does not exist or belongs to another account. Go back to your jobs.",
  UNSUPPORTED_TYPE: "Pick a video file: MP4, M4V, MOV, MKV, WebM, AVI or MPEG.",
  TOO_LARGE: "Compress the recording or split it into parts, then upload again.",
  INVALID_SIZE: "The file is empty. Pick the recording itself.",
  INVALID_OPTIONS: "Correct the option named above and try again.",
  JOB_BUSY: "Wait until the job is done (or cancel it), then try again.",
  NO_CLIPS: "Wait until the job is done; its clips appear here.",
  NOTHING_TO_APPLY: "Change a clip first (trim, title, captions or look), save, then apply.",
  INVALID_RANGE: "Pick a start before the end, inside the lecture.",
  INVALID_TITLE: "Type a title of 1 to 120 characters.",
  INVALID_CUES: "Keep each caption under 200 characters.",
  UPLOAD_FAILED: "The upload did not finish. Check your connection and upload the file again.",
  GRAPHQL: "The request was refused. Reload the page; if it happens again, tell the operator.",
};

export function explain(err) {
  const code = err.code || err.__typename || "UNKNOWN";
  let message = err.message || "Something went wrong.";
  let advice = ADVICE[code] || "";
  if (err.__typename === "QuotaExceededError" || code === "RATE_LIMITED") {
    message = "You have made many requests in the last minute.";
    advice = `Wait ${err.retryAfterSeconds || 60} seconds and try again.`;
  }
  if (code.startsWith("HTTP_5")) {
    message = "The server had a problem answering.";
    advice = "Try again in a moment; if it persists, tell the operator.";
  }
  const error = new Error(message);
  error.code = code;
  error.advice = advice;
  return error;
}

// a failed job's error, e.g. NO_AUDIO: the server's message already says what to do
export function jobFailure(job) {
  if (!job.error) return null;
  return { code: job.error.code, message: job.error.message };
}

// one job: clips, chapters (jump the source preview), transcript with clip ranges, downloads
import { gql, ok, watchJob } from "./api.js";
import { clock, eta, h, showError, showNotice } from "./dom.js";
import { reviewPanel } from "./review.js";

const JOB = `query($id: ID!) { job(id: $id) { id filename status stage progress etaSeconds message
  error { code message } sourceUrl edlUrl fcpxmlUrl
  chapters { start end title }
  clips { index start end duration title reason version edited videoUrl srtUrl vttUrl
    thumbnailUrl cues { start end text } }
  sentences { start end text }
  edits { index author editedAt start end title captionStyle layout status note
    captions { sourceStart sourceEnd text } } } }`;
const ARCHIVE = `mutation($id: ID!) { jobArchive(jobId: $id) { __typename
  ... on JobArchive { url sizeBytes } ... on ValidationError { code message }
  ... on NotFoundError { code message } ... on AuthError { code message } } }`;

function clipCard(clip, onReview) {
  const video = h("video", { controls: true, preload: "metadata", poster: clip.thumbnailUrl,
    src: `${clip.videoUrl}`, "aria-label": `Clip ${clip.index}: ${clip.title}`,
    "data-clip": clip.index, "data-version": clip.version });
  return h("li", { class: "clip", id: `clip-${clip.index}` },
    video,
    h("h3", {}, `${clip.index}. ${clip.title}`),
    h("p", { class: "muted" }, `${clock(clip.start)}–${clock(clip.end)} · ${clip.duration.toFixed(1)} s`,
      h("span", { class: "badge version" }, ` v${clip.version}`),
      clip.edited ? h("span", { class: "badge edited" }, "edited") : null),
    h("p", { class: "downloads" },
      h("a", { href: clip.videoUrl, download: "" }, "MP4"), " ",
      h("a", { href: clip.srtUrl, download: "" }, "SRT"), " ",
      h("a", { href: clip.vttUrl, download: "" }, "VTT")),
    h("button", { type: "button", onclick: () => onReview(clip.index),
      "aria-label": `Review clip ${clip.index}` }, "Review and fix"));
}

function transcriptView(job, selected) {
  const ranges = job.clips.map((c) => [c.index, c.start, c.end]);
  const items = job.sentences.map((s, i) => {
    const clip = ranges.find(([, a, b]) => s.start >= a - 0.05 && s.end <= b + 0.05);
    const inSelected = selected && s.start >= selected.start - 0.05 && s.end <= selected.end + 0.05;
    return h("li", { class: [clip ? "in-clip" : "", inSelected ? "selected" : ""].join(" "),
      "data-start": s.start, "data-end": s.end, id: `sentence-${i}` },
      h("span", { class: "time" }, clock(s.start)),
      clip ? h("span", { class: "badge" }, `clip ${clip[0]}`) : null,
      " ", s.text);
  });
  return h("ol", { class: "transcript", id: "transcript" }, items);
}

export async function renderJob(main, jobId) {
  let watcher = null;
  let selected = null;
  let job = null;
  const load = async () => {
    const data = await gql(JOB, { id: jobId });
    return data.job;
  };
  const draw = () => {
    const source = job.sourceUrl ? h("video", { controls: true, preload: "metadata",
      src: job.sourceUrl, id: "source", "aria-label": "The whole lecture" }) : null;
    const chapters = h("ol", { class: "chapters", id: "chapters" }, job.chapters.map((c) =>
      h("li", {}, h("button", { type: "button", class: "link", onclick: () => {
        if (source) { source.currentTime = c.start; source.focus(); }
      } }, `${clock(c.start)} ${c.title}`))));
    const status = h("p", { class: "status", id: "job-status", "aria-live": "polite" },
      h("span", { class: `badge ${job.status.toLowerCase()}` }, job.status.toLowerCase()), " ",
      [job.stage, job.message, eta(job.etaSeconds)].filter(Boolean).join(" · "));
    const bar = h("progress", { max: 100, value: job.progress, "aria-label": "Job progress" });
    const failure = job.error ? h("div", { class: "alert error inline", role: "alert" },
      h("strong", {}, `The job failed (${job.error.code}). `), job.error.message) : null;
    const archive = h("button", { type: "button", id: "zip", onclick: async () => {
      try {
        const a = ok((await gql(ARCHIVE, { id: job.id })).jobArchive, "JobArchive");
        const link = h("a", { href: a.url, download: "" });
        document.body.append(link);
        link.click();
        link.remove();
        showNotice(`The zip (${(a.sizeBytes / 1e6).toFixed(1)} MB) is downloading.`);
      } catch (err) { showError(err); }
    } }, "Whole job (zip)");
    const downloads = h("p", { class: "downloads" },
      job.edlUrl ? h("a", { href: job.edlUrl, download: "" }, "EDL") : null, " ",
      job.fcpxmlUrl ? h("a", { href: job.fcpxmlUrl, download: "" }, "FCPXML") : null, " ",
      job.clips.length ? archive : null);
    const review = selected !== null
      ? reviewPanel(job, job.clips.find((c) => c.index === selected), {
        onClose: () => { selected = null; draw(); },
        onApplied: () => follow(),
        onSaved: async () => { job = await load(); draw(); },
      }) : null;
    const selectedClip = job.clips.find((c) => c.index === selected);
    main.replaceChildren(...[
      h("p", {}, h("a", { href: "#/" }, "← Your jobs")),
      h("h1", {}, job.filename), status, bar, failure,
      h("div", { class: "columns" },
        h("section", { class: "card", "aria-labelledby": "clips-title" },
          h("h2", { id: "clips-title" }, "Clips"),
          job.clips.length ? h("ul", { class: "gallery", id: "gallery" },
            job.clips.map((c) => clipCard(c, (i) => { selected = i; draw();
              document.getElementById("review")?.focus(); })))
            : h("p", { class: "muted" }, "Clips appear here when the job is done."),
          job.clips.length ? h("h3", {}, "Downloads") : null, downloads),
        review,
        h("section", { class: "card", "aria-labelledby": "source-title" },
          h("h2", { id: "source-title" }, "Lecture and chapters"), source, chapters),
        h("section", { class: "card", "aria-labelledby": "transcript-title" },
          h("h2", { id: "transcript-title" }, "Transcript"),
          h("p", { class: "muted" }, "Sentences inside a clip are marked; clip edges snap to sentence edges."),
          transcriptView(job, selectedClip)))].filter(Boolean));
  };
  const follow = () => {
    if (watcher) watcher.stop();
    watcher = watchJob(jobId, async (ev) => {
      Object.assign(job, { status: ev.status, stage: ev.stage, progress: ev.percent,
        etaSeconds: ev.etaSeconds, message: ev.message });
      if (["DONE", "FAILED", "CANCELLED"].includes(ev.status)) {
        job = await load();
        if (ev.status === "DONE") showNotice("The job is done: the clips below are the newest versions.");
      }
      const keepFocus = document.activeElement && document.activeElement.id;
      draw();
      if (keepFocus) document.getElementById(keepFocus)?.focus();
    });
  };
  try {
    job = await load();
  } catch (err) {
    showError(err);
    return () => {};
  }
  if (!job) {
    main.replaceChildren(h("h1", {}, "Job not found"),
      h("p", {}, "This job does not exist or belongs to another account. ",
        h("a", { href: "#/" }, "Go back to your jobs.")));
    return () => {};
  }
  draw();
  if (!["DONE", "FAILED", "CANCELLED"].includes(job.status)) follow();
  return () => watcher && watcher.stop();
}

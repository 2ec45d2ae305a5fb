// one job: clips, chapters (jump the source preview), transcript with clip ranges, downloads
import { gql, ok, watchJob } from "./api.js";
import { clock, eta, h, showError, showNotice } from "./dom.js";
import { reviewPanel } from "./review.js";

const JOB = `query($id: ID!) { job(id: $id) { id filename status stage progress etaSeconds message
  error { code message } media { source edl fcpxml }
  chapters { start end title }
  clips { index start end duration title reason version edited
    media { video videoDownload srt vtt thumbnail } cues { start end text } }
  sentences { start end text }
  edits { index author editedAt start end title captionStyle layout status note
    captions { sourceStart sourceEnd text } } } }`;
const ARCHIVE = `mutation($id: ID!) { jobArchive(jobId: $id) { __typename
  ... on JobArchive { mediaUrl sizeBytes } ... on ValidationError { code message }
  ... on NotFoundError { code message } ... on AuthError { code message } } }`;
const TERMINAL = ["DONE", "FAILED", "CANCELLED"];

function clipCard(clip, onReview) {
  const video = h("video", { controls: true, preload: "metadata", poster: clip.media.thumbnail,
    src: clip.media.video, "aria-label": `Clip ${clip.index}: ${clip.title}`,
    "data-clip": clip.index, "data-version": clip.version });
  return h("li", { class: "clip", id: `clip-${clip.index}`, "data-key": `${clip.index}:${clip.version}` },
    video,
    h("h3", {}, `${clip.index}. ${clip.title}`),
    h("p", { class: "muted" }, `${clock(clip.start)}–${clock(clip.end)} · ${clip.duration.toFixed(1)} s`,
      h("span", { class: "badge version" }, ` v${clip.version}`),
      clip.edited ? h("span", { class: "badge edited" }, "edited") : null),
    h("p", { class: "downloads" },
      h("a", { href: clip.media.videoDownload, download: "", "data-link": "videoDownload" }, "MP4"), " ",
      h("a", { href: clip.media.srt, download: "", "data-link": "srt" }, "SRT"), " ",
      h("a", { href: clip.media.vtt, download: "", "data-link": "vtt" }, "VTT")),
    h("button", { type: "button", onclick: () => onReview(clip.index),
      "aria-label": `Review clip ${clip.index}` }, "Review and fix"));
}

// replace what `slot` holds only when `key` changed: untouched elements keep playing
function refill(slot, key, build) {
  if (slot.dataset.key === key) return;
  slot.dataset.key = key;
  slot.replaceChildren(...[build()].flat().filter(Boolean));
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
  // the page is built once; progress events touch only the status line and the bar
  const title = h("h1", {});
  const badge = h("span", {});
  const detail = h("span", {});
  const status = h("p", { class: "status", id: "job-status", "aria-live": "polite" }, badge, " ", detail);
  const bar = h("progress", { max: 100, value: 0, "aria-label": "Job progress" });
  const failure = h("div", { class: "slot" });
  const gallery = h("ul", { class: "gallery", id: "gallery" });
  const noClips = h("p", { class: "muted" }, "Clips appear here when the job is done.");
  const downloadsTitle = h("h3", {}, "Downloads");
  const downloads = h("p", { class: "downloads" });
  const review = h("div", { class: "slot" });
  const sourceSlot = h("div", { class: "slot" });
  const chapters = h("ol", { class: "chapters", id: "chapters" });
  const transcript = h("div", { class: "slot" });
  const archive = h("button", { type: "button", id: "zip", onclick: async () => {
    try {
      const a = ok((await gql(ARCHIVE, { id: job.id })).jobArchive, "JobArchive");
      const link = h("a", { href: a.mediaUrl, download: "" });
      document.body.append(link);
      link.click();
      link.remove();
      showNotice(`The zip (${(a.sizeBytes / 1e6).toFixed(1)} MB) is downloading.`);
    } catch (err) { showError(err); }
  } }, "Whole job (zip)");

  const drawStatus = () => {
    badge.className = `badge ${job.status.toLowerCase()}`;
    badge.textContent = job.status.toLowerCase();
    detail.textContent = [job.stage, job.message, eta(job.etaSeconds)].filter(Boolean).join(" · ");
    bar.value = job.progress;
  };
  const source = () => sourceSlot.querySelector("video");
  const drawGallery = () => {
    const cards = new Map([...gallery.children].map((li) => [li.dataset.key, li]));
    const wanted = job.clips.map((c) => cards.get(`${c.index}:${c.version}`)
      || clipCard(c, (i) => { selected = i; drawReview(); drawTranscript();
        document.getElementById("review")?.focus(); }));
    const same = wanted.length === gallery.children.length
      && wanted.every((li, i) => gallery.children[i] === li);
    if (!same) gallery.replaceChildren(...wanted);
    // kept cards get the fresh links (links expire; changing an href restarts nothing)
    job.clips.forEach((c, i) => wanted[i].querySelectorAll("a[data-link]").forEach((a) => {
      a.href = c.media[a.dataset.link];
    }));
    gallery.hidden = !job.clips.length;
    noClips.hidden = !!job.clips.length;
    downloadsTitle.hidden = !job.clips.length;
  };
  const drawReview = () => {
    const clip = job.clips.find((c) => c.index === selected);
    const edit = job.edits.find((e) => e.index === selected);
    refill(review, clip ? JSON.stringify([clip.index, clip.version, clip.title, clip.cues, edit]) : "", () =>
      clip ? reviewPanel(job, clip, {
        onClose: () => { selected = null; drawReview(); drawTranscript(); },
        onApplied: () => follow(),
        onSaved: async () => { job = await load(); drawAll(); },
      }) : null);
  };
  const drawTranscript = () => {
    const clip = job.clips.find((c) => c.index === selected);
    const key = JSON.stringify([job.clips.map((c) => [c.index, c.start, c.end]),
      clip ? [clip.start, clip.end] : null, job.sentences.length]);
    refill(transcript, key, () => transcriptView(job, clip));
  };
  const drawAll = () => {
    title.textContent = job.filename;
    drawStatus();
    refill(failure, JSON.stringify(job.error), () => job.error
      ? h("div", { class: "alert error inline", role: "alert" },
        h("strong", {}, `The job failed (${job.error.code}). `), job.error.message) : null);
    drawGallery();
    refill(downloads, JSON.stringify([job.media?.edl, job.media?.fcpxml, job.clips.length > 0]), () => [
      job.media?.edl ? h("a", { href: job.media.edl, download: "" }, "EDL") : null, " ",
      job.media?.fcpxml ? h("a", { href: job.media.fcpxml, download: "" }, "FCPXML") : null, " ",
      job.clips.length ? archive : null]);
    drawReview();
    // the lecture's preview is made once: a new link for the same file must not restart it
    if (job.media?.source && !source()) {
      sourceSlot.replaceChildren(h("video", { controls: true, preload: "metadata",
        src: job.media.source, id: "source", "aria-label": "The whole lecture" }));
    }
    refill(chapters, JSON.stringify(job.chapters), () => job.chapters.map((c) =>
      h("li", {}, h("button", { type: "button", class: "link", onclick: () => {
        const video = source();
        if (video) { video.currentTime = c.start; video.focus(); }
      } }, `${clock(c.start)} ${c.title}`))));
    drawTranscript();
  };
  const follow = () => {
    if (watcher) watcher.stop();
    watcher = watchJob(jobId, async (ev) => {
      Object.assign(job, { status: ev.status, stage: ev.stage, progress: ev.percent,
        etaSeconds: ev.etaSeconds, message: ev.message });
      drawStatus();
      if (TERMINAL.includes(ev.status)) {
        job = await load();
        drawAll();
        if (ev.status === "DONE") showNotice("The job is done: the clips below are the newest versions.");
      }
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
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/" }, "← Your jobs")),
    title, status, bar, failure,
    h("div", { class: "columns" },
      h("section", { class: "card", "aria-labelledby": "clips-title" },
        h("h2", { id: "clips-title" }, "Clips"), gallery, noClips, downloadsTitle, downloads),
      review,
      h("section", { class: "card", "aria-labelledby": "source-title" },
        h("h2", { id: "source-title" }, "Lecture and chapters"), sourceSlot, chapters),
      h("section", { class: "card", "aria-labelledby": "transcript-title" },
        h("h2", { id: "transcript-title" }, "Transcript"),
        h("p", { class: "muted" }, "Sentences inside a clip are marked; clip edges snap to sentence edges."),
        transcript)));
  drawAll();
  if (!TERMINAL.includes(job.status)) follow();
  const reload = async () => { job = await load(); drawAll(); };
  // links live about an hour: a player whose link expired (or failed) gets a fresh one, once
  // a minute at most, at the same position; the links on the page are renewed meanwhile
  let renewedAt = 0;
  const renewPlayer = async (event) => {
    const player = event.target;
    if (!(player instanceof HTMLMediaElement) || Date.now() - renewedAt < 60_000) return;
    renewedAt = Date.now();
    try {
      await reload();
      const clip = job.clips.find((c) => String(c.index) === player.dataset.clip);
      const link = player.id === "source" ? job.media?.source : clip?.media.video;
      if (link && new URL(link, location.href).href !== player.src) {
        const at = player.currentTime;
        player.src = link;
        player.currentTime = at;
      }
    } catch (err) { showError(err); }
  };
  main.addEventListener("error", renewPlayer, true);  // media errors do not bubble
  const renew = setInterval(() => reload().catch(() => {}), 10 * 60_000);
  return () => {
    main.removeEventListener("error", renewPlayer, true);
    clearInterval(renew);
    if (watcher) watcher.stop();
  };
}

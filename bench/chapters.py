"""`python -m bench.chapters`: chapter accuracy on real MIT lectures and synthetic ones.

Real lectures: the `ai/manual` and `physics/manual` transcripts of Malioutov & Barzilay (2006)
as stored in github.com/jacobeisenstein/bayes-seg (data/lectures), with human topic
boundaries. The repository is GPL-2 code with no separate licence for the transcripts, so
they are not part of this project: extract them once from a clone into the git-ignored
default folder (or anywhere, then pass --corpus):

    git clone https://github.com/jacobeisenstein/bayes-seg /tmp/bayes-seg
    mkdir -p bench/.cache/bayes-seg
    git -C /tmp/bayes-seg archive HEAD data/lectures | tar -x -C bench/.cache/bayes-seg

Nothing is downloaded at run time; without the corpus the real-lecture part is skipped with
this message. Times come from word counts (150 words a minute); scores are over the corpus
sentences, beside two baselines from the same run: no boundary at all, and boundaries
evenly spaced at the human count.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench import content_accuracy
from bench.real_lectures import (
    DEFAULT_CORPUS,
    SUBSETS,
    evenly_spaced,
    load_subset,
    pk_windowdiff,
    recall_precision,
    timed_transcript,
    to_sentence_bounds,
)
from lecture_assets.analysis.content.embeddings import SentenceEmbedder
from lecture_assets.analysis.content.score import LocalScorer, score_content
from tests.fixtures.topic_lectures import easy_lectures, hard_lectures

OUT = Path(__file__).parent / "results" / "chapters.json"
CACHE = Path(__file__).parent / ".cache" / "embeddings"
METHODS = ("ours", "none", "even@gold")


class CachedEmbedder(SentenceEmbedder):
    """The real embedder, remembering each lecture's vectors on disk between bench runs."""

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Embed `texts`, or load the vectors an earlier run stored for the same texts."""
        key = hashlib.sha1("\n".join([self.model, *texts]).encode()).hexdigest()
        path = CACHE / f"{key}.npy"
        if path.is_file():
            return np.asarray(np.load(path), dtype=np.float32)
        out = super().embed(texts)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
        return out


def evaluate_subset(root: Path, subset: str, scorer: LocalScorer) -> dict[str, Any]:
    """Per-lecture and mean Pk, WindowDiff, counts, recall and precision for ours and baselines."""
    rows = []
    for lec in load_subset(root, subset):
        transcript, starts = timed_transcript(lec)
        out = score_content(transcript, None, None, scorer)
        n, gold = len(lec.sentences), lec.boundaries
        hyps = {
            "ours": to_sentence_bounds(starts, [c.start for c in out.chapters]),
            "none": [],
            "even@gold": evenly_spaced(n, len(gold)),
        }
        row: dict[str, Any] = {"lecture": lec.name, "gold_chapters": len(gold) + 1}
        for name, hyp in hyps.items():
            pk, wd = pk_windowdiff(n, gold, hyp)
            rec, pre = recall_precision(gold, hyp)
            row[name] = {"pk": pk, "wd": wd, "chapters": len(hyp) + 1, "recall": rec,
                         "precision": pre}  # fmt: skip
        rows.append(row)
        print(f"  {subset} {lec.name}: ours {row['ours']['chapters']} chapters vs gold "
              f"{row['gold_chapters']}, Pk {row['ours']['pk']:.3f}", file=sys.stderr)  # fmt: skip
    gold_mean = float(np.mean([r["gold_chapters"] for r in rows]))
    summary: dict[str, Any] = {"lectures": len(rows), "gold_chapters": round(gold_mean, 2)}
    for name in METHODS:
        counts = [r[name]["chapters"] for r in rows]
        summary[name] = {
            key: round(float(np.mean([r[name][key] for r in rows])), 3)
            for key in ("pk", "wd", "chapters", "recall", "precision")
        }
        summary[name]["count_rel_error"] = round(
            float(np.mean([abs(c - r["gold_chapters"]) / r["gold_chapters"]
                           for c, r in zip(counts, rows, strict=True)])), 3
        )  # fmt: skip
    return {"summary": summary, "lectures": rows}


def _table(results: dict[str, Any]) -> str:
    head = ("| set | method | Pk | WindowDiff | chapters/lecture (gold) | recall +-2 | "
            "precision +-2 |\n|---|---|---|---|---|---|---|")  # fmt: skip
    lines = [head]
    for subset in (*SUBSETS, "synthetic easy", "synthetic hard"):
        res = results.get(subset)
        if res is None or "summary" not in res:
            continue
        s = res["summary"]
        for name in METHODS:
            m = s[name]
            lines.append(
                f"| {subset} | {name} | {m['pk']:.3f} | {m['wd']:.3f} | "
                f"{m['chapters']:.1f} ({s['gold_chapters']:.1f}) | {m['recall']:.2f} | "
                f"{m['precision']:.2f} |"
            )
    return "\n".join(lines)


def _synthetic(scorer: LocalScorer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, lectures in (("synthetic easy", easy_lectures), ("synthetic hard", hard_lectures)):
        res = content_accuracy.evaluate(lectures(content_accuracy.SEEDS), scorer)
        out[name] = {"pk": res["pk"], "wd": res["window_diff"], "clip_purity": res["clip_purity"],
                     "chapter_count_abs_error": res["chapter_count_abs_error"]}  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the tables and write bench/results/chapters.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"the bayes-seg data/lectures folder (default {DEFAULT_CORPUS})",
    )
    parser.add_argument("--subsets", nargs="+", default=list(SUBSETS))
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)  # fmt: skip
    scorer = LocalScorer(CachedEmbedder())
    results: dict[str, Any] = {}
    missing = [s for s in args.subsets if not (args.corpus / s).is_dir()]
    if missing:
        print(f"skipping real lectures: {', '.join(missing)} not found under {args.corpus}. "
              "Extract them as the module docstring says (python -m bench.chapters --help "
              "shows where), or pass --corpus.", file=sys.stderr)  # fmt: skip
    for subset in args.subsets:
        if subset not in missing:
            results[subset] = evaluate_subset(args.corpus, subset, scorer)
    if not args.no_synthetic:
        results["synthetic"] = _synthetic(scorer)
    if not args.no_speed:
        results["speed_2h"] = content_accuracy.speed(scorer)
    print(_table(results))
    for name, res in results.get("synthetic", {}).items():
        print(f"{name}: Pk {res['pk']:.3f}, WindowDiff {res['wd']:.3f}, clip purity "
              f"{res['clip_purity']:.3f}")  # fmt: skip
    if "speed_2h" in results:
        sp = results["speed_2h"]
        print(
            f"speed: {sp['minutes']} min transcript, {sp['sentences']} sentences -> "
            f"{sp['chapters']} chapters in {sp['content_s']} s wall, {sp['content_cpu_s']} s CPU "
            "(content agent, model loaded)"
        )
    for subset in args.subsets:
        if subset in results:
            s = results[subset]["summary"]
            print(f"{subset}: chapters per lecture {s['ours']['chapters']:.1f} vs gold "
                  f"{s['gold_chapters']:.1f} (mean per-lecture |error| "
                  f"{100 * s['ours']['count_rel_error']:.0f} %)")  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

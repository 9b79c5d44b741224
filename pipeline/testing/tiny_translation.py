"""A tiny Argos Translate package built in code, for tests of `film translations --fill`: a
CTranslate2 Transformer of one layer with random weights, a SentencePiece model trained on a
few sentences, and a MiniSBD sentence splitter that is one lookup table (every character "not
a boundary": a paragraph is one sentence), laid out as Argos installs a package. Its
translations are nonsense; what it tests is that the real loading and translating code runs,
as the tiny diffusers pipelines do (`tiny_pipelines.py`). No weights are downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = ("Water rises from the sea.", "Then it falls as rain.", "The sun heats the sea.", "Hello, world!")
WIDTH, FEED = 16, 32   # the Transformer's model and feed-forward sizes


def make_package(packages: Path, source: str = "en", target: str = "es", seed: int = 0) -> Path:
    """Write a package translating `source` to `target` into `packages/translate-SRC_TGT/` (a
    folder Argos reads when `ARGOS_PACKAGES_DIR` names `packages`); returns its folder."""
    folder = Path(packages) / f"translate-{source}_{target}"
    folder.mkdir(parents=True, exist_ok=True)
    pieces = _sentencepiece(folder / "sentencepiece")
    _transformer(folder / "model", ["<blank>", "<unk>", "<s>", "</s>"] + pieces, seed)
    _sentence_splitter(folder / "minisbd" / f"{source}.onnx", source)
    (folder / "metadata.json").write_text(json.dumps({
        "package_version": "0.0", "argos_version": "1.9", "type": "translate", "from_code": source,
        "from_name": source, "to_code": target, "to_name": target}), encoding="utf-8")
    return folder


def _sentencepiece(prefix: Path) -> list[str]:
    """Train a SentencePiece model at `prefix`.model; its pieces, the special ones left out."""
    import sentencepiece

    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 20), model_prefix=str(prefix), vocab_size=40, model_type="bpe",
        bos_id=-1, eos_id=0, unk_id=1, pad_id=2, hard_vocab_limit=False, minloglevel=2)
    model = sentencepiece.SentencePieceProcessor(model_file=f"{prefix}.model")
    return [model.id_to_piece(i) for i in range(3, model.get_piece_size())]


def _transformer(folder: Path, vocabulary: list[str], seed: int) -> None:
    """A CTranslate2 Transformer (one layer each side, two heads) with random weights."""
    import ctranslate2
    import numpy as np

    spec = ctranslate2.specs.TransformerSpec.from_config(num_layers=1, num_heads=2)
    rng = np.random.default_rng(seed)
    size = len(vocabulary)
    for name, value in spec.variables().items():
        if value is not None:
            continue
        shape = _shape(name, size)
        filled = np.ones(shape, np.float32) if name.endswith("gamma") else \
            np.zeros(shape, np.float32) if name.endswith("beta") else rng.normal(0, 0.1, shape).astype(np.float32)
        _set(spec, name, filled)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=None)
    folder.mkdir(parents=True, exist_ok=True)
    spec.save(str(folder))


def _shape(name: str, vocabulary: int) -> tuple[int, ...]:
    """A variable's shape in CTranslate2's Transformer layout (fused QKV in self-attention,
    fused KV in cross-attention)."""
    if "embeddings" in name or name.endswith("projection/weight"):
        return vocabulary, WIDTH
    if "layer_norm" in name:
        return (WIDTH,)
    if "self_attention/linear_0" in name:
        return 3 * WIDTH, WIDTH
    if "/attention/linear_1" in name:
        return 2 * WIDTH, WIDTH
    if "ffn/linear_0" in name:
        return FEED, WIDTH
    if "ffn/linear_1" in name:
        return WIDTH, FEED
    return WIDTH, WIDTH


def _set(spec, name: str, value) -> None:
    """Set the variable `name` (`decoder/layer_0/ffn/linear_0/weight`) of `spec`."""
    node = spec
    *path, last = name.split("/")
    for part in path:
        head, _, index = part.rpartition("_")
        layers = getattr(node, head, None)
        node = layers[int(index)] if index.isdigit() and isinstance(layers, (list, tuple)) else getattr(node, part)
    setattr(node, last, value)


def _sentence_splitter(path: Path, language: str) -> None:
    """A MiniSBD model: ONNX, characters in (`units`, `features`), five classes per character
    out; this one a lookup table that finds no boundary (MiniSBD ends a paragraph's last
    sentence itself). Its settings and vocabulary are in the model's metadata, as MiniSBD's are."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    units = ["<PAD>", "<UNK>"] + sorted(set("".join(CORPUS)) | set("abcdefghijklmnopqrstuvwxyz"))
    table = np.zeros((len(units), 5), np.float32)
    table[:, 0] = 1.0
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "units"], ["logits"], axis=0)], "sentences",
        [helper.make_tensor_value_info("units", TensorProto.INT64, ["batch", "length"]),
         helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", "length", "features"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "length", 5])],
        [numpy_helper.from_array(table, "table")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    vocabulary = {"lang": language, "idx": 0, "cutoff": 0, "lower": False,
                  "_unit2id": {u: i for i, u in enumerate(units)}, "_id2unit": units}
    for key, value in {"lang_code": language, "lexicon": "null", "vocab": json.dumps(vocabulary),
                       "config": json.dumps({"feat_funcs": [], "max_seqlen": 300, "batch_size": 8})}.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))

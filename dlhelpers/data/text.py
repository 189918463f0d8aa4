"""Real English text for a character-level model, shipped with Python itself.

:func:`python_docs_text` reads ``pydoc_data.topics``, the module behind ``help("assert")`` and
the other ``help()`` topics: the English text of the Python Language Reference's sections on
statements, expressions, operators and types, installed with every CPython. It needs no network
and no extra package, but it is the text of *this* Python's version, so its exact characters
change from one Python release to the next (the description names the version).

:class:`CharVocab` maps characters to integer ids and back; :func:`char_windows` cuts an id
sequence into (input, next-character target) windows.

    >>> from dlhelpers.data import python_docs_text, CharVocab, char_windows
    >>> corpus = python_docs_text(max_chars=50_000)
    >>> vocab = CharVocab.from_text(corpus.text)
    >>> X, Y = char_windows(vocab.encode(corpus.text), length=64, step=32)   # (N, 64) ids each
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import numpy as np

from .._checks import _fail, check_number, check_positive

__all__ = ["TextCorpus", "python_docs_text", "CharVocab", "char_windows"]


@dataclass
class TextCorpus:
    """A text with a note on what it is: ``text``, ``name``, ``description``, ``source``."""
    text: str
    name: str
    description: str
    source: str

    def __len__(self):
        return len(self.text)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"TextCorpus({self.name!r}: {len(self.text):,} characters; {self.source})"

    def describe(self) -> str:
        """One line for the screen: which text, how long, from where."""
        return f"Data: {self.name} — {self.description} [{len(self.text):,} characters; source: {self.source}]"


#: typographic punctuation → ASCII (the rest of the text is ASCII apart from a handful of letters)
_ASCII_PUNCTUATION = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "--", "…": "..."})
_UNDERLINE = re.compile(r"^[ \t]*([*=\-^~#])\1{2,}[ \t]*$")      # reST heading underlines: ****, ====, ----


def _clean(text: str) -> str:
    text = text.translate(_ASCII_PUNCTUATION).replace("\t", "    ")
    lines = [ln.rstrip() for ln in text.split("\n") if not _UNDERLINE.match(ln)]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def python_docs_text(max_chars=200_000) -> TextCorpus:
    """The English help texts of this Python's ``help()`` system, as one string.

    The topics of ``pydoc_data.topics.topics`` (about 80, from "assert" to "yield") are joined
    in alphabetical order of their keys, separated by a blank line, and lightly cleaned:

    * typographic quotes, dashes and the ellipsis become ASCII (' " - -- ...), tabs four spaces;
    * heading underlines (lines of only ``*``, ``=``, ``-``, ``^``, ``~`` or ``#``) are removed;
    * trailing spaces are stripped and runs of blank lines become one blank line.

    Indentation (code examples and grammar rules) is kept.

    Args:
        max_chars: keep the first ``max_chars`` characters (positive int), or None for all
            (about 450,000 in Python 3.11).

    Returns:
        :class:`TextCorpus` whose description names the Python version and the number of topics.
    """
    func = "python_docs_text"
    if max_chars is not None:
        check_positive(max_chars, "max_chars", func, integer=True)
    try:
        from pydoc_data.topics import topics
    except ImportError as exc:  # pragma: no cover - part of the standard library
        raise ImportError("python_docs_text needs the standard-library module pydoc_data (the help() texts); "
                          "this Python was installed without it. Install the full Python distribution "
                          "(e.g. Debian's python3 package rather than python3-minimal).") from exc
    text = _clean("\n\n".join(topics[key].strip() for key in sorted(topics)))
    full = len(text)
    if max_chars is not None:
        text = text[:max_chars]
    version = ".".join(str(v) for v in sys.version_info[:3])
    kept = "all" if len(text) == full else f"the first {len(text):,} of {full:,}"
    return TextCorpus(
        text, "Python help() texts",
        f"English text of the {len(topics)} help() topics of Python {version} (the Language Reference's "
        f"sections on statements, expressions, operators and types), in alphabetical order of topic; "
        f"typographic punctuation made ASCII, heading underlines and extra blank lines removed; {kept} characters",
        f"pydoc_data.topics in Python {version}'s standard library (offline); the Python documentation, "
        "(c) Python Software Foundation, PSF License v2")


class CharVocab:
    """Characters ↔ integer ids: id i is ``chars[i]``, characters in sorted order.

    Example:
        >>> v = CharVocab.from_text("hello")
        >>> v.chars, v.encode("hole").tolist(), v.decode([3, 1])
        ('ehlo', [1, 3, 2, 0], 'oh')
    """

    def __init__(self, chars):
        if not isinstance(chars, str) or not chars:
            _fail("chars", "CharVocab", "a non-empty string of distinct characters", repr(chars)[:60],
                  "Build one with CharVocab.from_text(text).", exc=TypeError if not isinstance(chars, str) else ValueError)
        if len(set(chars)) != len(chars):
            _fail("chars", "CharVocab", "distinct characters", f"{len(chars) - len(set(chars))} repeated",
                  "Build one with CharVocab.from_text(text).")
        self.chars = chars
        self._index = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text) -> "CharVocab":
        """The vocabulary of every distinct character in ``text`` (a non-empty str), sorted."""
        if isinstance(text, TextCorpus):
            text = text.text
        if not isinstance(text, str) or not text:
            _fail("text", "CharVocab.from_text", "a non-empty str", f"{type(text).__name__} {str(text)[:30]!r}",
                  "Pass the text itself, e.g. python_docs_text().text.",
                  exc=TypeError if not isinstance(text, str) else ValueError)
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        """The number of distinct characters (ids run from 0 to size-1)."""
        return len(self.chars)

    def __len__(self):
        return self.size

    def __repr__(self):
        return f"CharVocab({self.size} characters)"

    def encode(self, text) -> np.ndarray:
        """A str → its ids, (len(text),) int64. Characters outside the vocabulary are an error."""
        if not isinstance(text, str):
            _fail("text", "CharVocab.encode", "a str", type(text).__name__, "Pass a string.", exc=TypeError)
        try:
            return np.fromiter((self._index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            unknown = sorted(set(text) - set(self.chars))
            _fail("text", "CharVocab.encode", "made of the vocabulary's characters",
                  f"{len(unknown)} unknown: {''.join(unknown)[:20]!r}",
                  "Build the vocabulary from a text that contains them, or remove them first.")
            raise  # pragma: no cover

    def decode(self, ids) -> str:
        """Ids (any sequence of ints in [0, size)) → the str they stand for."""
        arr = _ids(ids, "ids", "CharVocab.decode", ndim=1)
        if arr.size and arr.max() >= self.size:
            _fail("ids", "CharVocab.decode", f"in [0, {self.size - 1}]", f"the id {int(arr.max())}",
                  "Decode with the vocabulary that encoded the ids.")
        return "".join(self.chars[i] for i in arr)


def _ids(ids, name, func, ndim):
    arr = np.asarray(ids)
    if arr.ndim != ndim:
        _fail(name, func, f"{ndim}-D", f"shape {arr.shape}", "Pass one sequence of ids, e.g. vocab.encode(text).")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        _fail(name, func, "integer ids", f"dtype {arr.dtype}", "Use vocab.encode(text), or ids.astype(int).",
              exc=TypeError)
    if arr.size and arr.min() < 0:
        _fail(name, func, "non-negative ids", f"the id {int(arr.min())}", "Use ids from vocab.encode(text).")
    return arr.astype(np.int64)


def char_windows(ids, length, step=1):
    """Training pairs for next-character prediction: ``X[i] = ids[s : s+length]``, ``Y[i] = ids[s+1 : s+length+1]``.

    with ``s = i * step``: each target row is the input row shifted one character on.

    Args:
        ids: (L,) integer ids, e.g. ``vocab.encode(text)``.
        length: positive int, the characters per window. step: positive int, the shift between windows.

    Returns:
        ``(X, Y)``: two (N, length) int64 arrays, ``N = (L - length - 1) // step + 1``.

    Example:
        >>> X, Y = char_windows(np.arange(6), length=3, step=2)
        >>> X.tolist(), Y.tolist()
        ([[0, 1, 2], [2, 3, 4]], [[1, 2, 3], [3, 4, 5]])
    """
    func = "char_windows"
    arr = _ids(ids, "ids", func, ndim=1)
    check_number(length, "length", func, low=1, integer=True, fix="Pass a positive integer, e.g. length=64.")
    check_number(step, "step", func, low=1, integer=True, fix="Pass a positive integer, e.g. step=1.")
    if len(arr) < length + 1:
        _fail("ids", func, f"at least length + 1 = {length + 1} ids long", f"{len(arr)} ids",
              "Use a longer text or a shorter length.")
    starts = np.arange(0, len(arr) - length, step)[:, None]          # (N, 1)
    X = arr[starts + np.arange(length)]                               # (N, length)
    Y = arr[starts + 1 + np.arange(length)]                           # (N, length), shifted by one
    return X, Y

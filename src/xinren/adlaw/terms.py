"""The versioned term list (terms/<version>.toml) and its compiled automaton, loaded once per version."""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .matcher import Automaton

TERMS_DIR = Path(__file__).with_name("terms")
TERMS_VERSION = "v2"

# Payload kinds of the automaton: a term of a rule, or a context phrase.
TERM, EXEMPT, WARN_CONTEXT = 0, 1, 2


@dataclass(frozen=True)
class Rule:
    """One rule of the list: what it looks for, where it applies, how severe, what to write instead."""

    id: str
    family: str
    article: str
    severity: str
    suggestion: str
    terms: tuple[str, ...]
    categories: frozenset[str] = frozenset()
    except_categories: frozenset[str] = frozenset()
    block_categories: frozenset[str] = frozenset()
    credential: str = ""
    on_missing: str = ""

    def severity_in(self, categories: frozenset[str]) -> str | None:
        """The rule's severity for copy of these categories, or None when it does not apply there."""
        if self.categories and not self.categories & categories:
            return None
        if self.except_categories & categories:
            return None
        if self.block_categories & categories:
            return "block"
        return self.severity


@dataclass(frozen=True)
class TermList:
    """A loaded term list: its rules, and one automaton over every term and context phrase."""

    version: str
    rules: tuple[Rule, ...]
    automaton: Automaton
    # payload → (kind, rule index or -1)
    payloads: tuple[tuple[int, int], ...]
    # v2: separators ignored between characters; negation cues (longest first), the characters allowed between a
    # cue and its term, and how many.
    compact: bool = False
    negation_cues: tuple[str, ...] = field(default=())
    negation_gap: frozenset[str] = frozenset()
    negation_max_gap: int = 0


def normalize(text: str) -> str:
    """Full-width forms folded (１００％ → 100%) and letters upper-cased, one character for one character so that
    offsets in the normalized text are offsets in the original."""
    folded = []
    for char in text:
        if char.isascii():
            folded.append(char.upper())
            continue
        form = unicodedata.normalize("NFKC", char)
        folded.append(form.upper() if len(form) == 1 else char)
    return "".join(folded)


# Characters that split a word without changing it (治 疗, 治-疗, 治.疗, zero-width joiners), ignored when a list
# says `compact = true`. Chinese clause punctuation (，。；！？、) is kept: it ends a claim.
FILLERS = frozenset(" \t\r\n\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff-_.·•・*~/\\|+='\"`^—–…‧")


_KEPT_RUNS = re.compile("[^" + re.escape("".join(sorted(FILLERS))) + "]+")


def compact(text: str) -> tuple[str, list[int]]:
    """The normalized text without filler characters, and for each kept character its offset in the input."""
    runs = [(match.start(), match.end()) for match in _KEPT_RUNS.finditer(text)]
    if len(runs) == 1 and runs[0] == (0, len(text)):
        return text, list(range(len(text)))
    offsets: list[int] = []
    for start, end in runs:
        offsets.extend(range(start, end))
    return "".join(text[start:end] for start, end in runs), offsets


def pinyin_variants(term: str, syllables: dict[str, str], *, whole: bool) -> list[str]:
    """The term with any non-empty set of its characters written in (upper-case) pinyin; the all-pinyin form only
    when `whole`. Characters without a syllable in the table stay as they are."""
    spots = [index for index, char in enumerate(term) if char in syllables]
    variants = []
    for size in range(1, len(spots) + 1):
        for chosen in itertools.combinations(spots, size):
            if size == len(term) and not whole:
                continue
            variants.append("".join(syllables[c].upper() if i in chosen else c for i, c in enumerate(term)))
    return variants


def _rule(entry: dict[str, object]) -> Rule:
    def names(key: str) -> frozenset[str]:
        value = entry.get(key, [])
        assert isinstance(value, list)
        return frozenset(str(item) for item in value)

    terms = entry.get("terms", [])
    assert isinstance(terms, list)
    severity = str(entry["severity"])
    if severity not in {"block", "warn"}:
        raise ValueError(f"rule {entry['id']}: severity {severity!r}")
    return Rule(
        id=str(entry["id"]),
        family=str(entry["family"]),
        article=str(entry["article"]),
        severity=severity,
        suggestion=str(entry["suggestion"]),
        terms=tuple(str(term) for term in terms),
        categories=names("categories"),
        except_categories=names("except_categories"),
        block_categories=names("block_categories"),
        credential=str(entry.get("credential", "")),
        on_missing=str(entry.get("on_missing", "")),
    )


@cache
def term_list(version: str = TERMS_VERSION) -> TermList:
    """The term list of a version, compiled once per process."""
    with (TERMS_DIR / f"{version}.toml").open("rb") as file:
        data = tomllib.load(file)
    if data.get("version") != version:
        raise ValueError(f"terms/{version}.toml says version {data.get('version')!r}")
    rules = tuple(_rule(entry) for entry in data["rule"])
    squeeze = bool(data.get("compact", False))

    def form(phrase: str) -> str:
        folded = normalize(phrase)
        return compact(folded)[0] if squeeze else folded

    pinyin = data.get("pinyin", {})
    syllables = {str(char): str(sound) for char, sound in pinyin.get("syllables", {}).items()}
    pinyin_families = frozenset(pinyin.get("families", []))
    pinyin_max = int(pinyin.get("max_term", 0))
    payloads: list[tuple[int, int]] = []
    patterns: list[tuple[str, int]] = []
    for index, rule in enumerate(rules):
        for term in rule.terms:
            forms = [form(term)]
            if rule.family in pinyin_families and len(term) <= pinyin_max and all(c in syllables for c in term):
                whole = len(term) >= 3 or rule.family == "disease"
                forms += pinyin_variants(term, syllables, whole=whole)
            for found in forms:
                patterns.append((found, len(payloads)))
                payloads.append((TERM, index))
    context = data.get("context", {})
    for kind, key in ((EXEMPT, "exempt"), (WARN_CONTEXT, "warn")):
        for phrase in context.get(key, []):
            patterns.append((form(phrase), len(payloads)))
            payloads.append((kind, -1))
    negation = data.get("negation", {})
    return TermList(
        version=version,
        rules=rules,
        automaton=Automaton(patterns),
        payloads=tuple(payloads),
        compact=squeeze,
        negation_cues=tuple(sorted((normalize(c) for c in negation.get("cues", [])), key=len, reverse=True)),
        negation_gap=frozenset(normalize(str(negation.get("gap", "")))),
        negation_max_gap=int(negation.get("max_gap", 0)),
    )

"""The versioned term list (terms/<version>.toml) and its compiled automaton, loaded once per version."""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .matcher import Automaton

TERMS_DIR = Path(__file__).with_name("terms")
TERMS_VERSION = "v1"

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
    payloads: list[tuple[int, int]] = []
    patterns: list[tuple[str, int]] = []
    for index, rule in enumerate(rules):
        for term in rule.terms:
            patterns.append((normalize(term), len(payloads)))
            payloads.append((TERM, index))
    context = data.get("context", {})
    for kind, key in ((EXEMPT, "exempt"), (WARN_CONTEXT, "warn")):
        for phrase in context.get(key, []):
            patterns.append((normalize(phrase), len(payloads)))
            payloads.append((kind, -1))
    return TermList(version=version, rules=rules, automaton=Automaton(patterns), payloads=tuple(payloads))

"""An Aho–Corasick automaton in pure Python: every occurrence of every pattern in one pass over the text.

Built once per term-list version (`terms.term_list` caches it); matching is O(len(text) + matches) whatever the
number of patterns, so 100k descriptions against a few hundred terms stay in seconds in one process.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator


class Automaton:
    """Patterns (with a payload each) compiled into goto / fail / output tables."""

    def __init__(self, patterns: Iterable[tuple[str, int]]) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail: list[int] = [0]
        self._out: list[tuple[tuple[int, int], ...]] = [()]  # (pattern length, payload)
        outputs: list[list[tuple[int, int]]] = [[]]
        for pattern, payload in patterns:
            if not pattern:
                continue
            state = 0
            for char in pattern:
                nxt = self._goto[state].get(char)
                if nxt is None:
                    nxt = len(self._goto)
                    self._goto[state][char] = nxt
                    self._goto.append({})
                    self._fail.append(0)
                    outputs.append([])
                state = nxt
            outputs[state].append((len(pattern), payload))
        queue: deque[int] = deque(self._goto[0].values())
        while queue:
            state = queue.popleft()
            for char, nxt in self._goto[state].items():
                queue.append(nxt)
                fail = self._fail[state]
                while fail and char not in self._goto[fail]:
                    fail = self._fail[fail]
                target = self._goto[fail].get(char, 0)
                self._fail[nxt] = target if target != nxt else 0
                outputs[nxt].extend(outputs[self._fail[nxt]])
        self._out = [tuple(found) for found in outputs]

    def __len__(self) -> int:
        return len(self._goto)

    def find(self, text: str) -> Iterator[tuple[int, int, int]]:
        """Every occurrence as (start, end, payload), in order of their end, overlaps included."""
        goto, fail, out = self._goto, self._fail, self._out
        root = goto[0]
        state = 0
        for index, char in enumerate(text):
            while state and char not in goto[state]:
                state = fail[state]
            state = goto[state].get(char, 0) if state else root.get(char, 0)
            if out[state]:
                end = index + 1
                for length, payload in out[state]:
                    yield end - length, end, payload

"""The check rules, one module per kind of claim. Each module defines ``RULE``: its key (the rule's
IRI is ``{base}def/check-rule/{key}``), a label, what it matches and how it decides, in words (they
are published with the rule), and ``check``, which returns one ``Check`` per thing it matched in a
claim (nothing if it matched nothing). Adding a kind of claim is adding a module here: every module
in this folder is a rule."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..model import Check, Claim
from ..record import Record


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    matches: str
    decides: str
    check: Callable[[Claim, Record], list[Check]]


def all_rules() -> list[Rule]:
    """Every rule in this folder, by key."""
    found = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        rule = getattr(loaded, "RULE", None)
        if isinstance(rule, Rule):
            found.append(rule)
    return sorted(found, key=lambda r: r.key)

"""The detector registry: every module in ``detectors/builtin`` registers its detector on import.

Adding a detector is adding one file there with a ``@register`` class.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from detectors.base import Detector

_REGISTRY: dict[str, Detector] = {}


class UnknownDetectorError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def register(cls: type[Detector]) -> type[Detector]:
    """Class decorator: instantiate and register a detector under its ``name``."""
    for attribute in ("name", "version", "description"):
        if not getattr(cls, attribute, None):
            raise TypeError(f"detector {cls.__name__} must set a non-empty {attribute!r}")
    existing = _REGISTRY.get(cls.name)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ValueError(f"detector name {cls.name!r} is already registered by {type(existing).__qualname__}")
    _REGISTRY[cls.name] = cls()
    return cls


def _load_builtin() -> None:
    from detectors import builtin

    for module in pkgutil.iter_modules(builtin.__path__):
        importlib.import_module(f"{builtin.__name__}.{module.name}")


def all_detectors() -> list[Detector]:
    """Every registered detector, sorted by name."""
    _load_builtin()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def get(name: str) -> Detector:
    """The detector called ``name``; an unknown name raises with the closest matches."""
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else f" Known: {', '.join(sorted(_REGISTRY))}."
        raise UnknownDetectorError(f"no detector named {name!r}.{hint}") from None


def select(names: list[str] | None) -> list[Detector]:
    """The named detectors in the given order, or all of them when ``names`` is empty."""
    return [get(name) for name in names] if names else all_detectors()

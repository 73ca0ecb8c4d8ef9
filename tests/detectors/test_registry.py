"""The registry: one file per detector, stable names, helpful errors."""

import inspect
import pkgutil

import polars as pl
import pytest

from detectors import builtin
from detectors.base import Detector
from detectors.registry import UnknownDetectorError, all_detectors, get, register, select

FIXED_NAMES = {
    "sycophancy",
    "fabrication",
    "over_refusal",
    "harmful_compliance",
    "off_policy",
    "jailbreak",
    "pii_leak",
    "risky_action",
    "instruction_violation",
}


def test_every_detector_class_in_builtin_is_registered():
    registered = {type(d) for d in all_detectors()}
    for module_info in pkgutil.iter_modules(builtin.__path__):
        module = __import__(f"{builtin.__name__}.{module_info.name}", fromlist=["_"])
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Detector) and cls is not Detector and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                assert cls in registered, f"{cls.__name__} in {module.__name__} is not @register-ed"


def test_registered_names_are_the_contract_names():
    names = {d.name for d in all_detectors()}
    assert names <= FIXED_NAMES, names - FIXED_NAMES
    assert {"pii_leak", "risky_action", "fabrication"} <= names


def test_every_detector_has_a_version_and_description():
    for detector in all_detectors():
        assert detector.version and detector.description


def test_unknown_names_suggest_close_matches():
    with pytest.raises(UnknownDetectorError, match="pii_leak"):
        get("pii_lek")


def test_select_keeps_the_requested_order():
    assert [d.name for d in select(["risky_action", "pii_leak"])] == ["risky_action", "pii_leak"]
    assert [d.name for d in select(None)] == sorted(d.name for d in all_detectors())


def test_duplicate_names_are_rejected():
    existing = get("pii_leak")

    class Impostor(Detector):
        name = existing.name
        version = "9"
        description = "same name, different class"

        def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
            raise NotImplementedError

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)


def test_detectors_must_declare_a_version():
    class Unversioned(Detector):
        name = "unversioned"
        version = ""
        description = "x"

        def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
            raise NotImplementedError

    with pytest.raises(TypeError, match="version"):
        register(Unversioned)

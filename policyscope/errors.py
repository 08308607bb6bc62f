"""Coded errors. Every error says what went wrong, with which file, and what to do.

Codes: E1xx input files, E2xx store, E3xx lexicons and analysis, E4xx topics, E5xx reports, E6xx studies, E7xx clusters,
E9xx usage.
"""
from __future__ import annotations


class PolicyscopeError(Exception):
    """Base error: `code` is stable, `message` names the thing and the remedy."""

    code = "E000"
    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None):
        self.path = path
        self.hint = hint
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"[{self.code}] {where}{self.message}{tail}"


# --- input files (an outcome for one file; the batch goes on) -------------------------
class InputFileError(PolicyscopeError):
    code = "E100"
    outcome = "failed"


class UnsupportedFileType(InputFileError):
    code = "E101"
    outcome = "skipped"


class EmptyFile(InputFileError):
    code = "E102"
    outcome = "skipped"


class CorruptFile(InputFileError):
    code = "E103"


class EncryptedFile(InputFileError):
    code = "E104"


class NoTextLayer(InputFileError):
    code = "E105"
    outcome = "skipped"


class ExtractionTimeout(InputFileError):
    code = "E106"


class ManifestError(PolicyscopeError):
    code = "E110"
    exit_code = 2


class TabularColumnError(InputFileError):
    code = "E111"


# --- store ---------------------------------------------------------------------------
class StoreError(PolicyscopeError):
    code = "E200"
    exit_code = 3


class StoreNotFound(StoreError):
    code = "E201"


class NotInStore(StoreError):
    code = "E202"


class ParquetDatasetError(StoreError):
    """A folder that is not a policyscope Parquet dataset, or one written by an incompatible version."""

    code = "E203"


# --- lexicons and analysis -----------------------------------------------------------
class LexiconError(PolicyscopeError):
    code = "E300"
    exit_code = 2


class AnalysisError(PolicyscopeError):
    code = "E310"


# --- concept detectors (E32x) ----------------------------------------------------------
class DetectorError(PolicyscopeError):
    """A detector cannot be trained, loaded or applied (no positives, unknown backend, wrong lexicon ...)."""

    code = "E320"
    exit_code = 2


class LabelsError(DetectorError):
    """A hand-coded labels file is malformed: unknown or missing columns, bad values, empty."""

    code = "E321"


class LabelSpanMismatch(LabelsError):
    """A labelled row's reference (document, page, span) no longer gives the sentence it was coded on."""

    code = "E322"


class DetectorVersionError(DetectorError):
    """A model folder was written by an incompatible version of policyscope."""

    code = "E323"


# --- topics --------------------------------------------------------------------------
class TopicModelError(PolicyscopeError):
    code = "E400"


# --- reports -------------------------------------------------------------------------
class ReportError(PolicyscopeError):
    code = "E500"


# --- studies (policyscope study) ----------------------------------------------------
class StudyError(PolicyscopeError):
    """A study file, or the corpus a study was asked to run on, cannot be used."""

    code = "E600"


# --- clusters (Dask) ---------------------------------------------------------------
class ClusterError(PolicyscopeError):
    """The cluster cannot run the job (no workers, a worker that cannot read the store...)."""

    code = "E700"
    exit_code = 4


class OptionalDependencyMissing(ClusterError):
    """This process lacks an optional package (the `dask` extra)."""

    code = "E701"


class SchedulerUnreachable(ClusterError):
    code = "E702"


class WorkerDependencyMissing(ClusterError):
    """A worker lacks a package the job needs, or runs another policyscope version."""

    code = "E703"


# --- usage ---------------------------------------------------------------------------
class UsageError(PolicyscopeError):
    code = "E900"
    exit_code = 2

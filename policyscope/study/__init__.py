"""The study: one command that tests a claim about a discourse on the best dated corpus at hand, with
its uncertainty, its robustness and its quotes (policyscope study; docs/study.md)."""
from policyscope.study.run import StudyOptions, StudyResult, run_study  # noqa: F401

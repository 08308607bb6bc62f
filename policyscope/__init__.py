"""policyscope: how much space each concept gets in a policy discourse over time,
with every number traceable to quotable sentences (document, date, page)."""

__version__ = "0.1.0"

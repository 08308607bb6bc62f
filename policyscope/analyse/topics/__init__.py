"""Topic models and topic timelines: the unsupervised view beside the concept lexicon.

Modules, one job each:
    settings     every setting with its declared default (recorded in config.json)
    stopwords    English stopwords + the corpus-specific boilerplate list
    units        store → modelling units (passages, long ones cut at sentence boundaries)
    corpus       units → lemmas, phrases, pruning → a prepared corpus folder, re-read as streams
    backends     the backend interface and registry; lda_gensim, nmf_sklearn, lda_tomotopy implement it
    selection    --k auto: c_v, c_npmi and topic diversity per K
    labels       top/distinctive terms, short labels, representative passages
    overlap      topics × concept lexicon
    fit          `topics fit`: the whole run, written to a run folder
    runs         run folder layout, run.json, loading a saved run
    periods      dates → periods
    timeline     prevalence per period with bootstrap intervals → topic_share.csv
    dynamic      a topic's words per period (re-estimated from the fitted model)
"""
from policyscope.analyse.topics.fit import FitResult, fit_topics
from policyscope.analyse.topics.runs import Run, resolve_run
from policyscope.analyse.topics.settings import TopicSettings
from policyscope.analyse.topics.timeline import write_timeline

__all__ = ["FitResult", "Run", "TopicSettings", "fit_topics", "resolve_run", "write_timeline"]

"""Sentence tagging with the bundled lexicon: real senses in, other senses out, spans exact."""
from __future__ import annotations

import pytest

from policyscope.analyse.lexicon import load_lexicon, parse_lexicon
from policyscope.analyse.matcher import Matcher


@pytest.fixture(scope="module")
def m():
    return Matcher(load_lexicon())


def tags(m, text, lemmas=None):
    return [(h.concept, h.term, h.matched) for h in m.tag(text, lemmas)]


def concepts(m, text):
    return {h.concept for h in m.tag(text)}


@pytest.mark.parametrize("text, concept, matched", [
    ("Personal budgets give people more choice and control over their support.", "personalisation", "Personal budgets"),
    ("The personalization agenda reshaped social care.", "personalisation", "personalization"),
    ("We need person centred planning.", "personalisation", "person centred"),
    ("Support should be person-\ncentred.", "personalisation", "person-\ncentred"),
    ("Disabled people receive direct payments from the council.", "personalisation", "direct payments"),
    ("A commitment to self-directed support.", "personalisation", "self-directed support"),
    ("Personal Health Budgets (PHBs) are now available.", "personalisation", "Personal Health Budgets"),
    ("We will promote the integration of health and social care at local level.", "integration",
     "integration of health and social care"),
    ("Integrated Care Systems (ICSs) were introduced in 2022.", "integration", "Integrated Care Systems"),
    ("newly established local Health andWellbeing Boards bring councils and the NHS together", "integration",
     "Health andWellbeing Boards"),
    ("through our Better Care Fund", "integration", "Better Care Fund"),
    ("a move to joint commissioning of services", "integration", "joint commissioning"),
    ("a system of silos replaced by joinedup care", "integration", "silos"),
    ("the old system replaced by joinedup care", "integration", "joinedup care"),
    ("Integration of public services has been the Holy Grail for government.", "integration", "Integration"),
    ("Patients will have a choice of hospital for their treatment.", "personalisation", "choice of hospital"),
    ("People using SDS employ their own personal assistants.", "personalisation", "SDS"),
    ("Integration can entail the prioritisation of health over social care.", "integration", "Integration"),
    # the bare noun counts without a care cue in the sentence (coded 1 in the seed article it comes from)
    ("Integration is similarly understood in a variety of ways.", "integration", "Integration"),
    ("Staff work with each patient to co-produce a care plan which speaks to their needs.", "personalisation",
     "co-produce a care plan"),
    ("Disabled people co-produce their own support with their social worker.", "personalisation",
     "co-produce their own support"),
])
def test_real_mentions_are_tagged_with_exact_spans(m, text, concept, matched):
    hits = [h for h in m.tag(text) if h.concept == concept]
    assert hits, text
    assert hits[0].matched == matched
    assert text[hits[0].start:hits[0].end] == matched


@pytest.mark.parametrize("text", [
    "Liberal Democrats will take decisive steps towards European integration.",
    "We will develop an integrated transport policy to fight congestion and pollution.",
    "This requires fuller integration with the European Community.",
    "Being able to speak English is a fundamental part of integrating into our society.",
    "We will ensure those who come here are able to integrate into communities and participate in the economy.",
    "It includes personal care (help with washing, dressing and food).",
    "Doctors will design more effective, personalised treatments using genomics.",
    "Forward to personalised learning, not back to mass failure.",
    "Reform the Common Agricultural Policy, converting it into a system of direct payments to support rural goals.",
    "By 2004 all local healthcare will be organised by primary care trusts.",
    "There are no guarantees in an integrated world economy.",
    "A longer version appeared in the Journal of Integrated Care.",
    "See https://www.england.nhs.uk/personalisedcare/pcsp/ for details.",
    "From 2003, the Integrated Child Credit will bring together income-related support.",
    "North West London Integrated Care Board commissioned a review of compliance in care homes.",  # an addressee
    "Integrated reporting of the accounts will be published.",  # the adjective still needs a care cue
    # co-production of services or policy with users as a group is collective voice (codebook), not personalisation
    "Co-production Week celebrates how co-production puts communities at the heart of care services.",
    "We would support any health and social care board who wanted to introduce co-production more.",
    "Young people co-designed the new support service with the council.",
])
def test_other_senses_are_not_tagged(m, text):
    assert not m.tag(text), tags(m, text)


def test_exclusion_wins_only_where_it_overlaps(m):
    text = "European integration aside, we back the integration of health and social care."
    hits = m.tag(text)
    assert [h.matched for h in hits] == ["integration of health and social care"]


def test_context_cue_decides_the_bare_word(m):
    # the adjective and verb need a care cue in the sentence (the bare noun does not: see the examples above)
    assert not m.tag("The integrated approach of the two systems was slow.")
    assert concepts(m, "The integrated approach of the two systems was slow for care users.") == {"integration"}


def test_case_sensitive_acronyms(m):
    # an ICB counts as a joining-up body (a joining-up cue in the sentence), not as a bare addressee
    assert tags(m, "Every ICB will bring councils and the NHS together.") == [
        ("integration", "integrated_care_structures", "ICB")]
    assert not m.tag("Every ICB will publish a plan.")
    assert not m.tag("icb and ics in lower case are not acronyms here")


def test_lemma_form_maps_back_to_a_surface_span(m):
    text = "Councils and the NHS are pooling their budgets."
    lemmas = "council and the nhs be pool their budget"
    # 'pool budget' does not occur as a lemma sequence here; the surface regex does not match either
    assert not [h for h in m.tag(text, lemmas) if h.term == "pooled_budgets"]
    text = "In health and care, the fund pools budgets across the NHS."
    lemmas = "in health and care the fund pool budget across the nhs"
    hits = [h for h in m.tag(text, lemmas) if h.term == "pooled_budgets"]
    assert hits and text[hits[0].start:hits[0].end] == "pools budgets"


def test_lemma_only_hit_is_mapped_to_surface():
    lex = parse_lexicon({"name": "l", "version": "1", "concepts": {"c": {"terms": [
        {"id": "pool", "forms": [{"lemma": "pool budget"}]}]}}})
    m = Matcher(lex)
    text = "They were pooling budgets."
    hits = m.tag(text, "they be pool budget")
    assert [(text[h.start:h.end]) for h in hits] == ["pooling budgets"]
    assert not m.tag(text)  # without the lemma string, lemma forms do not run


def test_batch_equals_one_by_one(m):
    texts = ["Personal budgets and integrated care.", "Nothing here.", "European integration.",
             "Self-directed support in İstanbul-style Unicode and personalisation."]
    batch = m.tag_batch(texts)
    single = [h for i, t in enumerate(texts) for h in [h.__class__(i, *list(h.__dict__.values())[1:])
                                                          for h in m.tag(t)]]
    assert [(h.i, h.term, h.start, h.end) for h in batch] == [(h.i, h.term, h.start, h.end) for h in single]
    for h in batch:
        assert texts[h.i][h.start:h.end] == h.matched


def test_one_hit_per_stretch_within_a_concept_but_both_concepts_count(m):
    text = "Drive integrated personal budgets with a strong focus on health."
    hits = m.tag(text)
    assert {(h.concept, h.matched) for h in hits} == {("integration", "integrated personal budgets"),
                                                      ("personalisation", "personal budgets")}

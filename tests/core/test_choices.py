"""`{{ obj|display:"field" }}` says what Django's `get_field_display` says, in the request's language."""

import pytest
from django.template import Context, Template
from django.utils import translation

from parcours.pathway.models import Avis, PathwayRequest
from parcours.pathway.rules import RequestKind, RequestStatus


def rendered(obj, field):
    return Template("{% load choices %}{{ obj|display:field }}").render(Context({"obj": obj, "field": field}))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_label_is_the_one_django_gives(language):
    cases = [(PathwayRequest(kind=k), "kind") for k in RequestKind.values]
    cases += [(PathwayRequest(status=s), "status") for s in RequestStatus.values]
    cases += [(Avis(kind=k), "kind") for k, _label in Avis._meta.get_field("kind").flatchoices]
    with translation.override(language):
        for obj, field in cases:
            expected = getattr(obj, f"get_{field}_display")()
            assert rendered(obj, field) == str(expected).replace("'", "&#x27;"), (obj, field)


def test_a_value_outside_the_choices_and_no_object_show_as_django_would():
    assert rendered(PathwayRequest(status="inconnu"), "status") == "inconnu"
    assert rendered(None, "status") == ""
    assert rendered(PathwayRequest(kind="renewal"), "kind") == "Demande de renouvellement"

"""Every text column of every model linked to a person is in the classification table
(core/classification.py):
encrypted or in clear with its reason: a new column, or a new model linked to a person, fails here until
someone decides which it is. The models are found from Django's model registry, not from the table."""

from parcours.core.classification import CLASSIFICATION, ENCRYPTED, EXTRA_MODELS, Clear
from parcours.core.fields import EncryptedMixin

from .at_rest import linked_models, text_columns


def test_every_model_linked_to_a_person_is_classified():
    found = {m._meta.label_lower for m in linked_models()}
    assert "people.person" in found and "pathway.planaction" in found  # the walk itself works
    assert sorted(found - set(CLASSIFICATION)) == []
    # The table names no model that is neither linked nor listed as linked otherwise.
    assert sorted(set(CLASSIFICATION) - found - EXTRA_MODELS) == []


def test_every_text_column_is_classified_and_encrypted_columns_are_encrypted():
    from django.apps import apps

    for label, table in CLASSIFICATION.items():
        model = apps.get_model(label)
        columns = {f.name: f for f in text_columns(model)}
        assert sorted(columns) == sorted(table), label
        for name, field in columns.items():
            if table[name] == ENCRYPTED:
                assert isinstance(field, EncryptedMixin), f"{label}.{name} is classified encrypted"
            else:
                assert isinstance(table[name], Clear) and table[name].reason, f"{label}.{name}"
                assert not isinstance(field, EncryptedMixin), f"{label}.{name} is encrypted: say so"


def test_columns_left_in_clear_are_not_free_text_typed_by_a_user():
    """A column in clear is a code, a hash or a number: never a free TextField, and a CharField in clear
    either has choices or is one of the few the table explains (set by the code, not typed)."""
    from django.apps import apps
    from django.db import models

    set_by_code = {
        ("people.person", "identity_index"), ("people.person", "birth_index"),
        ("people.consent", "text_version"),
        ("pathway.pathway", "rule_version"), ("pathway.event", "action"), ("pathway.event", "from_status"),
        ("pathway.event", "to_status"), ("records.document", "storage_name"),
        ("records.document", "content_type"), ("records.document", "sha256"), ("audit.accesslog", "role"),
        ("audit.accesslog", "object_type"), ("audit.accesslog", "object_id"), ("audit.accesslog", "path"),
        ("audit.accesslog", "previous_hash"), ("audit.accesslog", "hash"),
        ("audit.accesslog", "event"), ("transfers.transfer", "consent_text_version"),
        ("notifications.notification", "object_key"), ("notifications.notification", "person_reference"),
        ("notifications.notification", "url"), ("notifications.notification", "dedup_key"),
        ("portability.importedrow", "key"),  # an HMAC of the association and a file number (decision 0051)
    }  # fmt: skip
    for label, table in CLASSIFICATION.items():
        model = apps.get_model(label)
        for name, classification in table.items():
            field = model._meta.get_field(name)
            if classification == ENCRYPTED or isinstance(field, models.JSONField):
                continue
            assert not isinstance(field, models.TextField), f"{label}.{name}"
            assert field.choices or (label, name) in set_by_code, f"{label}.{name}"

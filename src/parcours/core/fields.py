"""Model fields encrypted at rest (see core/crypto.py). The column holds ciphertext: it cannot be filtered,
ordered or searched in SQL (only `isnull` works); search in Python after decryption, or by blind index."""

import datetime as dt

from django.core.exceptions import FieldError
from django.db import models

from . import crypto

ALLOWED_LOOKUPS = {"isnull"}


class EncryptedMixin:
    """Encrypts the string form of the value; an empty string is stored as is (it says nothing)."""

    def get_internal_type(self):
        return "TextField"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def get_lookup(self, lookup_name):
        if lookup_name not in ALLOWED_LOOKUPS:
            raise FieldError(f"{self.crypto_context} is encrypted: '{lookup_name}' cannot run in SQL")
        return super().get_lookup(lookup_name)

    def serialise(self, value) -> str:
        return str(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(self.serialise(value), self.crypto_context)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.to_python(crypto.decrypt(value, self.crypto_context))


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """Validated and shown like a CharField of `max_length`, stored as encrypted text."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)


class EncryptedDateField(EncryptedMixin, models.DateField):
    def serialise(self, value: dt.date) -> str:
        return value.isoformat()

    def db_type(self, connection):
        return models.TextField().db_type(connection)

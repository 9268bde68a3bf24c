from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits non-zero when a migration is missing
        pytest.fail(f"Missing migration:\n{out.getvalue()} ({exc})")


def test_departements_are_the_101_official_codes():
    from parcours.core.departements import DEPARTEMENTS

    codes = [code for code, _name in DEPARTEMENTS]
    assert len(codes) == len(set(codes)) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert "20" not in codes and "975" not in codes

import pytest

from parcours.core import crypto

KEY_A = crypto.generate_key_line("a")
KEY_B = crypto.generate_key_line("b")


@pytest.fixture
def keys(monkeypatch):
    def use(*lines):
        monkeypatch.setenv("PARCOURS_ENCRYPTION_KEYS", ",".join(lines))
        crypto.load_keys.cache_clear()

    yield use
    crypto.load_keys.cache_clear()


def test_a_value_round_trips_and_the_ciphertext_hides_it(keys):
    keys(KEY_A)
    stored = crypto.encrypt("Prénom Canari", "people.person.first_name")
    assert "Canari" not in stored and stored.startswith("v1:a:")
    assert crypto.decrypt(stored, "people.person.first_name") == "Prénom Canari"


def test_the_same_value_encrypts_differently_each_time(keys):
    keys(KEY_A)
    assert crypto.encrypt("x", "c") != crypto.encrypt("x", "c")


def test_a_value_moved_to_another_column_does_not_decrypt(keys):
    keys(KEY_A)
    stored = crypto.encrypt("secret", "people.person.first_name")
    with pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt(stored, "people.person.last_name")
    assert stored not in str(error.value)


def test_a_tampered_value_is_refused(keys):
    keys(KEY_A)
    stored = crypto.encrypt("secret", "c")
    tampered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, "c")


def test_after_rotation_old_values_still_decrypt_and_new_ones_use_the_new_key(keys):
    keys(KEY_A)
    old = crypto.encrypt("ancien", "c")
    keys(KEY_B, KEY_A)
    assert crypto.decrypt(old, "c") == "ancien"
    assert crypto.key_id_of(crypto.encrypt("nouveau", "c")) == "b"
    keys(KEY_B)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old, "c")


def test_blind_index_is_stable_keyed_and_truncated(monkeypatch, settings):
    import base64

    monkeypatch.setenv("PARCOURS_BLIND_INDEX_KEY", base64.b64encode(b"k" * 32).decode())
    crypto.blind_index_key.cache_clear()
    settings.PARCOURS_BLIND_INDEX_BITS = 16
    first = crypto.blind_index("nomfictif", "prenom", "1990-01-01")
    assert first == crypto.blind_index("nomfictif", "prenom", "1990-01-01")
    assert len(first) == 4 and int(first, 16) < 2**16
    # Without the key, the index of a known identity cannot be recomputed: another key gives others.
    monkeypatch.setenv("PARCOURS_BLIND_INDEX_KEY", base64.b64encode(b"z" * 32).decode())
    crypto.blind_index_key.cache_clear()
    others = {crypto.blind_index("nomfictif", "prenom", f"1990-01-{day:02d}") for day in range(1, 29)}
    originals = set()
    monkeypatch.setenv("PARCOURS_BLIND_INDEX_KEY", base64.b64encode(b"k" * 32).decode())
    crypto.blind_index_key.cache_clear()
    originals = {crypto.blind_index("nomfictif", "prenom", f"1990-01-{day:02d}") for day in range(1, 29)}
    assert others != originals
    crypto.blind_index_key.cache_clear()

import base64

import pytest

from parcours.core import crypto

KEY_A = crypto.generate_key_line("a")
KEY_B = crypto.generate_key_line("b")


@pytest.fixture
def keys(settings):
    def use(*lines):
        settings.PARCOURS_ENCRYPTION_KEYS = ",".join(lines)
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


def test_blind_index_is_stable_keyed_and_truncated(settings):
    import base64

    settings.PARCOURS_BLIND_INDEX_KEY = base64.b64encode(b"k" * 32).decode()
    crypto.blind_index_key.cache_clear()
    settings.PARCOURS_BLIND_INDEX_BITS = 16
    first = crypto.blind_index("nomfictif", "prenom", "1990-01-01")
    assert first == crypto.blind_index("nomfictif", "prenom", "1990-01-01")
    assert len(first) == 4 and int(first, 16) < 2**16
    # Without the key, the index of a known identity cannot be recomputed: another key gives others.
    settings.PARCOURS_BLIND_INDEX_KEY = base64.b64encode(b"z" * 32).decode()
    crypto.blind_index_key.cache_clear()
    others = {crypto.blind_index("nomfictif", "prenom", f"1990-01-{day:02d}") for day in range(1, 29)}
    originals = set()
    settings.PARCOURS_BLIND_INDEX_KEY = base64.b64encode(b"k" * 32).decode()
    crypto.blind_index_key.cache_clear()
    originals = {crypto.blind_index("nomfictif", "prenom", f"1990-01-{day:02d}") for day in range(1, 29)}
    assert others != originals
    crypto.blind_index_key.cache_clear()


# --- Known answers: the stored format is pinned, byte for byte ----------------------------------------
# Key bytes 00..1f under id "golden", nonce 00..0b. Changing the envelope (prefix, separator, nonce place,
# associated data, cipher) breaks these literals: such a change must come with a reader for the old format.
GOLDEN_KEY = "golden:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
GOLDEN_NONCE = bytes(range(12))
GOLDEN_FIELD = "v1:golden:AAECAwQFBgcICQoLF3AVsquKrzvOIPnqw4Ax7Y+nNCrudN56nYOQEBkW"
GOLDEN_FILE_CONTEXT = "records.document.file:0123456789abcdef0123456789abcdef"
GOLDEN_FILE = bytes.fromhex(
    "76313a676f6c64656e3a"  # "v1:golden:"
    "000102030405060708090a0b"  # the nonce
    "6252925de8d4ec2fad22f6e5d09b1167a6f3c27bb671547a89633218360ca5f3f13f3866e04e"  # ciphertext + tag
)


@pytest.fixture
def golden(keys, monkeypatch):
    keys(GOLDEN_KEY)
    monkeypatch.setattr(crypto, "new_nonce", lambda: GOLDEN_NONCE)


def test_a_field_encrypts_to_the_known_answer(golden):
    assert crypto.encrypt("Prénom Canari", "people.person.first_name") == GOLDEN_FIELD


def test_a_file_encrypts_to_the_known_answer_in_the_same_envelope(golden):
    assert crypto.encrypt_bytes(b"%PDF-1.4 canari\n%%EOF\n", GOLDEN_FILE_CONTEXT) == GOLDEN_FILE
    # The same envelope: the text form is the bytes form with the nonce and ciphertext in base64.
    stored = crypto.encrypt("x", "c")
    assert stored.startswith("v1:golden:" + base64.b64encode(GOLDEN_NONCE).decode()[:16])


def test_literal_ciphertexts_decrypt(keys):
    keys(GOLDEN_KEY)
    assert crypto.decrypt(GOLDEN_FIELD, "people.person.first_name") == "Prénom Canari"
    other = "v1:golden:BwcHBwcHBwcHBwcHQgXSNQkvsZ2l6XrmoGvU82L17xb6kOR0m9UqH07jzITaYexuEpkjxuwSWg=="
    assert crypto.decrypt(other, "pathway.decision.reason") == "Motif fictif : hébergement"
    assert crypto.decrypt_bytes(GOLDEN_FILE, GOLDEN_FILE_CONTEXT) == b"%PDF-1.4 canari\n%%EOF\n"
    assert crypto.key_id_of(GOLDEN_FIELD) == "golden" and crypto.key_id_of_bytes(GOLDEN_FILE) == "golden"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(GOLDEN_FILE, "records.document.file:" + "f" * 32)  # renamed file
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(GOLDEN_FILE[:-1] + bytes([GOLDEN_FILE[-1] ^ 1]), GOLDEN_FILE_CONTEXT)


def test_nonces_are_fresh_outside_tests(keys):
    keys(KEY_A)
    assert crypto.new_nonce() != crypto.new_nonce() and len(crypto.new_nonce()) == 12
    blobs = {crypto.encrypt_bytes(b"x", "c") for _ in range(20)}
    assert len(blobs) == 20

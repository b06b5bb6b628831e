import base64
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from warmth.core import crypto, pii
from warmth.core.fields import bidx
from warmth.orgs.models import User

K0 = {"k0": b"0" * 32}
K1_THEN_K0 = {"k1": b"1" * 32, "k0": b"0" * 32}
K1 = {"k1": b"1" * 32}


def _raw_phone(user_pk) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM orgs_user WHERE id = %s", [user_pk])
        return cur.fetchone()[0]


def test_a_value_round_trips_and_each_encryption_differs():
    a, b = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert a != b
    assert crypto.decrypt(a) == crypto.decrypt(b) == "13812345678"
    assert crypto.key_id_of(a) == "k1"


def test_a_tampered_value_does_not_decrypt():
    token = crypto.encrypt("110105194912310029")
    prefix, kid, b64 = token.split(":")
    raw = bytearray(base64.b64decode(b64))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:{kid}:{base64.b64encode(bytes(raw)).decode()}")


def test_the_database_holds_only_ciphertext(users):
    raw = _raw_phone(users.owner.pk)
    assert raw.startswith("v1:k1:")
    assert "13812345678" not in raw
    assert User.objects.get(pk=users.owner.pk).phone == "13812345678"


@pytest.mark.django_db(transaction=True)
def test_the_plaintext_is_nowhere_in_the_sqlite_file(tree):
    if connection.vendor != "sqlite":
        pytest.skip("file check is for SQLite")
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    make_user("filecheck", tree.c1, Role.HANDLER, phone="13987654321")
    connection.close()
    data = b"".join(p.read_bytes() for p in Path(connection.settings_dict["NAME"]).parent.glob(
        Path(connection.settings_dict["NAME"]).name + "*"))
    assert b"13987654321" not in data
    assert b"filecheck" in data  # the file is the right one and is readable


def test_exact_lookup_by_blind_index_works_and_normalizes(users):
    assert User.objects.get(phone_bidx=bidx(pii.PHONE, "138 1234 5678")).pk == users.owner.pk
    assert User.objects.get(phone_bidx=bidx(pii.PHONE, "+8613812345678")).pk == users.owner.pk
    assert not User.objects.filter(phone_bidx=bidx(pii.PHONE, "13812345679")).exists()


def test_blind_indexes_differ_by_purpose():
    assert crypto.blind_index("phone", "13812345678") != crypto.blind_index("bank", "13812345678")


@pytest.mark.django_db
def test_rotating_the_key_keeps_old_rows_readable_and_rotate_keys_re_encrypts_them(tree):
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    with override_settings(WARMTH_FIELD_KEYS=K0):
        user = make_user("rot", tree.c1, Role.HANDLER, phone="13700001111")
        assert crypto.key_id_of(_raw_phone(user.pk)) == "k0"
    with override_settings(WARMTH_FIELD_KEYS=K1_THEN_K0):
        assert User.objects.get(pk=user.pk).phone == "13700001111"  # old row, new key list
        call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert crypto.key_id_of(_raw_phone(user.pk)) == "k1"
    with override_settings(WARMTH_FIELD_KEYS=K1):  # the old key removed after rotation
        assert User.objects.get(pk=user.pk).phone == "13700001111"
        assert User.objects.get(phone_bidx=bidx(pii.PHONE, "13700001111")).pk == user.pk


@pytest.mark.django_db
def test_a_row_under_a_removed_key_fails_loudly_rather_than_showing_garbage(tree):
    from tests.conftest import make_user
    from warmth.orgs.models import Role

    with override_settings(WARMTH_FIELD_KEYS=K0):
        user = make_user("gone", tree.c1, Role.HANDLER, phone="13700002222")
    with override_settings(WARMTH_FIELD_KEYS=K1), pytest.raises(crypto.DecryptionError, match="k0"):
        User.objects.get(pk=user.pk)


def test_missing_keys_give_an_operator_message():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(WARMTH_FIELD_KEYS={}), pytest.raises(ImproperlyConfigured, match="warmth demo"):
        crypto.encrypt("x")


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(users):
    from warmth.core.fields import EncryptedTextField

    field = User._meta.get_field("phone")
    token = crypto.encrypt("13812345678", aad=field.aad)
    assert crypto.decrypt(token, aad=field.aad) == "13812345678"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, aad=b"warmth:archives_archive.id_number")
    assert isinstance(field, EncryptedTextField)


def test_sql_comparison_of_ciphertext_is_refused_rather_than_silently_empty(users):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(phone="13812345678"))
    assert User.objects.filter(phone__isnull=False).exists()


def test_saving_an_encrypted_field_without_its_index_is_refused(users):
    user = User.objects.get(pk=users.owner.pk)
    user.phone = "13900000000"
    with pytest.raises(ValueError, match="phone_bidx"):
        user.save(update_fields=["phone"])
    user.save(update_fields=["phone", "phone_bidx"])
    assert User.objects.get(phone_bidx=bidx(pii.PHONE, "13900000000")).pk == user.pk
    assert not User.objects.filter(phone_bidx=bidx(pii.PHONE, "13812345678")).exists()


def test_a_bulk_sealer_gives_every_value_its_own_nonce_and_binds_the_column():
    seal = crypto.sealer(b"warmth:t.c")
    tokens = [seal("110101199003071234") for _ in range(crypto.NONCES_AT_ONCE * 3 + 5)]
    nonces = {base64.b64decode(t.split(":", 2)[2])[:12] for t in tokens}
    assert len(nonces) == len(tokens)  # across the refills of the nonce block too
    assert {crypto.decrypt(t, aad=b"warmth:t.c") for t in tokens} == {"110101199003071234"}
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tokens[0], aad=b"warmth:t.other")


def test_the_normalizer_fast_path_changes_nothing_it_should_fold():
    assert pii.normalize(pii.ID_NUMBER, "11010119900307123x") == "11010119900307123X"
    assert pii.normalize(pii.ID_NUMBER, "１１０１０１ 1990-0307123x") == "11010119900307123X"
    assert pii.normalize(pii.PHONE, "+86 138-1234-5678") == "13812345678"
    assert pii.normalize(pii.BANK_ACCOUNT, "6222020200112233445") == "6222020200112233445"

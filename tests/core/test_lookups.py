import pytest
from django.db import connection

from billing_center.accounts.models import Account
from tests.factories import AccountFactory


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # a tiny test table would otherwise be scanned
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            return plan
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.django_db
def test_lower_exact_matches_any_case():
    # given an account whose username has capitals
    account = AccountFactory(username="MixedCase", email="Mixed@Example.com")
    # when it is looked up in another case / then it is found, by username and by email
    assert Account.objects.get(username__lower_exact="mixedcase") == account
    assert Account.objects.get(email__lower_exact="MIXED@example.COM") == account


@pytest.mark.django_db
def test_username_and_email_lookups_use_the_case_insensitive_unique_indexes():
    # given the LOWER(...) unique indexes that enforce case-insensitive uniqueness
    AccountFactory(username="indexed")
    # when an account is looked up by username or email
    by_username = _plan(Account.objects.filter(username__lower_exact="Indexed"))
    by_email = _plan(Account.objects.filter(email__lower_exact="indexed@example.com"))
    # then the database probes those indexes instead of scanning the table
    for plan in (by_username, by_email):
        if connection.vendor == "postgresql":
            assert "Index Scan" in plan or "Index Only Scan" in plan or "Bitmap Index Scan" in plan, plan
        else:
            assert "USING INDEX" in plan, plan


def test_lower_exact_is_not_dotless_i_folding():
    # given Django's iexact, which uses UPPER() on PostgreSQL and so folds U+0131 (dotless i) to 'I' /
    # when our lookup compiles / then it lowers both sides instead, so "al\u0131ce" never equals "alice"
    sql = str(Account.objects.filter(username__lower_exact="al\u0131ce").query)
    assert 'LOWER("accounts_account"."username") = LOWER(' in sql

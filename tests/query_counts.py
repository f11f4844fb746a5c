"""Guarding list and map endpoints against queries that grow with their rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def assert_queries_do_not_grow(max_queries, client, url, add_rows, *, ceiling: int) -> dict:
    """The query count with 31 rows is no more than with one, and below a ceiling."""
    add_rows(range(1))  # an empty page would skip the page query and undercount
    assert client.get(url).status_code == 200  # warm up: a token's first use is recorded
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    assert len(few) <= ceiling, [query["sql"] for query in few.captured_queries]
    add_rows(range(1, 31))
    with max_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    return response.json()

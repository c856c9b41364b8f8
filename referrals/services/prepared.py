"""The hot paths' own SQL (a search's page, a token's look-up), planned by PostgreSQL once per connection (`PREPARE`),
not at every request.

A search page's query (`page_loading`) holds a correlated subquery per relation: PostgreSQL spent
about 1.4 ms planning it and 1.7 ms running it, at every request. Its text is written once per shape,
so the plan can be too: the first time a connection meets a shape it sends `PREPARE name AS ...;
EXECUTE name(...)` in one round trip, then only `EXECUTE name(...)`. The values still travel as
parameters; PostgreSQL plans the first five executions for their values, then keeps a generic plan
if it costs no more.

Prepared statements belong to a database session. Django's connection is per thread, and a new one
(after `CONN_MAX_AGE`, a failure or a health check) starts with none: the names are kept per driver
connection, the session they were prepared in. `PREPARE` and `DEALLOCATE` are not transactional, so a
rolled-back transaction leaves them standing; a statement whose round trip failed is never reused
(the next one takes a new name; the statement it may have left in the session stays until the
connection closes, at most `CONN_MAX_AGE`). Each name carries a digest of its SQL, so a name met in
another session can only be the same SQL or missing, never another query. A pooler that hands one
client's sessions to another (PgBouncer in transaction mode) still breaks this, with "prepared
statement does not exist": `DATABASE_PREPARED_STATEMENTS=false` there.
Elsewhere (SQLite) the SQL runs as it is.
"""

import hashlib
import itertools
import re
import weakref
from collections import OrderedDict

from django.conf import settings
from django.db import connections

# Statements kept per connection: every search shape of one kind of page (its filters, its page's size)
# is one, a signed-in reader's token look-up one more; the least recently used is let go past this.
KEPT = 32
_PLACEHOLDER = re.compile(r"%%|%s")  # Django's and psycopg's: %s a value, %% a literal percent sign
# Per driver connection (a session), whichever Django connection uses it; gone with it.
_SESSIONS: "weakref.WeakKeyDictionary[object, _Statements]" = weakref.WeakKeyDictionary()


class _Statements:
    """The statements prepared in one session: SQL -> name, least recently used first."""

    def __init__(self):
        self.names: OrderedDict[str, str] = OrderedDict()
        self.made = 0
        self.to_deallocate: list[str] = []


def fetchall(alias: str, sql: str, params, kind: str) -> list[tuple]:
    """The rows of `sql` with `params` on this database, planned once per connection on PostgreSQL.

    `kind` names the statements (`<kind>_<digest of the SQL>_<n>`), so that a log or a test can tell them.
    """
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
            cursor.execute(sql, params)
            return cursor.fetchall()
        # The session the cursor runs in: opening it may have replaced a connection that failed its health check.
        session = cursor.cursor.connection
        statements = _SESSIONS.get(session)
        if statements is None:
            statements = _SESSIONS[session] = _Statements()
        name = statements.names.pop(sql, None)
        preamble = ""
        if name is None:
            statements.made += 1
            name = f"{kind}_{_digest(sql)}_{statements.made}"
            # Asked once: should the round trip fail, a statement left standing costs memory, never a later query.
            letting_go, statements.to_deallocate = statements.to_deallocate, []
            preamble = "".join(f"DEALLOCATE {old}; " for old in letting_go)
            preamble += f"PREPARE {name} AS {_numbered(sql)}; "
        arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
        cursor.execute(f"{preamble}EXECUTE {name}{arguments}", params)
        rows = cursor.fetchall()
    statements.names[sql] = name  # only once its round trip worked: a failed one's name is never reused
    if len(statements.names) > KEPT:
        _, oldest = statements.names.popitem(last=False)
        statements.to_deallocate.append(oldest)  # with the next PREPARE, in its round trip
    return rows


def _digest(sql: str) -> str:
    """16 hex digits of the SQL, in its statement's name: a session holding that name holds that SQL."""
    return hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()


def _numbered(sql: str) -> str:
    """The SQL with PostgreSQL's numbered parameters ($1, $2, ...) for the driver's %s (%% left for the driver)."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda match: "%%" if match.group() == "%%" else f"${next(numbers)}", sql)

"""The relay writer's batches on SQLite: one connection of its own, on a thread of its own, and a whole
batch in one call to that thread.

Through SQLAlchemy and aiosqlite every statement is about four hops between the event loop and the
driver's thread (cursor, execute, fetch, close), each a wake-up and a handover of the GIL: a batch of
six statements cost ~3 ms of the loop's time on this machine whatever its size, most of a message's
cost when messages come one at a time (measured: docs/benchmarks.md). Here the batch runs in one hop.

The connection has the engine's settings (handoff/database.py: WAL, synchronous=NORMAL, busy timeout)
and writes under BEGIN IMMEDIATE, SQLite's write lock, so the batch's reads and writes see no other
writer in between (the engine's connections, other processes). Errors come out as SQLAlchemy's (an
IntegrityError, an OperationalError), as from the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from handoff.conversations.batch import ConversationRow, Outcome, Request, plan
from handoff.conversations.enums import Sender
from handoff.conversations.models import Message
from handoff.conversations.schemas import StoredMessage
from handoff.database import SQLITE_BUSY_TIMEOUT_S, sqlite_pragmas

_messages = cast(Table, Message.__table__)
_DIALECT = sqlite.dialect()


def _processor(column: str, *, bind: bool) -> Callable[[Any], Any]:
    """The column type's own conversion to or from SQLite (the same text the engine writes and reads)."""
    impl = _messages.c[column].type.dialect_impl(_DIALECT)
    found = impl.bind_processor(_DIALECT) if bind else impl.result_processor(_DIALECT, None)
    return found or (lambda value: value)


_TIME_IN = _processor("created_at", bind=True)
_TIME_OUT = _processor("created_at", bind=False)
_JSON_OUT = _processor("payload", bind=False)


class SqliteBatches:
    def __init__(self, path: str) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-writer")
        self._conn: sqlite3.Connection | None = None  # opened, and only ever used, on the executor's thread

    async def write(self, requests: list[Request]) -> list[Outcome]:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._write, requests)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # isolation_level=None: the transaction is this module's (BEGIN IMMEDIATE ... COMMIT).
            conn = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
            sqlite_pragmas(conn)
            self._conn = conn
        return self._conn

    def _write(self, requests: list[Request]) -> list[Outcome]:
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                outcomes = _store_all(conn, requests)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            return outcomes
        except sqlite3.Error as exc:
            if not isinstance(exc, sqlite3.IntegrityError):  # whatever it was, the next batch starts afresh
                self._close()
            raise DBAPIError.instance("relay batch", None, exc, sqlite3.Error) from exc

    async def aclose(self) -> None:
        """The connection closed on its own thread, and the thread let go."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=False)

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


def stored_query(keys: int) -> str:
    """The messages already stored under `keys` (conversation id, client id) pairs, found through the
    unique (conversation_id, client_msg_id) index. The keys are the outer loop of a join: SQLite
    answers the row-value `(conversation_id, client_msg_id) IN (VALUES ...)` with a scan of every
    message (EXPLAIN QUERY PLAN: SCAN messages), a batch's cost growing with the table."""
    return ("SELECT m.conversation_id, m.seq, m.sender, m.text, m.client_msg_id, m.author_id, m.created_at, "
            f"m.payload FROM (VALUES {', '.join(['(?, ?)'] * keys)}) AS k "
            "CROSS JOIN messages AS m ON m.conversation_id = k.column1 AND m.client_msg_id = k.column2")


def _store_all(conn: sqlite3.Connection, requests: list[Request]) -> list[Outcome]:
    ids = sorted({r.conversation_id for r in requests})
    conversations = {row[0]: ConversationRow(row[1], row[2], row[3]) for row in conn.execute(
        f"SELECT id, state, assigned_agent_id, last_seq FROM conversations WHERE id IN ({', '.join('?' * len(ids))})",
        ids)}
    keys = sorted({key for r in requests if (key := r.key) is not None})
    stored_before: dict[tuple[str, str], StoredMessage] = {}
    if keys:
        rows = conn.execute(stored_query(len(keys)), [part for key in keys for part in key])
        for cid, seq, sender, text, client_msg_id, author_id, created_at, payload in rows:
            stored_before[(cid, client_msg_id)] = StoredMessage(
                conversation_id=cid, seq=seq, sender=Sender(sender), text=text, client_msg_id=client_msg_id,
                author_id=author_id, created_at=_TIME_OUT(created_at), payload=_JSON_OUT(payload))
    decided = plan(requests, conversations, stored_before)
    if decided.last_seqs:
        conn.executemany("UPDATE conversations SET last_seq = ? WHERE id = ?",
                         [(seq, cid) for cid, seq in decided.last_seqs.items()])
    if decided.messages:
        conn.executemany(
            "INSERT INTO messages (conversation_id, seq, sender, author_id, text, client_msg_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(m.conversation_id, m.seq, m.sender.value, m.author_id, m.text, m.client_msg_id, _TIME_IN(m.created_at))
             for m in decided.messages])
    if decided.turns:
        conn.executemany("INSERT INTO pending_turns (conversation_id, seq, owner, lease_until, attempts) "
                         "VALUES (?, ?, ?, ?, 1)",
                         [(cid, seq, owner, _TIME_IN(until)) for cid, seq, owner, until in decided.turns])
    return decided.outcomes

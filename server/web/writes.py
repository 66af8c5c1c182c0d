"""The write log, for whoever holds the update token: who changed what, and a way back.

    GET  /writes                 the accepted writes, newest first (``?limit=N``, default 100)
    GET  /writes/ID              one write: what it changed, as N-Quads lines
    POST /writes/ID/revert       undo it, as a new write (checked and logged like any other)

Each needs the update token (``Authorization: Bearer <token>``), as writes do; the log itself is
``store.writelog``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from ..errors import BadRequestError, ForbiddenError, NotFoundError
from ..store.writelog import WriteLog
from .context import check_token, current_backend

bp = Blueprint("writes", __name__)

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


def _log() -> WriteLog:
    log = current_backend().write_log()
    if log is None:
        raise ForbiddenError("this server keeps no write log: its writes go to a remote store")
    return log


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    response = Response(body, status=status, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def summary(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry without the quads it lists (their counts instead)."""
    shown = {k: v for k, v in entry.items() if k not in ("added", "removed")}
    shown["added"] = len(entry.get("added", []))
    shown["removed"] = len(entry.get("removed", []))
    return shown


@bp.route("/writes")
def index() -> Response:
    check_token()
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequestError(f"limit must be a whole number from 1 to {MAX_LIMIT:,}")
    limit = int(raw)
    entries = list(_log().entries())
    newest = [summary(e) for e in reversed(entries[-limit:])]
    return _json({"writes": newest, "total": len(entries)})


@bp.route("/writes/<write_id>")
def show(write_id: str) -> Response:
    check_token()
    entry = _log().find(write_id)
    if entry is None:
        raise NotFoundError(f"there is no write {write_id!r} in the write log")
    return _json(entry)


@bp.route("/writes/<write_id>/revert", methods=["POST"])
def revert(write_id: str) -> Response:
    by = check_token()
    if _log().find(write_id) is None:
        raise NotFoundError(f"there is no write {write_id!r} in the write log")
    written = current_backend().revert(write_id, by)
    return _json(
        {"reverted": write_id, "write": written, "version": current_backend().version().token}
    )

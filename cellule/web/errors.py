"""What every front door of the HTTP app shares: a refusal with its reason (the one mapping of flows'
refusals to HTTP), and a size-limited body."""

from __future__ import annotations

from fastapi import Request

from flows.refusals import Refusal


class Refused(Exception):
    """A request that cannot be applied; says why (the HTTP status and a reason), changes nothing."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def refused(refusal: Refusal) -> Refused:
    """The HTTP answer to a refusal of flows/: its 4xx status, and its message as the reason."""
    return Refused(refusal.status, str(refusal))


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused (413) past `limit` bytes whether or not `Content-Length` says so."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Refused(400, "Content-Length is not a number of bytes")
        if int(declared) > limit:
            raise Refused(413, f"the body is {int(declared):,} bytes; at most {limit:,} are accepted")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"the body is larger than the {limit:,} bytes accepted")
        chunks.append(chunk)
    return b"".join(chunks)

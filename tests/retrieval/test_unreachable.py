"""Which search failures mean "the server is not answering" (wait and retry) and which are faults to show."""

import httpx

from tutor.retrieval.hybrid import unreachable


def raised_inside(inner: Exception, outer: Exception) -> Exception:
    """``outer`` raised while handling ``inner``, as chromadb's HTTP client raises its errors."""
    try:
        try:
            raise inner
        except Exception:
            raise outer
    except Exception as exc:
        return exc


def test_refused_connections_and_timeouts_are_unreachable():
    assert unreachable(raised_inside(httpx.ConnectError("refused"), Exception("could not reach")))
    assert unreachable(httpx.ReadTimeout("slow")) and unreachable(ConnectionRefusedError())


def test_a_server_that_answered_with_an_error_is_a_fault_not_a_wait():
    answered = httpx.HTTPStatusError("500", request=httpx.Request("GET", "http://chroma"),
                                     response=httpx.Response(500))
    assert not unreachable(raised_inside(answered, Exception("collection dimension mismatch")))
    assert not unreachable(ValueError("a bug here"))

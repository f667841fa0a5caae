"""The matcher service's client (httpx): what trading commands and `zktrade trader run` use when
--matcher is a URL (or ZKTRADE_MATCHER_URL is set).

Every refusal of the service comes back as a `MatcherRefused` carrying its HTTP status and the
service's reason; a service that cannot be reached is a `MatcherUnavailable`.
"""

import json
from collections.abc import Iterator

import httpx

from .errors import ProtocolError
from .messages import LegProof, OrderTicket, Trade, WithdrawRequest

ENV_URL = "ZKTRADE_MATCHER_URL"


class MatcherUnavailable(ProtocolError):
    """The matcher service did not answer. `sent` is False when the request never left (no
    connection): the service cannot have acted on it."""

    def __init__(self, reason: str, sent: bool = True):
        super().__init__(reason)
        self.sent = sent


class MatcherRefused(ProtocolError):
    """The matcher service refused a request (the message is its reason)."""

    def __init__(self, reason: str, status: int):
        super().__init__(reason)
        self.status = status


def is_url(matcher: str) -> bool:
    return matcher.startswith(("http://", "https://"))


class MatcherClient:
    def __init__(self, url: str, client: str = "", timeout: float = 300.0):
        self.url = url.rstrip("/")
        headers = {"x-zktrade-client": client} if client else {}
        self._http = httpx.Client(base_url=self.url, timeout=timeout, headers=headers)

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, secret: bytes | None = None, body: dict | None = None) -> dict:
        headers = {"authorization": f"Bearer {secret.hex()}"} if secret is not None else {}
        try:
            r = self._http.request(method, path, headers=headers, json=body)
        except httpx.ConnectError as exc:
            raise MatcherUnavailable(f"cannot reach the matcher at {self.url} ({exc}): is `zktrade matcher serve` "
                                     "running there?", sent=False) from None
        except httpx.HTTPError as exc:
            raise MatcherUnavailable(f"the matcher at {self.url} did not answer ({type(exc).__name__}: {exc}); "
                                     "the request may or may not have been acted on: check and retry") from None
        if r.status_code >= 400:
            try:
                reason = r.json()["error"]
            except (ValueError, KeyError, TypeError):
                reason = r.text[:200]
            raise MatcherRefused(f"matcher refused ({r.status_code}): {reason}", r.status_code)
        return r.json()

    def info(self) -> dict:
        return self._request("GET", "/v1/info")

    def health(self) -> dict:
        return self._request("GET", "/health")

    def submit(self, ticket: OrderTicket) -> list[Trade]:
        """Book an order; the fills it made at once."""
        return [Trade.from_json(t) for t in self._request("POST", "/v1/orders", body=ticket.to_json())["trades"]]

    def status(self, order_id: str, secret: bytes) -> dict:
        """One's own order: {"status": ..., "trades": [{"trade", "deadline", "state", "legs", ...}]}."""
        return self._request("GET", f"/v1/orders/{order_id}", secret)

    def cancel(self, order_id: str, secret: bytes) -> int:
        """Cancel one's own order; the number of fills its counterparties' re-entry made."""
        return self._request("POST", f"/v1/orders/{order_id}/cancel", secret)["trades_made"]

    def submit_leg(self, leg: LegProof) -> dict:
        return self._request("POST", "/v1/legs", body=leg.to_json())

    def relay_withdraw(self, request: WithdrawRequest) -> str:
        """Hand a withdrawal to the matcher's relayer; the transaction hash."""
        return self._request("POST", "/v1/withdrawals", body=request.to_json())["tx_hash"]

    def events(self, order_ids: list[str], secret: bytes, keepalive: bool = False) -> Iterator[dict | None]:
        """Server-sent events of one's own fills, as they change (blocks; ends when the server
        does); with `keepalive`, None for each keep-alive, so a reader can look up in between."""
        headers = {"authorization": f"Bearer {secret.hex()}"}
        try:
            with self._http.stream("GET", "/v1/events", params={"orders": ",".join(order_ids)}, headers=headers,
                                   timeout=httpx.Timeout(self._http.timeout.connect, read=None)) as r:
                if r.status_code >= 400:
                    r.read()
                    raise MatcherRefused(f"matcher refused ({r.status_code}): {r.json().get('error')}", r.status_code)
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        yield json.loads(line[len("data: "):])
                    elif keepalive and line.startswith(":"):
                        yield None
        except httpx.HTTPError as exc:
            raise MatcherUnavailable(f"lost the matcher at {self.url}: {exc}") from None

"""The HTTP API of `zktrade matcher serve` (OpenAPI at /docs).

Dark by default: there is no route that lists the book or another trader's orders. The owner
of an order proves it with the order secret whose SHA-256 its ticket carries
(`Authorization: Bearer <hex>`); the matcher learns no account or address. Every refusal is a
4xx with `{"error": reason}`; a body is capped in size (before it is read whole) and in JSON
depth (before it is parsed).
"""

import json
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

from .service import MatcherService, Refused
from .wire import MAX_BODY, BadRequest, leg_from_wire, parse_body, secret_from_header, ticket_from_wire, withdraw_from_wire

log = logging.getLogger("zktrade.matcher")
CLIENT_HEADER = "x-zktrade-client"  # a client's own label for its rate bucket and verify queue


def _error(reason: str, status: int) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


async def read_body(request: Request) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed MAX_BODY (before reading it whole)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BadRequest(f"request body of {declared} bytes: the limit is {MAX_BODY}", 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest(f"request body over the limit of {MAX_BODY} bytes", 413)
    return bytes(body)


def _body(schema: dict) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


DEC = {"type": "string", "description": "decimal integer < r"}
PROOF = {"type": "object", "description": "snarkjs proof JSON (pi_a, pi_b, pi_c, protocol, curve)"}
TICKET = {"type": "object", "required": ["order", "root", "nullifier", "proof", "owner_hash"], "properties": {
    "order": {"type": "object", "properties": {"order_id": {"type": "string"}, "side": {"type": "integer", "enum": [0, 1]},
              **{k: DEC for k in ("base_asset", "quote_asset", "size", "limit_price", "salt")}}},
    "root": DEC, "nullifier": DEC, "proof": PROOF, "owner_hash": {"type": "string", "description": "sha256(order secret), hex"}}}
LEG = {"type": "object", "required": ["trade_commitment", "side", "proof", "public"], "properties": {
    "trade_commitment": DEC, "side": {"type": "integer"}, "proof": PROOF,
    "public": {"type": "array", "items": DEC, "minItems": 8, "maxItems": 8}, "memo": {"type": "string"}}}
WITHDRAWAL = {"type": "object", "required": ["proof", "public"], "properties": {
    "proof": PROOF, "public": {"type": "array", "items": DEC}, "change_memo": {"type": "string"}}}


def create_app(service: MatcherService) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app):
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(title="zktrade matcher", version="2", lifespan=lifespan,
                  description="Dark order matching with collateral proofs; settlement relayed on chain.")

    @app.exception_handler(BadRequest)
    async def bad_request(request, exc: BadRequest):
        service.metrics.inc("zktrade_requests_refused_total", reason="bad_request" if exc.status != 413 else "too_large")
        return _error(str(exc), exc.status)

    @app.exception_handler(Refused)
    async def refused(request, exc: Refused):
        return _error(str(exc), exc.status)

    @app.exception_handler(Exception)
    async def internal(request, exc: Exception):
        log.exception("internal error")
        return _error("internal error", 500)

    def admit(request: Request) -> str:
        host = request.client.host if request.client else "?"
        client = request.headers.get(CLIENT_HEADER, "")[:64]
        service.admit(host, client)
        return host, client

    @app.post("/v1/orders", openapi_extra=_body(TICKET), status_code=201)
    async def submit_order(request: Request):
        """Book an order ticket (terms + collateral proof); returns the fills it made at once."""
        host, client = admit(request)
        ticket = ticket_from_wire(parse_body(await read_body(request)))
        trades = await service.submit(host, client, ticket)
        return JSONResponse({"order_id": ticket.order.order_id, "trades": [t.to_json() for t in trades]}, 201)

    @app.get("/v1/orders/{order_id}")
    async def order_status(order_id: str, request: Request):
        """One's own order: its status and its fills (Authorization: Bearer <order secret>)."""
        admit(request)
        return await service.status(order_id, secret_from_header(request.headers.get("authorization")))

    @app.post("/v1/orders/{order_id}/cancel")
    async def cancel_order(order_id: str, request: Request):
        """Cancel one's own order; its fills still waiting for legs are revoked."""
        admit(request)
        trades = await service.cancel(order_id, secret_from_header(request.headers.get("authorization")))
        return {"order_id": order_id, "cancelled": True, "trades_made": len(trades)}

    @app.post("/v1/legs", openapi_extra=_body(LEG))
    async def submit_leg(request: Request):
        """One party's settlement leg of a fill; returns the fill as it now stands."""
        admit(request)
        return await service.submit_leg(leg_from_wire(parse_body(await read_body(request))))

    @app.post("/v1/withdrawals", openapi_extra=_body(WITHDRAWAL))
    async def relay_withdrawal(request: Request):
        """A withdrawal for the matcher's relayer to submit (its address and fee are bound by the proof)."""
        admit(request)
        return {"tx_hash": await service.relay_withdraw(withdraw_from_wire(parse_body(await read_body(request))))}

    @app.get("/v1/events")
    async def events(request: Request, orders: str):
        """Server-sent events: the fills of one's own orders (comma-separated ids, one secret) as they change."""
        admit(request)
        secret = secret_from_header(request.headers.get("authorization"))
        ids = [o for o in orders.split(",") if o][:64]
        for order_id in ids:
            await service.status(order_id, secret)  # 404 now, before the stream starts

        async def stream():
            seen: dict[str, str] = {}
            while not await request.is_disconnected():
                for order_id in ids:
                    view = await service.status(order_id, secret)
                    for t in view["trades"]:
                        key = t["trade"]["fill"]["trade_salt"]
                        state = f'{t["state"]}/{t["legs"]["buy"]}/{t["legs"]["sell"]}'
                        if seen.get(key) != state:
                            seen[key] = state
                            yield f"event: fill\ndata: {json.dumps({'order_id': order_id, **t})}\n\n"
                await service.wait_change(15.0)
                yield ": keep-alive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    @app.get("/v1/info")
    async def info():
        """The relayer's address, the pool and the leg window."""
        return service.info()

    @app.get("/health")
    async def health():
        """Up, with the depth of the verification queue and how many verification workers are warm."""
        v = service.verifier
        return {"status": "ok", "verify_queue": v.queued() if v else 0, "verifiers_ready": v.ready if v else 0}

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics():
        """Prometheus text format."""
        return PlainTextResponse(service.metrics.render(), media_type="text/plain; version=0.0.4")

    return app



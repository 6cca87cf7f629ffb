"""Every write of the exchange: systems, grants, the gateway, the gateway's key."""

from tongban.exchange.services.gateway import (
    MAX_BODY,
    GatewayReply,
    gateway_call,
    internal_call,
    request_hash,
)
from tongban.exchange.services.grants import (
    grant_decide,
    grant_request,
    grant_revoke,
    grants_sweep,
)
from tongban.exchange.services.keys import gateway_jwks, gateway_key_rotate
from tongban.exchange.services.resources import resource_publish
from tongban.exchange.services.systems import (
    platform_systems_register,
    system_keys_replace,
    system_register,
    system_set_enabled,
)

__all__ = [
    "MAX_BODY",
    "GatewayReply",
    "gateway_call",
    "gateway_jwks",
    "gateway_key_rotate",
    "grant_decide",
    "grant_request",
    "grant_revoke",
    "grants_sweep",
    "internal_call",
    "platform_systems_register",
    "request_hash",
    "resource_publish",
    "system_keys_replace",
    "system_register",
    "system_set_enabled",
]

"""Where a request carries its API key, the three ways NewsAPI accepts it:
the `apiKey` query parameter, the `X-Api-Key` header, or the `Authorization` header (`Bearer KEY`, or the
bare key as newsapi-python sends it).

The key is checked by the same mechanism as the rest of the API:
- in AWS, by API Gateway against the usage plan's keys. API Gateway itself only reads `x-api-key`, so the
  stack sets the REST API's `apiKeySource` to AUTHORIZER and puts `authorizer_response` (a Lambda REQUEST
  authorizer, `newsflow.handlers.authorizer`) in front of the read routes: it hands the presented key to
  API Gateway as `usageIdentifierKey`, which API Gateway then validates and throttles exactly as before;
- locally, by the HTTP front against `newsflow dev --api-key` (`newsflow.local.http_front`).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any, Final

API_KEY_PARAM: Final = "apiKey"
_BEARER: Final = "bearer "


def presented_key(headers: Mapping[str, str] | None, query: Mapping[str, str] | None) -> str | None:
    """The API key the request presents, or None. `X-Api-Key` wins, then `Authorization`, then `apiKey`."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    key = lowered.get("x-api-key", "").strip()
    if not key:
        auth = lowered.get("authorization", "").strip()
        key = auth[len(_BEARER) :].strip() if auth.lower().startswith(_BEARER) else auth
        if " " in key or key.lower().startswith("aws4-"):  # another scheme (e.g. a SigV4 signature): not a key
            key = ""
    if not key:
        key = (query or {}).get(API_KEY_PARAM, "").strip()
    return key or None


def key_matches(presented: str | None, expected: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


class Unauthorized(Exception):
    """Raised by the authorizer when no key is presented: API Gateway answers 401 (UNAUTHORIZED)."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")  # the exact message API Gateway maps to a 401


def authorizer_response(event: Mapping[str, Any]) -> dict[str, Any]:
    """A Lambda REQUEST authorizer's answer: allow the call and let API Gateway check the key it presents."""
    key = presented_key(event.get("headers"), event.get("queryStringParameters"))
    if key is None:
        raise Unauthorized
    method_arn = str(event.get("methodArn", ""))
    # arn:aws:execute-api:region:account:api-id/stage/METHOD/path: allow reads of this API and stage only.
    prefix = "/".join(method_arn.split("/")[:2])
    return {
        "principalId": "api-key",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{prefix}/GET/*"}],
        },
        "usageIdentifierKey": key,
    }

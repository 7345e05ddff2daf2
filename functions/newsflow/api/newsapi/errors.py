"""NewsAPI's error body `{status: "error", code, message}` and its codes, with their HTTP statuses.

Every failure of a `/v2` route ends here: a refused parameter, a newsflow `ApiError` raised underneath
(a bad date range, a repeated parameter), or an unexpected exception (500 `unexpectedError`, logged).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ValidationError

from newsflow.api.errors import ApiError

Code = Literal[
    "apiKeyMissing",
    "apiKeyInvalid",
    "parameterInvalid",
    "parametersMissing",
    "rateLimited",
    "sourcesTooMany",
    "unexpectedError",
]

STATUS: Final[dict[str, int]] = {
    "apiKeyMissing": 401,
    "apiKeyInvalid": 401,
    "parameterInvalid": 400,
    "parametersMissing": 400,
    "sourcesTooMany": 400,
    "rateLimited": 429,
    "unexpectedError": 500,
}

API_KEY_MISSING: Final = (
    "Your API key is missing. Append this to the URL with the apiKey param, or use the x-api-key HTTP header."
)
API_KEY_INVALID: Final = "Your API key is invalid or incorrect. Check your key, or go to your operator for a new one."
UNEXPECTED: Final = "The request could not be completed; it has been logged. Try again later."


class NewsApiErrorBody(BaseModel):
    status: Literal["error"] = "error"
    code: Code
    message: str


class NewsApiError(Exception):
    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code: Code = code
        self.message = message

    @property
    def status_code(self) -> int:
        return STATUS[self.code]

    def body(self) -> NewsApiErrorBody:
        return NewsApiErrorBody(code=self.code, message=self.message)


def invalid(message: str) -> NewsApiError:
    return NewsApiError("parameterInvalid", message)


def from_validation_error(error: ValidationError) -> NewsApiError:
    first = error.errors()[0]
    param = ".".join(str(p) for p in first["loc"]) or "request"
    if first["type"] == "extra_forbidden":
        return invalid(f"You've included a parameter in your request which is not supported: '{param}'.")
    if first["type"] == "missing":
        return NewsApiError("parametersMissing", f"Required parameter '{param}' is missing.")
    message = str(first["msg"]).removeprefix("Value error, ")
    return invalid(f"{param}: {message}")


def from_api_error(error: ApiError) -> NewsApiError:
    """A newsflow error raised underneath (bad date range, repeated parameter, ...) in NewsAPI's words."""
    if error.status_code == 429:
        return NewsApiError("rateLimited", error.message)
    if error.status_code >= 500:
        return NewsApiError("unexpectedError", error.message)
    if error.code == "parameterMissing":
        return NewsApiError("parametersMissing", error.message)
    return invalid(error.message)

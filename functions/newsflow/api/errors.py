"""API errors: every failure the API reports has one JSON shape, `{status, code, message, param}`."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError


class ApiError(Exception):
    def __init__(self, status_code: int, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.param = param


class ErrorBody(BaseModel):
    status: str = "error"
    code: str
    message: str
    param: str | None = None


def bad_request(message: str, param: str | None = None, code: str = "parameterInvalid") -> ApiError:
    return ApiError(400, code, message, param)


def not_found(message: str, param: str | None = None) -> ApiError:
    return ApiError(404, "notFound", message, param)


def from_validation_error(error: ValidationError) -> ApiError:
    first = error.errors()[0]
    param = ".".join(str(p) for p in first["loc"]) or None
    if first["type"] == "extra_forbidden":
        return ApiError(400, "parameterUnknown", f"unknown parameter '{param}'", param)
    if first["type"] == "missing":
        return ApiError(400, "parameterMissing", f"required parameter '{param}' is missing", param)
    return ApiError(400, "parameterInvalid", f"{param}: {first['msg']}", param)

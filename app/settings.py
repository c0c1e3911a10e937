"""Configuration from environment variables (pydantic-settings); documented in the README."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = "sqlite:///./repayment.db"
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_upper)
    ] = "INFO"
    require_api_key_for_calculations: bool = False
    max_body_bytes: int = Field(1024 * 1024, gt=0)
    # how long a POST /v1/agreements waits for a concurrent one with its Idempotency-Key (then 409)
    idempotency_wait_seconds: float = 10.0
    # slow peers (SPEC §8; app/server.py): a request's headers, then its body, must arrive
    # within these, or its connection is closed
    header_timeout_seconds: float = Field(10.0, gt=0, le=300)
    body_timeout_seconds: float = Field(30.0, gt=0, le=3600)
    # open connections per worker past which new requests get a 503 at once. 512 stays well
    # under the usual 1,024 file descriptors a process may open (the database pool, log files
    # and the listening socket need some), and is far more than a reverse proxy in front needs:
    # it keeps a pool of reused upstream connections (README, "Operations")
    max_connections: int = Field(512, ge=1, le=100_000)


@lru_cache
def get_settings() -> Settings:
    return Settings()

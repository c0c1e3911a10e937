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


@lru_cache
def get_settings() -> Settings:
    return Settings()

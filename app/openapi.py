"""Print the OpenAPI document: `python -m app.openapi > openapi/openapi.json` (make openapi)."""

import json

from app.main import create_app


def openapi_text() -> str:
    return json.dumps(create_app().openapi(), indent=2, sort_keys=True, ensure_ascii=False)


if __name__ == "__main__":
    print(openapi_text())

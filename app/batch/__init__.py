"""Portfolio batch (跑批, SPEC §12): every loan's position as of a date, for a whole portfolio.

    limits.py        the API's request bounds, mirrored (no pydantic here)
    refusals.py      LoanRefused (one loan, an error row) and RunRefused (the whole run)
    rules.py         the --rules file: one penalty and one allocation rule for the portfolio
    loan_input.py    one input row -> the engine's terms and payments, refused as the API would
    position_row.py  the one place the engine is called and its summary becomes output columns
    columns.py       the input's column types (checked before any loan) and the output schema
    parts.py         one part: a row group in, a part-NNNNN.parquet out (a plain function)
    run.py           plan the parts, fan them out (Dask or in process), write the manifest
    sample.py        a synthetic portfolio in the input format

Imports the engine, pyarrow and dask, never FastAPI, pydantic or SQLAlchemy (import-linter).
"""

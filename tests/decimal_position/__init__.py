"""The Decimal position engine before the integer core (SPEC §11), kept as a test reference."""

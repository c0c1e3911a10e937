"""Pure calculation core: standard library only, Decimal throughout (SPEC §1–6)."""

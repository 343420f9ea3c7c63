"""Data layer: the data dictionary and schemas, values as written, the validated tables."""
from planlib.data.tables import (  # noqa: E402,F401  the data layer's public names
    CORE_INDICATORS, Tables, data_dir, data_hash, enrich, enriched, load_indicators, load_observations,
    load_regions, load_sources, load_tables, load_units, plan_regions,
)

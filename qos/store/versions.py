"""The names of the schema migrations this code knows, without importing sqlite-utils.

Opening an up-to-date database compares these with the names recorded in it, so the usual
start-up never loads the migration machinery (sqlite-utils costs ~90 ms to import).
tests/test_store.py checks this list against the migrations registered in schema.py.
"""
MIGRATION_SET = "qos"
MIGRATION_NAMES = (
    "0001_foundation",
    "0002_callbacks",
    "0003_doorstep",
    "0004_victims_code",
    "0005_bureau",
    "0006_mystery_shopping",
    "0007_event_indexes",
    "0008_code_duties",
    "0012_official_survey",
)

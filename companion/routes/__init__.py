"""One APIRouter per resource of the companion's HTTP API (see shared/spec/companion-api.md)."""

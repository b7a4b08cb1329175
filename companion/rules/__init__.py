"""Rules engine of the companion: normalisation, the entity matcher and signed-bundle checks."""

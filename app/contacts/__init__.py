"""Local help: the named people staff call (per institution and district, and the
municipality's own numbers) and the municipality's offers (indsatstrappen)."""

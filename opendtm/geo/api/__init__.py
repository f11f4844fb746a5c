"""The REST API of the geo app: admin areas, sites, their imports and area matches."""

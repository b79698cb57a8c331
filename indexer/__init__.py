"""Loads the service catalog into Elasticsearch: records -> documents -> bulk -> versioned index + alias."""

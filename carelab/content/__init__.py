"""Content: YAML modules and cases, validated into typed objects."""

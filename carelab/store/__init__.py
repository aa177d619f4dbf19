"""All of CareLab's SQL: connections, migrations and one repository module per concern."""

"""Read models: tables and Redis documents built by projections, and their queries."""

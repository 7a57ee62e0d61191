"""Excel import and export (SPEC X-01, X-02): templates, reading, validation, result files, safe export."""

"""Web pages, one module per role's area of work, each a blueprint of server-rendered pages."""

"""Web pages by role area, one module each, Jinja templates in service/templates/<area>/."""

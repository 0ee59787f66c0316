"""The Flask application: REST API, web pages and the command line."""

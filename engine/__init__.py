"""The domain core of dunghan: it never imports Flask."""

"""Reports: JSON (the versioned record), Markdown and HTML."""

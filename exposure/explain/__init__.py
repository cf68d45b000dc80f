"""Explaining findings in plain words, in every supported language: texts (YAML), explanations, the summary."""

"""The screens of the guided app, one module each, in the order a person meets them."""

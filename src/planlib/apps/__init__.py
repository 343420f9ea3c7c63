"""Applications: command line, batch builds, explorer, cross-region views, teaching helpers.

Importing this package (or :mod:`planlib.apps.batch`) loads no pandas: batch workers stay light."""

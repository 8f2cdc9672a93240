"""The folder of the small plugins tests/test_hooks.py builds from hook implementations.

A plugin's folder is where crmkit looks for its templates/, translations/ and migrations/;
this one holds only the template of the dashboard widget those plugins return.
"""

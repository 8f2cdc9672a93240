"""Inventory: records (calls, leads, deals...) about items a plugin declares (docs/inventory.md).
Plugins use ``crmkit.api.Inventory``, ``link_items``, ``unlink_item``, ``items_of``,
``subjects_of`` and ``count_subjects``."""
